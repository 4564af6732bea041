package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

class MatcherTest {
  private static Deployment desired() {
    InferenceService isvc = Fixtures.isvcWithModel("ns", "iris", "s3://models/m");
    isvc.getMetadata().setUid("uid-1");
    isvc.getSpec().getPredictor().setResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("0.5")).addToRequests("memory", new Quantity("1Gi")).build());
    return InferenceServiceResources.deployment(isvc, LoaderImages.defaults());
  }

  @Test
  void identicalObjectsMatch() {
    assertThat(Matcher.matches(desired(), desired())).isTrue();
  }

  @Test
  void serverDefaultsAndForeignFieldsDoNotCount() {
    Deployment actual = new DeploymentBuilder(desired())
        .editMetadata().withResourceVersion("7").withGeneration(3L).addToLabels("team", "fraud")
          .addToAnnotations("deployment.kubernetes.io/revision", "2").endMetadata()
        .editSpec().withProgressDeadlineSeconds(600).withRevisionHistoryLimit(10)
          .editTemplate().editSpec().withRestartPolicy("Always").withDnsPolicy("ClusterFirst")
            .editFirstContainer().withImagePullPolicy("IfNotPresent").withTerminationMessagePath("/dev/termination-log")
            .endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withReplicas(1).endStatus()
        .build();
    assertThat(Matcher.matches(desired(), actual)).isTrue();
  }

  @Test
  void quantitiesCompareByAmount() {
    Deployment actual = desired();
    actual.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests()
        .put("cpu", new Quantity("500m"));
    assertThat(Matcher.matches(desired(), actual)).isTrue();
    actual.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests()
        .put("cpu", new Quantity("600m"));
    assertThat(Matcher.matches(desired(), actual)).isFalse();
  }

  @Test
  void aChangedOrMissingFieldDoesNotMatch() {
    Deployment image = desired();
    image.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("other");
    assertThat(Matcher.matches(desired(), image)).isFalse();

    Deployment label = desired();
    label.getMetadata().getLabels().remove("mlserving.io/owner-name");
    assertThat(Matcher.matches(desired(), label)).isFalse();

    Deployment owner = desired();
    owner.getMetadata().setOwnerReferences(null);
    assertThat(Matcher.matches(desired(), owner)).isFalse();

    Deployment extraContainer = desired();
    extraContainer.getSpec().getTemplate().getSpec().getContainers()
        .add(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("sidecar").build());
    assertThat(Matcher.matches(desired(), extraContainer)).isFalse();

    assertThat(Matcher.matches(desired(), null)).isFalse();
  }

  @Test
  void statusAndManagedFieldsAreNotCompared() {
    Deployment actual = new DeploymentBuilder(desired())
        .editMetadata().addNewManagedField().withManager("kube-controller-manager").withOperation("Update")
          .withApiVersion("apps/v1").withFieldsType("FieldsV1").withNewFieldsV1()
          .addToAdditionalProperties("f:status", java.util.Map.of("f:replicas", java.util.Map.of())).endFieldsV1()
          .endManagedField().endMetadata()
        .withNewStatus().withReplicas(1).withObservedGeneration(1L).endStatus()
        .build();
    assertThat(Matcher.matches(desired(), actual)).isTrue();
    // What the comparison reads of the actual object: neither part is serialized at all.
    com.fasterxml.jackson.databind.JsonNode compared = Matcher.compared(actual);
    assertThat(compared.has("status")).isFalse();
    assertThat(compared.path("metadata").has("managedFields")).isFalse();
    assertThat(compared.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText())
        .isEqualTo("ghcr.io/acme/onnx-server:1.4");
    // The client's own serialization is untouched.
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().valueToTree(actual).has("status"))
        .isTrue();
  }
}
