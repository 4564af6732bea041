package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code render -f samples/} prints is exactly what the operator applies for the same resources: every
 * rendered object exists in the cluster with the same labels and spec, and the operator generated nothing else.
 * (Owner references and the operator's bookkeeping annotation need the cluster's uids, so they are not compared.)
 */
class RenderMatchesOperatorTest {
  private static final List<String> GENERATED = List.of("apps/v1/Deployment", "v1/Service",
      "autoscaling/v2/HorizontalPodAutoscaler", "networking.istio.io/v1/VirtualService",
      "networking.istio.io/v1/DestinationRule");

  @Test
  void renderOfTheSamplesIsWhatTheOperatorApplies() throws IOException {
    CliRun render = CliRun.of("render", "-f", samples().toString());
    assertThat(render.exitCode()).as(render.err()).isZero();
    Map<String, JsonNode> rendered = byKey(new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
        .<JsonNode>readValues(render.out()).readAll());

    try (OperatorHarness h = new OperatorHarness(MockCluster.start().withIstio("v1"), OperatorSettings.defaults())) {
      List<HasMetadata> samples = samples(h);
      for (HasMetadata cr : samples) {
        if (cr instanceof InferenceService isvc) {
          h.markAvailable(isvc.getMetadata().getNamespace(), isvc.getMetadata().getName());
        }
      }
      await().atMost(OperatorHarness.DEADLINE).until(() -> generated(h).keySet(), keys -> keys.equals(rendered.keySet()));
      Map<String, JsonNode> applied = generated(h);
      for (Map.Entry<String, JsonNode> e : rendered.entrySet()) {
        JsonNode actual = applied.get(e.getKey());
        assertThat(actual.get("spec")).as(e.getKey() + " spec").isEqualTo(e.getValue().get("spec"));
        assertThat(actual.at("/metadata/labels")).as(e.getKey() + " labels").isEqualTo(e.getValue().at("/metadata/labels"));
      }
    }
  }

  /** Creates every resource under samples/ (namespace first) in the mock; returns the custom resources. */
  private static List<HasMetadata> samples(OperatorHarness h) throws IOException {
    List<HasMetadata> crs = new ArrayList<>();
    try (Stream<Path> files = Files.list(samples())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata o : h.cluster.client.load(in).items()) {
            HasMetadata created = h.cluster.client.resource(o).create();
            if (created.getApiVersion().startsWith("mlserving.io/")) {
              crs.add(created);
            }
          }
        }
      }
    }
    return crs;
  }

  /** Every object in the cluster with our managed-by label, by apiVersion/kind/namespace/name. */
  private static Map<String, JsonNode> generated(OperatorHarness h) {
    List<Object> out = new ArrayList<>();
    for (String type : GENERATED) {
      int slash = type.lastIndexOf('/');
      out.addAll(h.cluster.client.genericKubernetesResources(type.substring(0, slash), type.substring(slash + 1))
          .inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.OPERATOR).list().getItems());
    }
    return byKey(out);
  }

  private static Map<String, JsonNode> byKey(List<?> objects) {
    Map<String, JsonNode> out = new TreeMap<>();
    for (Object o : objects) {
      JsonNode node = o instanceof JsonNode n ? n.deepCopy() : Serialization.jsonMapper().valueToTree(o);
      if (node == null || node.isNull()) {
        continue;
      }
      ((ObjectNode) node).remove("status");
      out.put(node.path("apiVersion").asText() + "/" + node.path("kind").asText() + " "
          + node.at("/metadata/namespace").asText() + "/" + node.at("/metadata/name").asText(), node);
    }
    return out;
  }

  private static Path samples() {
    return CrdFiles.projectRoot().resolve("samples");
  }
}
