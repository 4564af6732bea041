package io.mlserving.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import org.junit.jupiter.api.Test;

/** The mock's server-side apply stand-in: create when missing, merge when present. */
class RecordingDispatcherTest {
  @Test
  void applyCreatesThenMerges() {
    try (MockCluster cluster = MockCluster.start()) {
      ConfigMap first = new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("ns").endMetadata()
          .addToData("a", "1").build();
      cluster.client.resource(first).fieldManager("t").forceConflicts().serverSideApply();
      ConfigMap second = new ConfigMapBuilder(first).withData(java.util.Map.of("a", "2", "b", "3")).build();
      cluster.client.resource(second).fieldManager("t").forceConflicts().serverSideApply();

      ConfigMap stored = cluster.client.configMaps().inNamespace("ns").withName("c").get();
      assertThat(stored.getData()).containsEntry("a", "2").containsEntry("b", "3");
      assertThat(cluster.dispatcher.writes()).hasSize(2);
    }
  }

  @Test
  void applyReplacesListsOfADeployment() {
    try (MockCluster cluster = MockCluster.start()) {
      var isvc = Fixtures.isvc("ns", "iris", "img:1");
      isvc.getMetadata().setUid("u1");
      var images = io.mlserving.operator.config.LoaderImages.defaults();
      var first = io.mlserving.operator.desired.InferenceServiceResources.deployment(isvc, images);
      cluster.client.resource(first).fieldManager("t").forceConflicts().serverSideApply();
      isvc.getSpec().getPredictor().setImage("img:2");
      var second = io.mlserving.operator.desired.InferenceServiceResources.deployment(isvc, images);
      var result = cluster.client.resource(second).fieldManager("t").forceConflicts().serverSideApply();
      assertThat(result.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img:2");
      var stored = cluster.client.apps().deployments().inNamespace("ns").withName("iris").get();
      assertThat(stored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img:2");
    }
  }
}
