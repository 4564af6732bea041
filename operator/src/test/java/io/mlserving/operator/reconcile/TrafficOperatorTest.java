package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ABTest, ShadowTest and CircuitBreaker: the real operator against the mock API server serving Istio v1. */
class TrafficOperatorTest {
  private static final String NS = "models";
  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness(MockCluster.start().withIstio("v1", "v1beta1"), OperatorSettings.defaults());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void referenceLifecycleMissingThenAppearsThenReadyThenDeleted() {
    h.readyInferenceService(NS, "fraud-v1");
    h.create(Fixtures.abTest(NS, "fraud-ab", "fraud", "fraud-v1", 90, "fraud-v2", 10));

    ABTest ab = h.awaitReason(ABTest.class, NS, "fraud-ab", Reason.InferenceServiceNotFound.name());
    assertThat(ready(ab).getMessage()).contains("spec.variants[1].inferenceService")
        .contains("InferenceService fraud-v2 not found in namespace models");
    assertThat(h.istio("v1", "VirtualService", NS, "fraud-ab")).isEmpty();
    assertThat(h.get(Service.class, NS, "fraud")).isEmpty();

    h.create(Fixtures.isvc(NS, "fraud-v2", "ghcr.io/acme/fraud:2"));
    ab = h.awaitReason(ABTest.class, NS, "fraud-ab", Reason.Progressing.name());
    assertThat(ready(ab).getMessage()).contains("InferenceService fraud-v2 is not Ready");
    GenericKubernetesResource vs = h.istio("v1", "VirtualService", NS, "fraud-ab").orElseThrow();
    assertThat(vs.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getController()).isTrue());
    Service apex = h.get(Service.class, NS, "fraud").orElseThrow();
    assertThat(apex.getSpec().getSelector()).containsEntry("mlserving.io/inference-service", "fraud-v1");

