package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import org.junit.jupiter.api.Test;

/**
 * The run command's client reads and writes objects without managedFields, and everything else as before; its
 * requests wait as long as the API server's own limit.
 */
class OperatorClientTest {
  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"iris","namespace":"models","resourceVersion":"42","generation":3,
         "labels":{"app.kubernetes.io/managed-by":"mlserving-operator"},
         "managedFields":[{"manager":"mlserving-operator","operation":"Apply","apiVersion":"apps/v1",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
       "spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},
         "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"predictor","image":"img:1"}]}}},
       "status":{"observedGeneration":3,"readyReplicas":2}}
      """;

  @Test
  void managedFieldsAreNeitherReadNorWritten() {
    KubernetesSerialization serialization = OperatorClient.serialization();
    Deployment d = serialization.unmarshal(DEPLOYMENT, Deployment.class);
    assertThat(d.getMetadata().getManagedFields()).isEmpty();
    assertThat(d.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(d.getMetadata().getGeneration()).isEqualTo(3L);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img:1");
    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);

    // Read by kind, as a watch event's object is.
    HasMetadata generic = serialization.unmarshal(DEPLOYMENT);
    assertThat(generic).isInstanceOf(Deployment.class);
    assertThat(generic.getMetadata().getManagedFields()).isEmpty();

    d.getMetadata().setManagedFields(
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(DEPLOYMENT, Deployment.class)
            .getMetadata().getManagedFields());
    assertThat(serialization.asJson(d)).doesNotContain("managedFields").contains("\"resourceVersion\":\"42\"");
  }

  @Test
  void ourKindsAreReadAsTheirClassesAtOnce() {
    String isvc = """
        {"apiVersion":"mlserving.io/v1alpha1","kind":"InferenceService",
         "metadata":{"name":"iris","namespace":"models"},"spec":{"predictor":{"image":"img:1"}}}
        """;
    // What a watch event's object becomes: our class, not a generic resource converted afterwards.
    Object read = OperatorClient.serialization().unmarshal(isvc);
    assertThat(read).isInstanceOf(InferenceService.class);
    assertThat(((InferenceService) read).getSpec().getPredictor().getImage()).isEqualTo("img:1");
    // fabric8's default serialization does not know the kind.
    assertThat(new io.fabric8.kubernetes.client.utils.KubernetesSerialization().<Object>unmarshal(isvc))
        .isInstanceOf(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
  }

  @Test
  void requestsMayTakeAsLongAsTheApiServerAllowsUnlessConfigured() {
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder().build();
    assertThat(config.getRequestTimeout()).isEqualTo(10_000);
    assertThat(OperatorClient.config(config, false).getRequestTimeout()).isEqualTo(60_000);

    io.fabric8.kubernetes.client.Config set = new io.fabric8.kubernetes.client.ConfigBuilder()
        .withRequestTimeout(5_000).build();
    assertThat(OperatorClient.config(set, true).getRequestTimeout()).isEqualTo(5_000);
  }
}
