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
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.DesiredResources;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.testing.FakeModelRegistry;
import io.mlserving.operator.testing.SampleFiles;
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
 * The one exception is by design: a models:/ URI, which render prints unresolved and the operator applies at the
 * version it pinned. For those, what is applied is held against the same desired-state entry point given the
 * status the operator wrote, and against render everywhere but the pinned loader and the pod template's
 * registry annotations and MODEL_VERSION.
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

    // Every models:/ URI of the samples resolves, to version 1 in a bucket.
    FakeModelRegistry registry = new FakeModelRegistry();
    for (String uri : SampleFiles.registryUris()) {
      ModelUri m = ModelUri.parse(uri).orElseThrow();
      registry.version(m.name(), "1", "s3://mlflow/" + m.name() + "/1/artifacts/model");
      if (m.isAlias()) {
        registry.alias(m.name(), m.alias(), "1");
      }
    }
    OperatorSettings settings = OperatorSettings.defaults().withMlflowTrackingUri("http://mlflow.test:5000");
    try (OperatorHarness h = OperatorHarness.withRegistry(MockCluster.start().withIstio("v1"), settings, registry)) {
      createSamples(h);
      // No Deployment is marked available: the Canary sample then waits for its models with the stable at 100 %,
      // which is the state render prints (render has no cluster, so no rollout).
      await().atMost(OperatorHarness.DEADLINE).until(() -> generated(h).keySet(), keys -> keys.equals(rendered.keySet()));
      Map<String, JsonNode> pinned = new TreeMap<>();
      for (InferenceService isvc : h.cluster.client.resources(InferenceService.class).inAnyNamespace().list()
          .getItems()) {
        if (ModelUri.parse(isvc.getSpec().getModel() == null ? null : isvc.getSpec().getModel().getStorageUri())
            .isPresent()) {
          InferenceService withStatus = await().atMost(OperatorHarness.DEADLINE).until(
              () -> h.get(InferenceService.class, isvc.getMetadata().getNamespace(), isvc.getMetadata().getName())
                  .orElseThrow(), i -> i.getStatus() != null && i.getStatus().getModel() != null);
          pinned.putAll(byKey(new ArrayList<>(DesiredResources.of(withStatus, LoaderImages.from(System::getenv),
              IstioApi.V1))));
        }
      }
      Map<String, JsonNode> applied = generated(h);
      for (Map.Entry<String, JsonNode> e : rendered.entrySet()) {
        JsonNode actual = applied.get(e.getKey());
        JsonNode expected = pinned.getOrDefault(e.getKey(), e.getValue());
        assertThat(actual.get("spec")).as(e.getKey() + " spec").isEqualTo(expected.get("spec"));
        assertThat(actual.at("/metadata/labels")).as(e.getKey() + " labels").isEqualTo(e.getValue().at("/metadata/labels"));
        if (pinned.containsKey(e.getKey()) && e.getKey().contains("/Deployment ")) {
          assertThat(withoutPin(actual.get("spec"))).as(e.getKey() + " spec apart from the pin")
              .isEqualTo(withoutPin(e.getValue().get("spec")));
        }
      }
    }
  }

  /** A Deployment spec without what pinning a registry version changes: the loader, annotations, MODEL_VERSION. */
  private static JsonNode withoutPin(JsonNode spec) {
    ObjectNode copy = spec.deepCopy();
    ObjectNode template = (ObjectNode) copy.get("template");
    ((ObjectNode) template.get("metadata")).remove("annotations");
    ((ObjectNode) template.get("spec")).remove("initContainers");
    for (JsonNode c : template.at("/spec/containers")) {
      com.fasterxml.jackson.databind.node.ArrayNode env = (com.fasterxml.jackson.databind.node.ArrayNode) c.get("env");
      for (int i = env.size() - 1; i >= 0; i--) {
        if ("MODEL_VERSION".equals(env.get(i).path("name").asText())) {
          env.remove(i);
        }
      }
    }
    return copy;
  }


  /** Creates every resource under samples/ in the mock, file by file (the namespace first). */
  private static void createSamples(OperatorHarness h) throws IOException {
    try (Stream<Path> files = Files.list(samples())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata o : h.cluster.client.load(in).items()) {
            h.cluster.client.resource(o).create();
          }
        }
      }
    }
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
      // Through text, so that a number is the same node type whichever way the object came.
      JsonNode node;
      try {
        node = Serialization.jsonMapper().readTree(Serialization.jsonMapper().writeValueAsString(o));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
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
