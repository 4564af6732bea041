package io.mlserving.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Events of live analysis, from how its conditions changed: a winner found (Concluded turned True), the
 * shadow turning unhealthy and healthy again, a breaker opening and closing. A condition appearing in its
 * ordinary state (no winner yet, a healthy shadow, a closed breaker) is no news. Pure.
 */
public final class AnalysisEvents {
  public static final String WINNER_FOUND = "WinnerFound";
  public static final String SHADOW_UNHEALTHY = "ShadowUnhealthy";
  public static final String SHADOW_HEALTHY_AGAIN = "ShadowHealthyAgain";
  public static final String CIRCUIT_OPENED = "CircuitOpened";
  public static final String CIRCUIT_CLOSED = "CircuitClosed";

  private AnalysisEvents() {}

  /** An Event to record: Normal or Warning, a CamelCase reason, a note. */
  public record Event(String type, String reason, String note) {}

  /** The Events of going from {@code before} to {@code after}. */
  public static List<Event> of(List<Condition> before, List<Condition> after) {
    List<Event> out = new ArrayList<>();
    changed(before, after, Conditions.CONCLUDED).ifPresent(c -> {
      if (Conditions.TRUE.equals(c.getStatus())) {
        out.add(new Event("Normal", WINNER_FOUND, c.getMessage()));
      }
    });
    Optional<String> shadowWas = status(before, Conditions.SHADOW_HEALTHY);
    changed(before, after, Conditions.SHADOW_HEALTHY).ifPresent(c -> {
      if (Conditions.FALSE.equals(c.getStatus())) {
        out.add(new Event("Warning", SHADOW_UNHEALTHY, c.getMessage()));
      } else if (Conditions.TRUE.equals(c.getStatus()) && shadowWas.filter(Conditions.FALSE::equals).isPresent()) {
        out.add(new Event("Normal", SHADOW_HEALTHY_AGAIN, c.getMessage()));
      }
    });
    Optional<String> openWas = status(before, Conditions.CIRCUIT_OPEN);
    changed(before, after, Conditions.CIRCUIT_OPEN).ifPresent(c -> {
      if (Conditions.TRUE.equals(c.getStatus())) {
        out.add(new Event("Warning", CIRCUIT_OPENED, c.getMessage()));
      } else if (Conditions.FALSE.equals(c.getStatus()) && openWas.filter(Conditions.TRUE::equals).isPresent()) {
        out.add(new Event("Normal", CIRCUIT_CLOSED, c.getMessage()));
      }
    });
    return out;
  }

  /** The condition of {@code type} in {@code after} when its status differs from the one in {@code before}. */
  private static Optional<Condition> changed(List<Condition> before, List<Condition> after, String type) {
    Optional<Condition> now = Conditions.find(after, type);
    return now.filter(c -> !Objects.equals(status(before, type).orElse(null), c.getStatus()));
  }

  private static Optional<String> status(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).map(Condition::getStatus);
  }
}
