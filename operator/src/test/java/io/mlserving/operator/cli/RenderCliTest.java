package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code render}: the operator's objects with no cluster, stable order, invalid input refused. */
class RenderCliTest {
  @TempDir Path dir;

  @Test
  void rendersDeploymentServiceAndHpaSortedByKindNamespaceName() throws IOException {
    Files.writeString(dir.resolve("b.yaml"), ValidateCliTest.ISVC.replace("fraud-v1", "zeta")
        + "  autoscaling: {maxReplicas: 3}\n");
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC);

    CliRun run = CliRun.of("render", "-f", dir.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> docs = docs(run.out());
    assertThat(docs).extracting(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
        .containsExactly("Deployment/fraud-v1", "Deployment/zeta", "HorizontalPodAutoscaler/zeta",
            "Service/fraud-v1", "Service/zeta");
    assertThat(run.out()).startsWith("---\n");
  }

  @Test
  void renderIsDeterministic() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC);
    assertThat(CliRun.of("render", "-f", dir.toString()).out())
        .isEqualTo(CliRun.of("render", "-f", dir.toString()).out());
  }

  @Test
  void resourcesWithoutNamespaceGetTheDefaultOrTheFlag() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC.replace(", namespace: models", ""));
    assertThat(docs(CliRun.of("render", "-f", dir.toString()).out()).get(0).path("metadata").path("namespace")
        .asText()).isEqualTo("default");
    assertThat(docs(CliRun.of("render", "-n", "prod", "-f", dir.toString()).out()).get(0).path("metadata")
        .path("namespace").asText()).isEqualTo("prod");
  }

  @Test
  void invalidInputRendersNothingAndExitsOne() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC.replace("s3://models/fraud/v1", "ftp://x"));
    CliRun run = CliRun.of("render", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("a.yaml: InferenceService/fraud-v1: spec.model.storageUri:")
        .contains("nothing rendered");
    ValidateCliTest.assertNoStackTrace(run);
  }

  @Test
  void unknownIstioApiIsRefused() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC);
    CliRun run = CliRun.of("render", "--istio-api", "v2", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("--istio-api: unknown Istio API version 'v2'");
  }

  /**
   * The Canary sample with its two models renders the Waiting state (render sees no status): the apex Service on
   * the stable's pods, and one weighted route, the stable 100 and the canary 0, both listed so that a step
   * changes two numbers.
   */
  @Test
  void rendersTheCanarySampleInItsWaitingState() throws IOException {
    Path samples = AdmissionParityCliTest.samples();
    CliRun run = CliRun.of("render", "-f", samples.resolve("10-inferenceservice-web-single.yaml").toString(),
        "-f", samples.resolve("11-inferenceservice-s3.yaml").toString(),
        "-f", samples.resolve("50-canary.yaml").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> canary = docs(run.out()).stream()
        .filter(d -> d.at("/metadata/labels/mlserving.io~1owner-kind").asText().equals("Canary")).toList();
    assertThat(canary).extracting(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
        .containsExactly("Service/fraud-rollout", "VirtualService/fraud-rollout");
    assertThat(canary.get(0).at("/spec/selector/mlserving.io~1inference-service").asText()).isEqualTo("fraud-v1");
    JsonNode vs = canary.get(1);
    assertThat(vs.path("apiVersion").asText()).isEqualTo("networking.istio.io/v1");
    assertThat(vs.at("/spec/hosts")).extracting(JsonNode::asText).containsExactly("fraud-rollout");
    JsonNode http = vs.at("/spec/http");
    assertThat(http).hasSize(1);
    assertThat(http.get(0).path("route")).extracting(
            r -> r.at("/destination/host").asText() + "=" + r.path("weight").asInt())
        .containsExactly("fraud-v1.models.svc.cluster.local=100", "fraud-v2.models.svc.cluster.local=0");
    assertThat(http.get(0).path("timeout").asText()).isEqualTo("5s");
  }

  @Test
  void rendersACanaryForOlderIstioWithV1beta1() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC + "---\n" + ValidateCliTest.ISVC_V2 + "---\n"
        + ValidateCliTest.CANARY);
    CliRun run = CliRun.of("render", "--istio-api", "v1beta1", "-f", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode vs = docs(run.out()).stream().filter(d -> d.path("kind").asText().equals("VirtualService"))
        .findFirst().orElseThrow();
    assertThat(vs.path("apiVersion").asText()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(vs.at("/spec/http/0/route")).extracting(r -> r.path("weight").asInt()).containsExactly(100, 0);
  }

  @Test
  void aCanaryExportedWithItsStatusStillRendersTheWaitingState() throws IOException {
    // As `kubectl get canary -o yaml` would give it, mid-rollout.
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC + "---\n" + ValidateCliTest.ISVC_V2 + "---\n"
        + ValidateCliTest.CANARY + "status: {phase: Progressing, step: 1, canaryWeight: 25}\n");
    CliRun run = CliRun.of("render", "-f", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode vs = docs(run.out()).stream().filter(d -> d.path("kind").asText().equals("VirtualService"))
        .findFirst().orElseThrow();
    assertThat(vs.at("/spec/http/0/route")).extracting(r -> r.path("weight").asInt()).containsExactly(100, 0);
  }

  @Test
  void aCanaryWhoseCanaryIsMissingRendersNothing() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ValidateCliTest.ISVC + "---\n" + ValidateCliTest.CANARY);
    CliRun run = CliRun.of("render", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("a.yaml: Canary/fraud-rollout: spec.canary: InferenceService fraud-v2 not found"
        + " in namespace models").contains("nothing rendered");
    ValidateCliTest.assertNoStackTrace(run);
  }

  static List<JsonNode> docs(String yaml) throws IOException {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    return mapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
        .filter(n -> n != null && !n.isNull() && !n.isMissingNode()).toList();
  }
}
