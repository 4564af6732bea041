package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.desired.InferenceServiceResources;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.autoscaling on a server that serves HorizontalPodAutoscalers only as autoscaling/v2beta2: the HPA exists,
 * the real HPA controller (and a person with kubectl scale) own the Deployment's replicas and the operator does
 * not fight them, and removing autoscaling deletes the HPA and gives the replicas back to spec.replicas.
 */
class AutoscalingIT extends RealServerTest {
  @Test
  void theHpaOwnsTheReplicasAndGoesAwayWithAutoscaling() {
    String ns = namespace("hpa");
    kubectl.apply(Manifests.inferenceService(ns, "scaled", "ghcr.io/acme/scaled:1", """
        autoscaling: {minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 60}
        """));

    HorizontalPodAutoscaler hpa = await().atMost(DEADLINE).alias("HorizontalPodAutoscaler scaled (v2beta2)")
        .until(() -> admin.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(ns).withName("scaled").get(),
            h -> h != null);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("scaled");
    assertThat(hpa.getSpec().getMetrics()).singleElement()
        .satisfies(m -> assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(60));
    assertThat(kubectl.ok("get", "hpa", "scaled", "-n", ns)).contains("Deployment/scaled");

    // The HPA controller raises the Deployment to minReplicas through the scale subresource.
    AuditLog.Mark created = classStart;
    await().atMost(DEADLINE).alias("the HPA controller scaled Deployment scaled to 2").until(() ->
        replicas(ns, "scaled") == 2);
    assertThat(audit.by(RealControlPlane.CONTROLLER_MANAGER_USER, created)).as("the HPA controller's scale write")
        .anySatisfy(e -> {
          assertThat(e.fullResource()).isEqualTo("deployments/scale");
          assertThat(e.name()).isEqualTo("scaled");
          assertThat(e.isWrite()).isTrue();
        });
    awaitReady(InferenceService.class, ns, "scaled");
    await().atMost(DEADLINE).until(() -> get(InferenceService.class, ns, "scaled").getStatus().getReadyReplicas() == 2);

    // By hand, within [min, max]: neither the operator nor the HPA (no metrics here, so no recommendation) reverts it.
    AuditLog.Mark byHand = audit.mark();
    kubectl.ok("scale", "deployment", "scaled", "-n", ns, "--replicas=3");
    await().atMost(DEADLINE).until(() -> get(InferenceService.class, ns, "scaled").getStatus().getReadyReplicas() == 3);
    // A spec change makes the operator apply the Deployment again: the apply leaves replicas alone.
    kubectl.ok("patch", "inferenceservices.mlserving.io", "scaled", "-n", ns, "--type=merge", "-p",
        "{\"spec\":{\"predictor\":{\"image\":\"ghcr.io/acme/scaled:2\"}}}");
    await().atMost(DEADLINE).alias("the rollout of image :2 with 3 replicas").until(() -> {
      Deployment d = get(Deployment.class, ns, "scaled");
      return "ghcr.io/acme/scaled:2".equals(image(d)) && d.getStatus() != null
          && Integer.valueOf(3).equals(d.getStatus().getUpdatedReplicas())
          && Integer.valueOf(3).equals(d.getStatus().getAvailableReplicas());
    });
    assertThat(replicas(ns, "scaled")).isEqualTo(3);
    List<AuditLog.Entry> deploymentWrites = audit.writes(operator.user(), byHand).stream()
        .filter(e -> "deployments".equals(e.resource())).toList();
    assertThat(deploymentWrites).as("the operator's Deployment writes since the manual scale: only the image"
        + " change\n%s", AuditLog.describe(deploymentWrites)).hasSize(1);
    assertThat(deploymentWrites.get(0).verb()).isEqualTo("patch");
    assertThat(managedFieldsOwning(ns, "scaled", "f:replicas")).doesNotContain(
        io.mlserving.operator.reconcile.ChildApplier.FIELD_MANAGER);

    kubectl.ok("patch", "inferenceservices.mlserving.io", "scaled", "-n", ns, "--type=json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/spec/autoscaling\"}]");

    await().atMost(DEADLINE).alias("HorizontalPodAutoscaler scaled deleted once autoscaling is removed").until(() ->
        admin.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(ns).withName("scaled").get() == null);
    await().atMost(DEADLINE).alias("Deployment scaled back to spec.replicas (default 1)").until(() ->
        replicas(ns, "scaled") == 1);
    awaitReady(InferenceService.class, ns, "scaled");
  }

  private int replicas(String ns, String name) {
    Deployment d = get(Deployment.class, ns, name);
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  private static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> InferenceServiceResources.PREDICTOR.equals(c.getName())).findFirst().orElseThrow().getImage();
  }

  /** The field managers whose managedFields entry of the Deployment mentions {@code field} in its spec. */
  private List<String> managedFieldsOwning(String ns, String name, String field) {
    return get(Deployment.class, ns, name).getMetadata().getManagedFields().stream()
        .filter(m -> m.getFieldsV1() != null && m.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof
            java.util.Map<?, ?> spec && spec.containsKey(field))
        .map(m -> m.getManager()).toList();
  }
}