    h.markAvailable(NS, "fraud-v2");
    ab = h.awaitStatus(ABTest.class, NS, "fraud-ab", s -> Conditions.isReady(s.getConditions()));
    assertThat(ab.getStatus().getWeights()).containsExactly(Map.entry("a", 90), Map.entry("b", 10));
    assertThat(ab.getStatus().getWeightSummary()).isEqualTo("a=90,b=10");
    assertThat(ab.getStatus().getUrl()).isEqualTo("http://fraud.models.svc.cluster.local");
    assertThat(ab.getStatus().getObservedGeneration()).isEqualTo(ab.getMetadata().getGeneration());

    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("fraud-v2").delete();
    ab = h.awaitReason(ABTest.class, NS, "fraud-ab", Reason.InferenceServiceNotFound.name());
    assertThat(ready(ab).getMessage()).contains("fraud-v2");
  }

  @Test
  void weightChangeUpdatesTheVirtualServiceAndStatus() {
    h.readyInferenceService(NS, "m1");
    h.readyInferenceService(NS, "m2");
    h.create(Fixtures.abTest(NS, "ab", null, "m1", 50, "m2", 50));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));

    // edit() patches without a resourceVersion: no race with the operator's status writes.
    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("ab").edit(ab -> {
      ab.getSpec().getVariants().get(0).setWeight(80);
      ab.getSpec().getVariants().get(1).setWeight(20);
      return ab;
    });

    h.awaitStatus(ABTest.class, NS, "ab", s -> "a=80,b=20".equals(s.getWeightSummary()));
    await().atMost(OperatorHarness.DEADLINE).until(() -> weights(h.istio("v1", "VirtualService", NS, "ab")
        .orElseThrow()).equals(List.of(80, 20)));
  }

  @Test
  void laterShadowTestOnTheSameHostConflictsAndTakesOverWhenTheEarlierIsDeleted() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "a-first", "fraud", "fraud-v1", 50, "fraud-v2", 50));
    h.awaitStatus(ABTest.class, NS, "a-first", s -> Conditions.isReady(s.getConditions()));
    h.create(Fixtures.shadowTest(NS, "b-second", "fraud", "fraud-v1", "fraud-v2"));

    ShadowTest st = h.awaitReason(ShadowTest.class, NS, "b-second", Reason.HostConflict.name());
    assertThat(ready(st).getMessage()).contains("host fraud is already claimed by ABTest a-first");
    assertThat(h.istio("v1", "VirtualService", NS, "b-second")).isEmpty();
    assertThat(Conditions.isReady(h.get(ABTest.class, NS, "a-first").orElseThrow().getStatus().getConditions()))
        .isTrue();

    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("a-first").delete();
    h.awaitStatus(ShadowTest.class, NS, "b-second", s -> Conditions.isReady(s.getConditions()));
    GenericKubernetesResource vs = h.istio("v1", "VirtualService", NS, "b-second").orElseThrow();
    assertThat(vs.toString()).contains("mirror");
    Service apex = h.get(Service.class, NS, "fraud").orElseThrow();
    assertThat(apex.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getName()).isEqualTo("b-second"));
  }

  @Test
  void hostChangeDeletesTheOldApexServiceAndAFreedHostIsTakenOver() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "ab", "fraud", "fraud-v1", 50, "fraud-v2", 50));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));
    h.create(Fixtures.shadowTest(NS, "st", "fraud", "fraud-v1", "fraud-v2"));
    h.awaitReason(ShadowTest.class, NS, "st", Reason.HostConflict.name());

    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("ab").edit(ab -> {
      ab.getSpec().setHost("fraud-next");
      return ab;
    });

    h.awaitStatus(ABTest.class, NS, "ab", s -> "fraud-next".equals(s.getHost()) && Conditions.isReady(s.getConditions()));
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.get(Service.class, NS, "fraud-next").isPresent());
    assertThat(h.istio("v1", "VirtualService", NS, "ab").orElseThrow().toString()).contains("fraud-next");
    // The freed host goes to the ShadowTest, whose apex Service now owns it.
    h.awaitStatus(ShadowTest.class, NS, "st", s -> Conditions.isReady(s.getConditions()));
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.get(Service.class, NS, "fraud")
        .map(svc -> svc.getMetadata().getOwnerReferences().get(0).getName()).orElse("").equals("st"));
    assertThat(h.cluster.client.services().inNamespace(NS).list().getItems())
        .extracting(svc -> svc.getMetadata().getName()).contains("fraud", "fraud-next");
  }

  @Test
  void hostChangeOfAShadowTestToATakenHostDeletesWhatItHadGenerated() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "ab", "fraud", "fraud-v1", 50, "fraud-v2", 50));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));
    h.create(Fixtures.shadowTest(NS, "st", "mirror", "fraud-v1", "fraud-v2"));
    h.awaitStatus(ShadowTest.class, NS, "st", s -> Conditions.isReady(s.getConditions()));
    assertThat(h.get(Service.class, NS, "mirror")).isPresent();

    h.cluster.client.resources(ShadowTest.class).inNamespace(NS).withName("st").edit(st -> {
      st.getSpec().setHost("fraud");
      return st;
    });

    h.awaitReason(ShadowTest.class, NS, "st", Reason.HostConflict.name());
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.get(Service.class, NS, "mirror").isEmpty()
        && h.istio("v1", "VirtualService", NS, "st").isEmpty());
    assertThat(h.get(Service.class, NS, "fraud").orElseThrow().getMetadata().getOwnerReferences())
        .singleElement().satisfies(ref -> assertThat(ref.getName()).isEqualTo("ab"));
  }

  @Test
  void hostEqualToAnInferenceServiceNameConflicts() {
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
    h.create(Fixtures.abTest(NS, "ab", "fraud-v1", "fraud-v1", 50, "fraud-v2", 50));
    ABTest ab = h.awaitReason(ABTest.class, NS, "ab", Reason.HostConflict.name());
    assertThat(ready(ab).getMessage()).contains("spec.host").contains("InferenceService fraud-v1");
    assertThat(h.istio("v1", "VirtualService", NS, "ab")).isEmpty();
  }

  @Test
  void secondCircuitBreakerOnOneTargetConflictsThenTakesOver() {
    h.readyInferenceService(NS, "fraud-v1");
    h.create(Fixtures.circuitBreaker(NS, "cb-a", "fraud-v1"));
    CircuitBreaker first = h.awaitStatus(CircuitBreaker.class, NS, "cb-a", s -> Conditions.isReady(s.getConditions()));
    assertThat(first.getStatus().getHost()).isEqualTo("fraud-v1.models.svc.cluster.local");
    GenericKubernetesResource dr = h.istio("v1", "DestinationRule", NS, "cb-a").orElseThrow();
    assertThat(dr.toString()).contains("maxEjectionPercent=50");

    h.create(Fixtures.circuitBreaker(NS, "cb-b", "fraud-v1"));
    CircuitBreaker second = h.awaitReason(CircuitBreaker.class, NS, "cb-b", Reason.HostConflict.name());
    assertThat(ready(second).getMessage()).contains("already protected by CircuitBreaker cb-a");
    assertThat(h.istio("v1", "DestinationRule", NS, "cb-b")).isEmpty();

    h.cluster.client.resources(CircuitBreaker.class).inNamespace(NS).withName("cb-a").delete();
    h.awaitStatus(CircuitBreaker.class, NS, "cb-b", s -> Conditions.isReady(s.getConditions()));
    assertThat(h.istio("v1", "DestinationRule", NS, "cb-b")).isPresent();
  }

  @Test
  void handEditedOrDeletedIstioObjectsAndApexServiceAreRestored() {
    h.readyInferenceService(NS, "m1");
    h.readyInferenceService(NS, "m2");
    h.create(Fixtures.abTest(NS, "ab", "scoring", "m1", 70, "m2", 30));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));

    GenericKubernetesResource vs = h.istio("v1", "VirtualService", NS, "ab").orElseThrow();
    setWeights(vs, 0, 100);
    h.cluster.client.resource(vs).update();
    await().atMost(OperatorHarness.DEADLINE).until(() -> weights(h.istio("v1", "VirtualService", NS, "ab")
        .orElseThrow()).equals(List.of(70, 30)));

    h.cluster.client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace(NS)
        .withName("ab").delete();
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.istio("v1", "VirtualService", NS, "ab").isPresent());

    h.cluster.client.services().inNamespace(NS).withName("scoring").delete();
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.get(Service.class, NS, "scoring").isPresent());
  }

  @Test
  void forcedResyncOfConvergedTrafficResourcesSendsNoWrite() {
    h.readyInferenceService(NS, "m1");
    h.readyInferenceService(NS, "m2");
    h.create(Fixtures.abTest(NS, "ab", "scoring", "m1", 70, "m2", 30));
    h.create(Fixtures.shadowTest(NS, "st", "shadowed", "m1", "m2"));
    h.create(Fixtures.circuitBreaker(NS, "cb", "m1"));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));
    h.awaitStatus(ShadowTest.class, NS, "st", s -> Conditions.isReady(s.getConditions()));
    h.awaitStatus(CircuitBreaker.class, NS, "cb", s -> Conditions.isReady(s.getConditions()));

    h.stop();
    h.cluster.dispatcher.clearRequests();
    h.start();
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.metrics.distinct() == 5);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> h.cluster.dispatcher.writes().isEmpty());
    assertThat(h.metrics.failures()).isZero();
  }

  private static Condition ready(io.fabric8.kubernetes.client.CustomResource<?, ? extends
      io.mlserving.operator.api.v1alpha1.MlServingStatus> r) {
    return Conditions.find(r.getStatus().getConditions(), Conditions.READY).orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static List<Integer> weights(GenericKubernetesResource vs) {
    Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
    List<Map<String, Object>> http = (List<Map<String, Object>>) spec.get("http");
    Map<String, Object> weighted = http.stream().filter(r -> "weighted".equals(r.get("name"))).findFirst().orElseThrow();
    return ((List<Map<String, Object>>) weighted.get("route")).stream()
        .map(d -> ((Number) d.get("weight")).intValue()).toList();
  }

  @SuppressWarnings("unchecked")
  private static void setWeights(GenericKubernetesResource vs, int... weights) {
    Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
    List<Map<String, Object>> http = (List<Map<String, Object>>) spec.get("http");
    Map<String, Object> weighted = http.stream().filter(r -> "weighted".equals(r.get("name"))).findFirst().orElseThrow();
    List<Map<String, Object>> route = (List<Map<String, Object>>) weighted.get("route");
    for (int i = 0; i < weights.length; i++) {
      route.get(i).put("weight", weights[i]);
    }
  }
}
