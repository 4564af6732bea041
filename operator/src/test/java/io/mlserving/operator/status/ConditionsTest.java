package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2026-01-01T11:00:00Z");

  @Test
  void newConditionGetsNowAtSecondPrecision() {
    List<Condition> out = Conditions.put(List.of(), Conditions.of("Ready", "False", "Progressing", "m", 1L), T0);
    assertThat(out).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(1L);
    });
  }

  @Test
  void transitionTimeIsKeptWhileStatusStaysTheSame() {
    List<Condition> first = Conditions.put(List.of(), Conditions.of("Ready", "False", "Progressing", "a", 1L), T0);
    List<Condition> second = Conditions.put(first, Conditions.of("Ready", "False", "ModelLoadFailed", "b", 2L), T1);
    assertThat(second).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getReason()).isEqualTo("ModelLoadFailed");
      assertThat(c.getMessage()).isEqualTo("b");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  void transitionTimeChangesWithTheStatus() {
    List<Condition> first = Conditions.put(List.of(), Conditions.of("Ready", "False", "Progressing", "a", 1L), T0);
    List<Condition> second = Conditions.put(first, Conditions.of("Ready", "True", "Ready", "ok", 1L), T1);
    assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T11:00:00Z");
    assertThat(Conditions.isReady(second)).isTrue();
  }

  @Test
  void otherTypesAreKeptInPlace() {
    List<Condition> start = List.of(Conditions.of("Other", "True", "X", "x", 1L),
        Conditions.of("Ready", "False", "Progressing", "a", 1L));
    List<Condition> out = Conditions.put(start, Conditions.of("Ready", "True", "Ready", "ok", 1L), T1);
    assertThat(out).extracting(Condition::getType).containsExactly("Other", "Ready");
    assertThat(Conditions.find(out, "Missing")).isEmpty();
  }
}
