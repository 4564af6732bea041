package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.mlserving.operator.analysis.CanaryChecker;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Canary's rollout driven by the real operator against the mock API server, its metric checks scripted by the
 * test (the checks against a real Prometheus are CanaryPrometheusIT's): steps on time, promotion, rollback on failed
 * checks and at the progress deadline, resuming after a restart, starting over, and no write once final.
 */
class CanaryOperatorTest {
  private static final String NS = "models";
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  /** Every check it is asked for gives {@link #result}. */
  static final class ScriptedChecker implements CanaryChecker {
    final AtomicReference<CheckResult> result = new AtomicReference<>(CheckResult.Pass);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<CanaryCheck> check(Canary canary, Instant now) {
      calls.incrementAndGet();
      CheckResult r = result.get();
      return canary.getSpec().getAnalysis().getMetrics().stream()
          .map(m -> new CanaryCheck(m.getName(), r == CheckResult.Pass ? 99.9 : 42.0, m.getMin(), m.getMax(), r,
              m.getName() + (r == CheckResult.Pass ? " 99.9 ≥ 99" : " 42 is below min 99"),
              now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))
          .toList();
    }
  }

  private final ScriptedChecker checker = new ScriptedChecker();
  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness(MockCluster.start().withIstio("v1"), OperatorSettings.defaults().withFirstStatusGrace(
        Duration.ZERO), checker);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void withoutAnalysisStepsAdvanceOnTimeUpToPromotion() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.canary(NS, "fraud-rollout", "fraud-v1", "fraud-v2", "1s", "30s", 10, 50));

    awaitCanaryWeight("fraud-rollout", 10);
    awaitCanaryWeight("fraud-rollout", 50);
    awaitCanaryWeight("fraud-rollout", 100);
    Canary c = awaitPhase("fraud-rollout", CanaryPhase.Promoted);
    assertThat(c.getStatus().getCanaryWeight()).isEqualTo(100);
    assertThat(c.getStatus().getStep()).isEqualTo(1);
    assertThat(Conditions.isReady(c.getStatus().getConditions())).isTrue();
    assertThat(ready(c).getReason()).isEqualTo(Reason.Promoted.name());
    assertThat(c.getStatus().getHost()).isEqualTo("fraud-rollout");
    // The apex Service keeps selecting the stable: clients outside the mesh get the model that was there.
    Service apex = h.get(Service.class, NS, "fraud-rollout").orElseThrow();
    assertThat(apex.getSpec().getSelector()).containsEntry("mlserving.io/inference-service", "fraud-v1");
    assertThat(eventReasons("fraud-rollout")).contains("Step", "Promoted");
    assertThat(checker.calls).hasValue(0);

    // Final: nothing more is written.
    int writes = h.cluster.dispatcher.writes().size();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> h.cluster.dispatcher.writes().size() == writes);
  }

  @Test
  void aCanaryThatNeverGetsReadyRollsBackAtTheProgressDeadline() {
    h.readyInferenceService(NS, "fraud-v1");
    h.create(Fixtures.isvc(NS, "fraud-v2", "ghcr.io/acme/fraud-v2:1"));
    h.create(Fixtures.canary(NS, "stuck", "fraud-v1", "fraud-v2", "1s", "3s", 50));

    Canary waiting = awaitPhase("stuck", CanaryPhase.Waiting);
    assertThat(waiting.getStatus().getCanaryWeight()).isZero();
    assertThat(waiting.getStatus().getStep()).isEqualTo(-1);
    assertThat(ready(waiting).getReason()).isEqualTo(Reason.Progressing.name());
    assertThat(ready(waiting).getMessage()).contains("canary fraud-v2 is not Ready");
    assertThat(weights("stuck")).isEqualTo(Map.of("fraud-v1", 100L, "fraud-v2", 0L));

    Canary rolledBack = awaitPhase("stuck", CanaryPhase.RolledBack);
    assertThat(ready(rolledBack).getReason()).isEqualTo(Reason.RolledBack.name());
    assertThat(ready(rolledBack).getMessage()).contains("not Ready within progressDeadline 3s")
        .contains("canary fraud-v2 is not Ready");
    assertThat(weights("stuck")).isEqualTo(Map.of("fraud-v1", 100L, "fraud-v2", 0L));
    assertThat(eventReasons("stuck")).contains("RolledBack");
  }

  @Test
  void failedChecksRollBackAtTheThresholdThenANewCanaryGenerationStartsOver() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    checker.result.set(CheckResult.Fail);
    h.create(Fixtures.withAnalysis(Fixtures.canary(NS, "gated", "fraud-v1", "fraud-v2", "1s", "60s", 20, 60), 2,
        Fixtures.metric(CanaryMetric.SUCCESS_RATE, 99.0, null)));

    Canary c = awaitPhase("gated", CanaryPhase.RolledBack);
    assertThat(checker.calls).hasValue(2);
    assertThat(c.getStatus().getFailedChecks()).isEqualTo(2);
    assertThat(c.getStatus().getCanaryWeight()).isZero();
    assertThat(c.getStatus().getChecks()).singleElement()
        .satisfies(k -> assertThat(k.getResult()).isEqualTo(CheckResult.Fail));
    assertThat(ready(c).getMessage()).contains("failed check 2/2").contains("success-rate 42");
    assertThat(weights("gated")).isEqualTo(Map.of("fraud-v1", 100L, "fraud-v2", 0L));
    assertThat(eventReasons("gated")).contains("CheckFailed", "RolledBack");

    // A fixed model: the canary InferenceService gets a new generation, and a new rollout starts by itself.
    checker.result.set(CheckResult.Pass);
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("fraud-v2")
        .edit(i -> {
          i.getSpec().getPredictor().setImage("ghcr.io/acme/fraud-v2:2");
          return i;
        });
    h.markAvailable(NS, "fraud-v2");
    c = awaitPhase("gated", CanaryPhase.Promoted);
    assertThat(c.getStatus().getFailedChecks()).isZero();
    assertThat(c.getStatus().getCanaryGeneration()).isEqualTo(2L);
    assertThat(weights("gated")).isEqualTo(Map.of("fraud-v1", 0L, "fraud-v2", 100L));
    assertThat(eventReasons("gated")).contains("RolloutStarted", "Promoted");
  }

  @Test
  void aSpecChangeAfterRollbackStartsOverAndTheSwapInGitIsPromotedAtOnce() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    checker.result.set(CheckResult.Error);
    h.create(Fixtures.withAnalysis(Fixtures.canary(NS, "again", "fraud-v1", "fraud-v2", "1s", "60s", 50), 1,
        Fixtures.metric(CanaryMetric.LATENCY_P99, null, 500.0)));
    awaitPhase("again", CanaryPhase.RolledBack);

    checker.result.set(CheckResult.Pass);
    h.cluster.client.resources(Canary.class).inNamespace(NS).withName("again").edit(c -> {
      c.getSpec().setSteps(List.of(30, 70));
      return c;
    });
    Canary promoted = awaitPhase("again", CanaryPhase.Promoted);
    assertThat(promoted.getStatus().getRolloutGeneration()).isEqualTo(promoted.getMetadata().getGeneration());
    assertThat(weights("again")).isEqualTo(Map.of("fraud-v1", 0L, "fraud-v2", 100L));

    // Promotion finished in Git: the canary becomes the stable (and the old stable the canary).
    h.cluster.client.resources(Canary.class).inNamespace(NS).withName("again").edit(c -> {
      c.getSpec().setStable("fraud-v2");
      c.getSpec().setCanary("fraud-v1");
      return c;
    });
    Canary swapped = awaitStatus("again", s -> s.getPhase() == CanaryPhase.Promoted
        && "fraud-v2".equals(s.getStable()));
    assertThat(swapped.getStatus().getCanaryWeight()).isZero();
    assertThat(weights("again")).isEqualTo(Map.of("fraud-v2", 100L, "fraud-v1", 0L));
    assertThat(Conditions.isReady(swapped.getStatus().getConditions())).isTrue();
    Service apex = h.get(Service.class, NS, "again").orElseThrow();
    assertThat(apex.getSpec().getSelector()).containsEntry("mlserving.io/inference-service", "fraud-v2");
  }

  @Test
  void aRestartedOperatorResumesTheRolloutWhereItWas() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.canary(NS, "resume", "fraud-v1", "fraud-v2", "3s", "60s", 10, 20, 30));
    Canary atStep1 = awaitStatus("resume", s -> s.getStep() != null && s.getStep() == 1);
    String stepStarted = atStep1.getStatus().getStepStartedAt();
    h.stop();

    h.start();
    // The new operator picks the step up from status: it neither starts over nor restarts the step's clock.
    Canary resumed = awaitStatus("resume", s -> s.getPhase() != null);
    assertThat(resumed.getStatus().getStep()).isGreaterThanOrEqualTo(1);
    if (resumed.getStatus().getStep() == 1) {
      assertThat(resumed.getStatus().getStepStartedAt()).isEqualTo(stepStarted);
    }
    assertThat(awaitPhase("resume", CanaryPhase.Promoted).getStatus().getCanaryWeight()).isEqualTo(100);
    assertThat(eventReasons("resume")).doesNotContain("RolloutStarted");
  }

  @Test
  void aCanaryClaimingAnABTestsHostIsInHostConflict() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "fraud-ab", "fraud", "fraud-v1", 90, "fraud-v2", 10));
    h.awaitStatus(io.mlserving.operator.api.v1alpha1.ABTest.class, NS, "fraud-ab",
        s -> Conditions.isReady(s.getConditions()));
    Canary c = Fixtures.canary(NS, "late", "fraud-v1", "fraud-v2", "1s", "30s", 50);
    c.getSpec().setHost("fraud");
    h.create(c);
    Canary conflicted = h.awaitReason(Canary.class, NS, "late", Reason.HostConflict.name());
    assertThat(ready(conflicted).getMessage()).contains("host fraud is already claimed by ABTest fraud-ab");
    assertThat(h.istio("v1", "VirtualService", NS, "late")).isEmpty();
  }

  private Canary awaitPhase(String name, CanaryPhase phase) {
    return awaitStatus(name, s -> s.getPhase() == phase);
  }

  private Canary awaitStatus(String name, java.util.function.Predicate<io.mlserving.operator.api.v1alpha1.CanaryStatus> p) {
    return await().atMost(DEADLINE).until(() -> h.get(Canary.class, NS, name).orElse(null),
        c -> c != null && c.getStatus() != null && p.test(c.getStatus()));
  }

  private void awaitCanaryWeight(String name, long weight) {
    await().atMost(DEADLINE).until(() -> weights(name).getOrDefault("fraud-v2", -1L) == weight);
  }

  /** The VirtualService's weight by destination InferenceService. */
  @SuppressWarnings("unchecked")
  private Map<String, Long> weights(String name) {
    GenericKubernetesResource vs = h.istio("v1", "VirtualService", NS, name).orElse(null);
    if (vs == null) {
      return Map.of();
    }
    List<Map<String, Object>> http = (List<Map<String, Object>>) ((Map<String, Object>) vs.getAdditionalProperties()
        .get("spec")).get("http");
    List<Map<String, Object>> route = (List<Map<String, Object>>) http.get(0).get("route");
    Map<String, Long> out = new java.util.HashMap<>();
    for (Map<String, Object> d : route) {
      String host = (String) ((Map<String, Object>) d.get("destination")).get("host");
      Object w = d.get("weight");
      out.put(host.substring(0, host.indexOf('.')), w == null ? 0L : ((Number) w).longValue());
    }
    return out;
  }

  private List<String> eventReasons(String name) {
    return h.cluster.client.resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .map(Event::getReason).toList();
  }

  private static io.fabric8.kubernetes.api.model.Condition ready(Canary c) {
    return Conditions.find(c.getStatus().getConditions(), Conditions.READY).orElseThrow();
  }
}
