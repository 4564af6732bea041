package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.RecordingDispatcher.Fault;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults in the life of the custom resources and what they generate: an operator restarted mid-reconcile, a
 * resource deleted during its reconcile, generated objects edited or deleted by hand, references that are
 * missing, late or deleted, two claims on one host, and a resource that bypassed admission. Each converges
 * within 3 reconciles, with nothing lost, duplicated or orphaned, and the right condition while it lasts.
 */
class LifecycleFaultsTest {
  private static final Duration QUIET = Duration.ofMillis(700);
  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = Faults.operator();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void operatorStoppedWhileCreatesAreInFlightThenRestartedConverges() {
    // One of the 20 has its Deployment write answered only after the request timeout: the operator is stopped
    // while that write is pending, and while the others are being created.
    Fault pending = h.cluster.dispatcher.slowNext(Faults.apply("deployments", "m07"), Faults.LATE_MS, 1);
    Map<String, HasMetadata> expected = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      h.create(Fixtures.isvc(NS, String.format("m%02d", i), "ghcr.io/acme/m:" + i));
    }
    await().atMost(OperatorHarness.DEADLINE).until(() -> pending.hits() == 1);
    h.stop();
    int firstRun = h.metrics.distinct();

    h.start();
    for (int i = 0; i < 20; i++) {
      String name = String.format("m%02d", i);
      InferenceService isvc = h.awaitStatus(InferenceService.class, NS, name,
          s -> h.get(Deployment.class, NS, name).isPresent() && isvcConverged(name));
      expected.putAll(Faults.children(isvc, "Deployment/" + name, "Service/" + name));
    }
    Faults.awaitQuiet(h, QUIET);

