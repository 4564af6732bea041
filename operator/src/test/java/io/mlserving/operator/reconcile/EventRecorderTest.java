package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  private final EventRecorder recorder =
      new EventRecorder("pod-1", Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
  private final InferenceService isvc = Fixtures.isvc("ns", "iris", "img");

  private static List<Condition> ready(String status, String reason) {
    return List.of(Conditions.of("Ready", status, reason, reason + " message", 1L));
  }

  private Optional<Event> step(List<Condition> before, List<Condition> after) {
    return recorder.transition(isvc, before, after);
  }

  @Test
  void plainRolloutGivesNoEvent() {
    assertThat(step(null, ready("False", "Progressing"))).isEmpty();
    assertThat(step(ready("False", "Progressing"), ready("True", "Ready"))).isEmpty();
  }

  @Test
  void failureThenRecoveryThroughProgressingGivesTwoEvents() {
    Optional<Event> failed = step(ready("False", "Progressing"), ready("False", "ModelLoadFailed"));
    assertThat(failed).get().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("ModelLoadFailed");
      assertThat(e.getNote()).isEqualTo("ModelLoadFailed message");
      assertThat(e.getRegarding().getKind()).isEqualTo("InferenceService");
      assertThat(e.getReportingController()).isEqualTo(EventRecorder.REPORTING_CONTROLLER);
      assertThat(e.getReportingInstance()).isEqualTo("pod-1");
      assertThat(e.getMetadata().getNamespace()).isEqualTo("ns");
    });
    assertThat(step(ready("False", "ModelLoadFailed"), ready("False", "ModelLoadFailed"))).isEmpty();
    assertThat(step(ready("False", "ModelLoadFailed"), ready("False", "Progressing"))).isEmpty();
    assertThat(step(ready("False", "Progressing"), ready("True", "Ready"))).get()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Normal"));
    // Recovered once: the next plain Ready is no event again.
    assertThat(step(ready("False", "Progressing"), ready("True", "Ready"))).isEmpty();
  }

  @Test
  void everyFailureReasonChangeIsAnEvent() {
    assertThat(step(null, ready("False", "InferenceServiceNotFound"))).isPresent();
    assertThat(step(ready("False", "InferenceServiceNotFound"), ready("False", "HostConflict"))).isPresent();
  }
}
