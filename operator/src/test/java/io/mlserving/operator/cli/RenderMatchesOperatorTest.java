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
import io.mlserving.operator.testing.FakeModelRegistry;
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
 * The one difference is by design: render reaches no registry, so a models:/ sample's Deployment differs from the
 * operator's exactly by the resolution (the pinned version's annotations, MODEL_VERSION and the loader).
 */
class RenderMatchesOperatorTest {
  private static final List<String> GENERATED = List.of("apps/v1/Deployment", "v1/Service",
      "autoscaling/v2/HorizontalPodAutoscaler", "networking.istio.io/v1/VirtualService",
      "networking.istio.io/v1/DestinationRule");

  /** What the stand-in registry says of the models:/ sample (samples/18-inferenceservice-mlflow.yaml). */
  private static final String TRACKING_URI = "http://mlflow.mlflow:5000";
  private static final String REGISTRY_SAMPLE = "apps/v1/Deployment models/fraud-champion";
  private static final String ARTIFACT_URI = "mlflow-artifacts:/1/models/m-3/artifacts";

  @Test
  void renderOfTheSamplesIsWhatTheOperatorApplies() throws IOException {
    CliRun render = CliRun.of("render", "-f", samples().toString());
    assertThat(render.exitCode()).as(render.err()).isZero();
    Map<String, JsonNode> rendered = byKey(new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
        .<JsonNode>readValues(render.out()).readAll());

    FakeModelRegistry registry = new FakeModelRegistry().version("fraud", "3", ARTIFACT_URI).alias("fraud", "champion", "3");
    try (OperatorHarness h = OperatorHarness.withRegistry(MockCluster.start().withIstio("v1"),
        OperatorSettings.defaults().withMlflowTrackingUri(TRACKING_URI), registry)) {
      List<HasMetadata> samples = samples(h);
      for (HasMetadata cr : samples) {
        if (cr instanceof InferenceService isvc) {
          h.markAvailable(isvc.getMetadata().getNamespace(), isvc.getMetadata().getName());
        }
      }
      await().atMost(OperatorHarness.DEADLINE).until(() -> generated(h).keySet(), keys -> keys.equals(rendered.keySet()));
      Map<String, JsonNode> applied = generated(h);
      assertThat(rendered).containsKey(REGISTRY_SAMPLE);
      for (Map.Entry<String, JsonNode> e : rendered.entrySet()) {
        JsonNode actual = applied.get(e.getKey());
        if (e.getKey().equals(REGISTRY_SAMPLE)) {
          assertPinnedAsRenderedButResolved(e.getValue(), actual);
          continue;
        }
        assertThat(actual.get("spec")).as(e.getKey() + " spec").isEqualTo(e.getValue().get("spec"));
        assertThat(actual.at("/metadata/labels")).as(e.getKey() + " labels").isEqualTo(e.getValue().at("/metadata/labels"));
      }
    }
  }

  /**
   * The operator's Deployment for the models:/ sample is render's with version 3 pinned: the same spec but for the
   * pod annotations naming the version, the predictor's MODEL_VERSION and the loader, which fetches the resolved
   * artifact URI through the tracking server instead of refusing to run.
   */
  private static void assertPinnedAsRenderedButResolved(JsonNode rendered, JsonNode applied) {
    JsonNode renderedPod = rendered.at("/spec/template");
    JsonNode appliedPod = applied.at("/spec/template");
    assertThat(renderedPod.at("/metadata/annotations").isMissingNode()).as("render pins nothing").isTrue();
    assertThat(appliedPod.at("/metadata/annotations/mlserving.io~1model-uri").asText()).isEqualTo("models:/fraud@champion");
    assertThat(appliedPod.at("/metadata/annotations/mlserving.io~1model-version").asText()).isEqualTo("3");
    JsonNode renderedLoader = renderedPod.at("/spec/initContainers/0");
    JsonNode appliedLoader = appliedPod.at("/spec/initContainers/0");
    assertThat(env(renderedLoader).get("STORAGE_URI")).isEqualTo("models:/fraud@champion");
    assertThat(renderedLoader.at("/command/2").asText()).contains("which reaches no registry").contains("exit 1");
    assertThat(env(appliedLoader)).containsEntry("STORAGE_URI", ARTIFACT_URI).containsEntry("MLFLOW_TRACKING_URI", TRACKING_URI);
    assertThat(appliedLoader.at("/command/2").asText()).contains("/api/2.0/mlflow-artifacts/artifacts")
        .doesNotContain("reaches no registry");
    assertThat(appliedLoader.path("image")).isEqualTo(renderedLoader.path("image"));
    assertThat(env(appliedPod.at("/spec/containers/0"))).containsEntry("MODEL_VERSION", "3");

    // Everything else is the same: take the resolution out of both and compare.
    ObjectNode expected = rendered.get("spec").deepCopy();
    ObjectNode actual = applied.get("spec").deepCopy();
    for (ObjectNode spec : List.of(expected, actual)) {
      ((ObjectNode) spec.at("/template")).remove("metadata");
      ((ObjectNode) spec.at("/template/spec")).remove("initContainers");
      ((com.fasterxml.jackson.databind.node.ArrayNode) spec.at("/template/spec/containers/0/env"))
          .removeIf(e -> e.path("name").asText().equals("MODEL_VERSION"));
    }
    assertThat(actual).as(REGISTRY_SAMPLE + " spec apart from the resolution").isEqualTo(expected);
    assertThat(applied.at("/spec/template/metadata/labels")).isEqualTo(rendered.at("/spec/template/metadata/labels"));
  }

  /** A container's plain env values by name. */
  private static Map<String, String> env(JsonNode container) {
    Map<String, String> out = new TreeMap<>();
    container.path("env").forEach(e -> out.put(e.path("name").asText(), e.path("value").asText()));
    return out;
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