    assertThat(firstRun).as("resources the first operator got to").isPositive();
    for (int i = 0; i < 20; i++) {
      assertThat(isvcConverged(String.format("m%02d", i))).isTrue();
      assertThat(h.metrics.of("InferenceService", NS, String.format("m%02d", i))).isBetween(1, 3);
    }
    assertThat(h.metrics.failures()).isZero();
    Faults.assertGeneratedExactly(h, expected);
  }

  @Test
  void resourceDeletedDuringItsReconcileLeavesNothingBehindOnceCollected() {
    // The Deployment write of "doomed" is held back 600 ms (under the request timeout): the resource is deleted
    // while its reconcile waits for that answer, and the reconcile then goes on with a resource that is gone.
    Fault held = h.cluster.dispatcher.slowNext(Faults.apply("deployments", "doomed"), 600, 1);
    InferenceService doomed = h.create(autoscaled(Fixtures.isvcWithModel(NS, "doomed", "gs://bucket/doomed")));
    await().atMost(OperatorHarness.DEADLINE).until(() -> held.hits() == 1);
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("doomed").delete();
    h.metrics.reset();

    Faults.awaitQuiet(h, QUIET);
    assertThat(h.get(InferenceService.class, NS, "doomed")).as("not brought back by a status write").isEmpty();
    assertThat(h.metrics.of("InferenceService", NS, "doomed")).isLessThanOrEqualTo(3);
    // Whatever the last reconcile wrote points at the deleted uid, so the garbage collector removes it.
    Faults.generated(h.cluster.client, NS).forEach((key, o) -> assertThat(o.getMetadata().getOwnerReferences())
        .as(key).singleElement().satisfies(ref -> {
          assertThat(ref.getUid()).isEqualTo(doomed.getMetadata().getUid());
          assertThat(ref.getController()).isTrue();
        }));
    Faults.collectGarbage(h.cluster.client, NS);
    Faults.assertQuiet(h, QUIET);
    assertThat(Faults.generated(h.cluster.client, NS)).isEmpty();
  }

  @Test
  void generatedObjectsEditedByHandAreRestoredAndTheHpaKeepsItsReplicas() {
    InferenceService isvc = readyAutoscaled("iris");

    // Each edit is a fault of its own, with its own budget of 3 reconciles.
    handEdit(() -> {
      Deployment d = h.get(Deployment.class, NS, "iris").orElseThrow();
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:latest");
      d.getSpec().getTemplate().getSpec().setSecurityContext(null);
      d.getMetadata().getLabels().remove(Labels.OWNER_NAME);
      d.getSpec().setReplicas(4); // the HorizontalPodAutoscaler's field: not the operator's to restore
      h.cluster.client.resource(d).update();
    }, () -> {
      Deployment restored = h.get(Deployment.class, NS, "iris").orElseThrow();
      assertThat(restored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/acme/iris:1");
      assertThat(restored.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(restored.getMetadata().getLabels()).containsEntry(Labels.OWNER_NAME, "iris");
    });
    assertThat(h.get(Deployment.class, NS, "iris").orElseThrow().getSpec().getReplicas()).isEqualTo(4);
    handEdit(() -> {
      Service s = h.get(Service.class, NS, "iris").orElseThrow();
      s.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9999));
      s.getMetadata().setOwnerReferences(List.of());
      h.cluster.client.resource(s).update();
    }, () -> assertThat(h.get(Service.class, NS, "iris").orElseThrow().getSpec().getPorts().get(0).getTargetPort())
        .isEqualTo(new IntOrString("http")));
    handEdit(() -> {
      HorizontalPodAutoscaler hpa = h.get(HorizontalPodAutoscaler.class, NS, "iris").orElseThrow();
      hpa.getSpec().setMaxReplicas(99);
      h.cluster.client.resource(hpa).update();
    }, () -> assertThat(h.get(HorizontalPodAutoscaler.class, NS, "iris").orElseThrow().getSpec().getMaxReplicas())
        .isEqualTo(5));

    Faults.assertGeneratedExactly(h, Faults.children(isvc, "Deployment/iris", "Service/iris",
        "HorizontalPodAutoscaler/iris"));
  }

  @Test
  void generatedObjectsDeletedAreRecreatedOnce() {
    InferenceService isvc = readyAutoscaled("iris");

    handEdit(() -> h.cluster.client.apps().deployments().inNamespace(NS).withName("iris").delete(),
        () -> assertThat(h.get(Deployment.class, NS, "iris")).isPresent());
    handEdit(() -> h.cluster.client.services().inNamespace(NS).withName("iris").delete(),
        () -> assertThat(h.get(Service.class, NS, "iris")).isPresent());
    handEdit(() -> h.cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("iris")
        .delete(), () -> assertThat(h.get(HorizontalPodAutoscaler.class, NS, "iris")).isPresent());

    Faults.assertGeneratedExactly(h, Faults.children(isvc, "Deployment/iris", "Service/iris",
        "HorizontalPodAutoscaler/iris"));
    // A new Deployment has no status yet: the InferenceService says so rather than staying Ready.
    assertThat(Faults.readyReason(h.get(InferenceService.class, NS, "iris").orElseThrow()))
        .isEqualTo(Reason.Progressing.name());
  }

  /** Makes the change by hand, then waits until {@code restored} holds and the operator is quiet: 1 to 3 reconciles. */
  private void handEdit(Runnable change, Runnable restored) {
    h.metrics.reset();
    change.run();
    await().atMost(OperatorHarness.DEADLINE).untilAsserted(restored::run);
    Faults.awaitQuiet(h, Duration.ofMillis(500));
    restored.run();
    assertThat(h.metrics.of("InferenceService", NS, "iris")).isBetween(1, 3);
  }

  @Test
  void referencedInferenceServiceMissingThenLateThenDeleted() {
    InferenceService v1 = h.readyInferenceService(NS, "fraud-v1");
    ABTest ab = h.create(Fixtures.abTest(NS, "fraud-ab", "fraud", "fraud-v1", 90, "fraud-v2", 10));

    // Missing: says which reference, generates nothing, and does not loop.
    ABTest waiting = h.awaitReason(ABTest.class, NS, "fraud-ab", Reason.InferenceServiceNotFound.name());
    assertThat(Conditions.find(waiting.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("spec.variants[1].inferenceService").contains("fraud-v2");
    Faults.awaitQuiet(h, QUIET);
    assertThat(h.metrics.of("ABTest", NS, "fraud-ab")).isLessThanOrEqualTo(3);
    Faults.assertGeneratedExactly(h, Faults.children(v1, "Deployment/fraud-v1", "Service/fraud-v1"));

    // Appears late: from the moment it is Ready, the ABTest is Ready within 3 reconciles.
    InferenceService v2 = h.readyInferenceService(NS, "fraud-v2");
    h.metrics.reset();
    h.awaitStatus(ABTest.class, NS, "fraud-ab", s -> Conditions.isReady(s.getConditions()));
    Faults.awaitQuiet(h, QUIET);
    assertThat(h.metrics.of("ABTest", NS, "fraud-ab")).isBetween(0, 3);
    Map<String, HasMetadata> expected = new LinkedHashMap<>();
    expected.putAll(Faults.children(v1, "Deployment/fraud-v1", "Service/fraud-v1"));
    expected.putAll(Faults.children(v2, "Deployment/fraud-v2", "Service/fraud-v2"));
    expected.putAll(Faults.children(ab, "VirtualService/fraud-ab", "Service/fraud"));
    Faults.assertGeneratedExactly(h, expected);

    // Deleted: NotFound again within 3 reconciles; what the ABTest generated stays, once, with its owner.
    h.metrics.reset();
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("fraud-v2").delete();
    Faults.collectGarbage(h.cluster.client, NS);
    h.awaitReason(ABTest.class, NS, "fraud-ab", Reason.InferenceServiceNotFound.name());
    Faults.awaitQuiet(h, QUIET);
    assertThat(h.metrics.of("ABTest", NS, "fraud-ab")).isBetween(1, 3);
    expected.remove("Deployment/fraud-v2");
    expected.remove("Service/fraud-v2");
    Faults.assertGeneratedExactly(h, expected);
  }

  @Test
  void circuitBreakerOnAMissingTargetRecoversWhenItAppears() {
    CircuitBreaker cb = h.create(Fixtures.circuitBreaker(NS, "cb", "late"));
    h.awaitReason(CircuitBreaker.class, NS, "cb", Reason.InferenceServiceNotFound.name());
    assertThat(h.istio("v1", "DestinationRule", NS, "cb")).isEmpty();

    InferenceService late = h.readyInferenceService(NS, "late");
    h.metrics.reset();
    h.awaitStatus(CircuitBreaker.class, NS, "cb", s -> Conditions.isReady(s.getConditions()));
    Faults.awaitQuiet(h, QUIET);
    assertThat(h.metrics.of("CircuitBreaker", NS, "cb")).isBetween(0, 3);
    Map<String, HasMetadata> expected = new LinkedHashMap<>(Faults.children(late, "Deployment/late", "Service/late"));
    expected.putAll(Faults.children(cb, "DestinationRule/cb"));
    Faults.assertGeneratedExactly(h, expected);
  }

  @Test
  void twoClaimsOnOneHostThenTheFirstDeletedHandsOverCleanly() {
    InferenceService v1 = h.readyInferenceService(NS, "fraud-v1");
    InferenceService v2 = h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "a-first", "fraud", "fraud-v1", 50, "fraud-v2", 50));
    h.awaitStatus(ABTest.class, NS, "a-first", s -> Conditions.isReady(s.getConditions()));
    ShadowTest second = h.create(Fixtures.shadowTest(NS, "b-second", "fraud", "fraud-v1", "fraud-v2"));

    ShadowTest conflicting = h.awaitReason(ShadowTest.class, NS, "b-second", Reason.HostConflict.name());
    assertThat(Conditions.find(conflicting.getStatus().getConditions(), Conditions.READY).orElseThrow()
        .getMessage()).contains("host fraud is already claimed by ABTest a-first");
    Faults.awaitQuiet(h, QUIET);
    Map<String, HasMetadata> expected = new LinkedHashMap<>();
    expected.putAll(Faults.children(v1, "Deployment/fraud-v1", "Service/fraud-v1"));
    expected.putAll(Faults.children(v2, "Deployment/fraud-v2", "Service/fraud-v2"));
    Map<String, HasMetadata> withFirst = new HashMap<>(expected);
    withFirst.putAll(Faults.children(h.get(ABTest.class, NS, "a-first").orElseThrow(),
        "VirtualService/a-first", "Service/fraud"));
    Faults.assertGeneratedExactly(h, withFirst);
    assertThat(Conditions.isReady(h.get(ABTest.class, NS, "a-first").orElseThrow().getStatus().getConditions()))
        .as("the earlier claim is untouched").isTrue();

    h.metrics.reset();
    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("a-first").delete();
    Faults.collectGarbage(h.cluster.client, NS);
    h.awaitStatus(ShadowTest.class, NS, "b-second", s -> Conditions.isReady(s.getConditions()));
    await().atMost(OperatorHarness.DEADLINE).untilAsserted(() -> {
      Faults.collectGarbage(h.cluster.client, NS); // the collector runs in the background on a cluster
      assertThat(Faults.generated(h.cluster.client, NS)).containsKeys("VirtualService/b-second", "Service/fraud")
          .doesNotContainKey("VirtualService/a-first");
    });
    Faults.awaitQuiet(h, QUIET);
    assertThat(h.metrics.of("ShadowTest", NS, "b-second")).isBetween(1, 3);
    expected.putAll(Faults.children(second, "VirtualService/b-second", "Service/fraud"));
    Faults.assertGeneratedExactly(h, expected);
  }

  @Test
  void invalidResourcesThatBypassedAdmissionAreReportedOnceThenQuiet() {
    InferenceService bad = Fixtures.isvcWithModel(NS, "bad", "ftp://models/fraud");
    bad.getSpec().setReplicas(-1);
    h.create(bad);
    h.create(Fixtures.abTest(NS, "bad-ab", "scoring", "m1", 90, "m2", 60));

    InferenceService isvc = h.awaitReason(InferenceService.class, NS, "bad", Reason.InvalidSpec.name());
    assertThat(Conditions.find(isvc.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("spec.model.storageUri").contains("spec.replicas");
    ABTest ab = h.awaitReason(ABTest.class, NS, "bad-ab", Reason.InvalidSpec.name());
    assertThat(Conditions.find(ab.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("spec.variants").contains("sum to 100");
    Faults.awaitQuiet(h, Duration.ofSeconds(1));
    Faults.assertQuiet(h, Duration.ofSeconds(1)); // past JOSDK's first retry interval: nothing is retried
    assertThat(h.metrics.of("InferenceService", NS, "bad")).isBetween(1, 3);
    assertThat(h.metrics.of("ABTest", NS, "bad-ab")).isBetween(1, 3);
    assertThat(h.metrics.failures()).isZero();
    assertThat(Faults.generated(h.cluster.client, NS)).isEmpty();
  }

  // ---- helpers

  private boolean isvcConverged(String name) {
    InferenceService isvc = h.get(InferenceService.class, NS, name).orElse(null);
    return isvc != null && isvc.getStatus() != null
        && isvc.getMetadata().getGeneration().equals(isvc.getStatus().getObservedGeneration())
        && List.of(Reason.Progressing.name(), Reason.Ready.name()).contains(Faults.readyReason(isvc))
        && h.get(Deployment.class, NS, name).isPresent() && h.get(Service.class, NS, name).isPresent();
  }

  private InferenceService readyAutoscaled(String name) {
    h.create(autoscaled(Fixtures.isvc(NS, name, "ghcr.io/acme/" + name + ":1")));
    h.markAvailable(NS, name);
    InferenceService isvc = h.awaitStatus(InferenceService.class, NS, name,
        s -> Conditions.isReady(s.getConditions()));
    Faults.awaitQuiet(h, Duration.ofMillis(300));
    return isvc;
  }

  private static InferenceService autoscaled(InferenceService isvc) {
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMinReplicas(2);
    as.setMaxReplicas(5);
    isvc.getSpec().setAutoscaling(as);
    return isvc;
  }
}
