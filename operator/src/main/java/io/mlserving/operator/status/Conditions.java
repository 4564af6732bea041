package io.mlserving.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Kubernetes conditions, pure: the clock is passed in. */
public final class Conditions {
  public static final String READY = "Ready";
  /** Live analysis: whether Prometheus answered the last refresh (never affects Ready). */
  public static final String ANALYSIS_AVAILABLE = "AnalysisAvailable";
  /** ABTest: True once a variant is the winner. */
  public static final String CONCLUDED = "Concluded";
  /** ShadowTest: whether the shadow is as healthy as the primary, within the bounds. */
  public static final String SHADOW_HEALTHY = "ShadowHealthy";
  /** CircuitBreaker: True while requests overflow the pool or endpoints are ejected. */
  public static final String CIRCUIT_OPEN = "CircuitOpen";
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  /** A condition without its transition time (set by {@link #put}). */
  public static Condition of(String type, String status, String reason, String message, Long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * {@code current} with {@code next} replacing the condition of its type. lastTransitionTime is kept while
   * the status stays the same, and is {@code now} (second precision, as the API server stores it) otherwise.
   */
  public static List<Condition> put(List<Condition> current, Condition next, Instant now) {
    List<Condition> existing = current == null ? List.of() : current;
    String since = existing.stream()
        .filter(c -> next.getType().equals(c.getType()) && next.getStatus().equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .filter(t -> t != null && !t.isEmpty())
        .findFirst()
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    List<Condition> out = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : existing) {
      if (next.getType().equals(c.getType())) {
        if (!replaced) {
          out.add(new ConditionBuilder(next).withLastTransitionTime(since).build());
          replaced = true;
        }
      } else {
        out.add(c);
      }
    }
    if (!replaced) {
      out.add(new ConditionBuilder(next).withLastTransitionTime(since).build());
    }
    return out;
  }

  /** {@code current} without the condition of {@code type}. */
  public static List<Condition> remove(List<Condition> current, String type) {
    return current == null ? List.of() : current.stream().filter(c -> !type.equals(c.getType())).toList();
  }

  /** The condition of {@code type}, if any. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Whether the Ready condition is True. */
  public static boolean isReady(List<Condition> conditions) {
    return find(conditions, READY).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}
