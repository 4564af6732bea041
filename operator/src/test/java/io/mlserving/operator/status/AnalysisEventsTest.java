package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.mlserving.operator.status.AnalysisEvents.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Events of live analysis, as a table of condition transitions: a winner found, a shadow turning unhealthy and
 * healthy again, a breaker opening and closing; none for a condition appearing in its ordinary state, none for one
 * staying as it is or going away, none for Ready or AnalysisAvailable.
 */
class AnalysisEventsTest {
  private static final String NONE = null;
  private static final String T = Conditions.TRUE;
  private static final String F = Conditions.FALSE;
  private static final String U = Conditions.UNKNOWN;

  static Arguments row(String type, String before, String after, String eventType, String reason) {
    return Arguments.of(type, before, after, eventType, reason);
  }

  static Stream<Arguments> transitions() {
    String concluded = Conditions.CONCLUDED;
    String shadow = Conditions.SHADOW_HEALTHY;
    String open = Conditions.CIRCUIT_OPEN;
    return Stream.of(
        // Concluded: only a winner is news.
        row(concluded, NONE, F, null, null),
        row(concluded, NONE, T, "Normal", AnalysisEvents.WINNER_FOUND),
        row(concluded, F, T, "Normal", AnalysisEvents.WINNER_FOUND),
        row(concluded, T, T, null, null),
        row(concluded, F, F, null, null),
        row(concluded, T, F, null, null),
        row(concluded, T, NONE, null, null),
        // ShadowHealthy: unhealthy is a warning whenever it starts; healthy again only after unhealthy.
        row(shadow, NONE, T, null, null),
        row(shadow, NONE, U, null, null),
        row(shadow, NONE, F, "Warning", AnalysisEvents.SHADOW_UNHEALTHY),
        row(shadow, T, F, "Warning", AnalysisEvents.SHADOW_UNHEALTHY),
        row(shadow, U, F, "Warning", AnalysisEvents.SHADOW_UNHEALTHY),
        row(shadow, F, T, "Normal", AnalysisEvents.SHADOW_HEALTHY_AGAIN),
        row(shadow, U, T, null, null),
        row(shadow, T, U, null, null),
        row(shadow, F, U, null, null),
        row(shadow, F, F, null, null),
        row(shadow, T, T, null, null),
        row(shadow, F, NONE, null, null),
        // CircuitOpen: opening is a warning, closing after open is news, closed from the start is not.
        row(open, NONE, F, null, null),
        row(open, NONE, T, "Warning", AnalysisEvents.CIRCUIT_OPENED),
        row(open, F, T, "Warning", AnalysisEvents.CIRCUIT_OPENED),
        row(open, T, F, "Normal", AnalysisEvents.CIRCUIT_CLOSED),
        row(open, T, T, null, null),
        row(open, F, F, null, null),
        row(open, T, NONE, null, null),
        // Not analysis' news: Ready has its own Events, AnalysisAvailable flaps with Prometheus.
        row(Conditions.READY, F, T, null, null),
        row(Conditions.READY, T, F, null, null),
        row(Conditions.ANALYSIS_AVAILABLE, T, F, null, null),
        row(Conditions.ANALYSIS_AVAILABLE, NONE, F, null, null),
        row(Conditions.ANALYSIS_AVAILABLE, F, T, null, null));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}: {4}")
  @MethodSource("transitions")
  void eventsOfOneTransition(String type, String before, String after, String eventType, String reason) {
    List<Condition> was = conditions(type, before, "was");
    List<Condition> is = conditions(type, after, "the message of now");

    List<Event> events = AnalysisEvents.of(was, is);

    if (reason == null) {
      assertThat(events).isEmpty();
    } else {
      assertThat(events).containsExactly(new Event(eventType, reason, "the message of now"));
    }
  }

  @Test
  void aMessageChangeAloneIsNoEvent() {
    List<Condition> was = conditions(Conditions.CIRCUIT_OPEN, T, "5 requests refused");
    List<Condition> is = conditions(Conditions.CIRCUIT_OPEN, T, "50 requests refused");
    assertThat(AnalysisEvents.of(was, is)).isEmpty();
  }

  @Test
  void severalConditionsChangingGiveAnEventEach() {
    List<Condition> was = new ArrayList<>();
    was.addAll(conditions(Conditions.CONCLUDED, F, "no winner"));
    was.addAll(conditions(Conditions.CIRCUIT_OPEN, F, "closed"));
    List<Condition> is = new ArrayList<>();
    is.addAll(conditions(Conditions.CIRCUIT_OPEN, T, "open"));
    is.addAll(conditions(Conditions.CONCLUDED, T, "b wins"));
    is.addAll(conditions(Conditions.SHADOW_HEALTHY, F, "shadow failing"));

    assertThat(AnalysisEvents.of(was, is)).containsExactly(
        new Event("Normal", AnalysisEvents.WINNER_FOUND, "b wins"),
        new Event("Warning", AnalysisEvents.SHADOW_UNHEALTHY, "shadow failing"),
        new Event("Warning", AnalysisEvents.CIRCUIT_OPENED, "open"));
  }

  @Test
  void noConditionsAtAllBeforeOrAfterIsNoEvent() {
    assertThat(AnalysisEvents.of(List.of(), List.of())).isEmpty();
    assertThat(AnalysisEvents.of(null, List.of())).isEmpty();
    assertThat(AnalysisEvents.of(conditions(Conditions.CONCLUDED, T, "won"), List.of())).isEmpty();
  }

  /** A Ready condition (always there) and, unless {@code status} is null, one of {@code type}. */
  private static List<Condition> conditions(String type, String status, String message) {
    List<Condition> out = new ArrayList<>();
    if (!Conditions.READY.equals(type)) {
      out.add(Conditions.of(Conditions.READY, T, "Ready", "ready", 1L));
    }
    if (status != null) {
      out.add(Conditions.of(type, status, "SomeReason", message, 1L));
    }
    return out;
  }
}
