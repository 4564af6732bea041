package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Deleting a resource of each kind with kubectl: the real garbage collector removes everything generated for
 * it (through the controller ownerReference), down to the ReplicaSets and pods, and nothing of its neighbours.
 */
class GarbageCollectionIT extends RealServerTest {
  /** The kinds the operator generates, as apiVersion and kind. */
  static final List<String[]> GENERATED = List.of(new String[] {"apps/v1", "Deployment"},
      new String[] {"v1", "Service"}, new String[] {"autoscaling/v2beta2", "HorizontalPodAutoscaler"},
      new String[] {"networking.istio.io/v1", "VirtualService"},
      new String[] {"networking.istio.io/v1", "DestinationRule"});

  @Test
  void deletingAnInferenceServiceRemovesItsDeploymentServiceAutoscalerReplicaSetsAndPods() {
    String ns = namespace("gc-isvc");
    kubectl.apply(Manifests.inferenceService(ns, "scaled", "ghcr.io/acme/scaled:1",
        "autoscaling: {minReplicas: 1, maxReplicas: 3}") + "---\n" + Manifests.inferenceService(ns, "neighbour"));
    awaitReady(InferenceService.class, ns, "scaled");
    awaitReady(InferenceService.class, ns, "neighbour");
    assertThat(generatedFor(ns, "InferenceService", "scaled")).extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("Deployment", "Service", "HorizontalPodAutoscaler");
    assertThat(podsOf(ns, "scaled")).isNotEmpty();

    kubectl.ok("delete", "inferenceservices.mlserving.io", "scaled", "-n", ns);

    awaitNoneGeneratedFor(ns, "InferenceService", "scaled");
    await().atMost(DEADLINE).alias("ReplicaSets and pods of scaled deleted").until(() ->
        podsOf(ns, "scaled").isEmpty() && admin.apps().replicaSets().inNamespace(ns)
            .withLabel(Labels.INFERENCE_SERVICE, "scaled").list().getItems().isEmpty());
    assertThat(generatedFor(ns, "InferenceService", "neighbour")).hasSize(2);
    assertThat(podsOf(ns, "neighbour")).isNotEmpty();
  }

  @Test
  void deletingAnAbTestRemovesItsApexServiceAndVirtualService() {
    String ns = namespace("gc-ab");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.inferenceService(ns, "m2") + "---\n"
        + Manifests.abTest(ns, "ab", "front", "m1", "m2"));
    awaitReady(ABTest.class, ns, "ab");
    assertThat(generatedFor(ns, "ABTest", "ab")).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrder("Service/front", "VirtualService/ab");

    kubectl.ok("delete", "abtests.mlserving.io", "ab", "-n", ns);

    awaitNoneGeneratedFor(ns, "ABTest", "ab");
    assertThat(generatedFor(ns, "InferenceService", "m1")).hasSize(2);
  }

  @Test
  void deletingAShadowTestRemovesItsApexServiceAndVirtualService() {
    String ns = namespace("gc-shadow");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.inferenceService(ns, "m2") + "---\n"
        + Manifests.shadowTest(ns, "st", "mirror", "m1", "m2"));
    awaitReady(ShadowTest.class, ns, "st");
    assertThat(generatedFor(ns, "ShadowTest", "st")).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrder("Service/mirror", "VirtualService/st");

    kubectl.ok("delete", "shadowtests.mlserving.io", "st", "-n", ns);

    awaitNoneGeneratedFor(ns, "ShadowTest", "st");
    assertThat(generatedFor(ns, "InferenceService", "m2")).hasSize(2);
  }

  @Test
  void deletingACircuitBreakerRemovesItsDestinationRule() {
    String ns = namespace("gc-cb");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.circuitBreaker(ns, "cb", "m1"));
    awaitReady(CircuitBreaker.class, ns, "cb");
    assertThat(generatedFor(ns, "CircuitBreaker", "cb")).extracting(HasMetadata::getKind)
        .containsExactly("DestinationRule");

    kubectl.ok("delete", "circuitbreakers.mlserving.io", "cb", "-n", ns);

    awaitNoneGeneratedFor(ns, "CircuitBreaker", "cb");
    assertThat(generatedFor(ns, "InferenceService", "m1")).hasSize(2);
  }

  private void awaitNoneGeneratedFor(String ns, String kind, String name) {
    await().atMost(DEADLINE).alias("everything generated for " + kind + " " + name + " garbage-collected")
        .untilAsserted(() -> assertThat(generatedFor(ns, kind, name)).isEmpty());
  }

  /** Every object in {@code ns} whose owner labels name {@code kind}/{@code name}. */
  List<GenericKubernetesResource> generatedFor(String ns, String kind, String name) {
    List<GenericKubernetesResource> found = new ArrayList<>();
    for (String[] type : GENERATED) {
      admin.genericKubernetesResources(type[0], type[1]).inNamespace(ns)
          .withLabel(Labels.OWNER_KIND, kind).withLabel(Labels.OWNER_NAME, name).list().getItems()
          .forEach(found::add);
    }
    return found;
  }

  List<String> podsOf(String ns, String isvc) {
    return admin.pods().inNamespace(ns).withLabel(Labels.INFERENCE_SERVICE, isvc).list().getItems().stream()
        .flatMap(p -> Stream.of(p.getMetadata().getName())).toList();
  }
}
