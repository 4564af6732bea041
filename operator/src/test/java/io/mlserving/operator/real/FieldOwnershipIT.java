package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.reconcile.ChildApplier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply field ownership on the real server (the mock only emulates it): what another manager adds
 * to a generated object survives the operator's next apply; what the operator owns and another manager
 * changed is restored.
 */
class FieldOwnershipIT extends RealServerTest {
  @Test
  void aLabelAddedWithKubectlSurvivesTheNextReconcile() {
    String ns = namespace("own-label");
    kubectl.apply(Manifests.inferenceService(ns, "fraud"));
    awaitReady(InferenceService.class, ns, "fraud");

    kubectl.ok("label", "deployment", "fraud", "-n", ns, "team=payments");
    kubectl.ok("patch", "inferenceservices.mlserving.io", "fraud", "-n", ns, "--type=merge", "-p",
        "{\"spec\":{\"predictor\":{\"image\":\"ghcr.io/acme/fraud:2\"}}}");

    Deployment d = await().atMost(DEADLINE).alias("Deployment fraud applied with image :2")
        .until(() -> get(Deployment.class, ns, "fraud"), x -> "ghcr.io/acme/fraud:2".equals(image(x)));
    assertThat(d.getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(managers(d)).contains(ChildApplier.FIELD_MANAGER);
    awaitReady(InferenceService.class, ns, "fraud");
    assertThat(get(Deployment.class, ns, "fraud").getMetadata().getLabels()).containsEntry("team", "payments");
  }

  @Test
  void aFieldTheOperatorOwnsChangedByAnotherManagerIsRestored() {
    String ns = namespace("own-field");
    kubectl.apply(Manifests.inferenceService(ns, "fraud"));
    awaitReady(InferenceService.class, ns, "fraud");

    kubectl.ok("set", "image", "deployment/fraud", "-n", ns, InferenceServiceResources.PREDICTOR + "=evil/miner:1");

    Deployment restored = await().atMost(DEADLINE).alias("the predictor image of Deployment fraud restored")
        .until(() -> get(Deployment.class, ns, "fraud"), x -> "ghcr.io/acme/fraud:1".equals(image(x)));
    assertThat(managers(restored)).contains(ChildApplier.FIELD_MANAGER);
    awaitReady(InferenceService.class, ns, "fraud");

    // The Service too: a port changed with a JSON patch comes back.
    kubectl.ok("patch", "service", "fraud", "-n", ns, "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":8081}]");
    await().atMost(DEADLINE).alias("Service fraud back to the one port 80").untilAsserted(() ->
        assertThat(get(Service.class, ns, "fraud").getSpec().getPorts())
            .as("ports of Service fraud; InferenceService fraud says %s",
                ready(get(InferenceService.class, ns, "fraud")).map(c -> c.getReason() + ": " + c.getMessage()))
            .singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(80)));
  }

  private static String image(Deployment d) {
    return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> InferenceServiceResources.PREDICTOR.equals(c.getName())).findFirst().orElseThrow().getImage();
  }

  private static List<String> managers(Deployment d) {
    return d.getMetadata().getManagedFields().stream().map(ManagedFieldsEntry::getManager).toList();
  }
}
