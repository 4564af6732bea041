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

  static List<JsonNode> docs(String yaml) throws IOException {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    return mapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
        .filter(n -> n != null && !n.isNull() && !n.isMissingNode()).toList();
  }
}
