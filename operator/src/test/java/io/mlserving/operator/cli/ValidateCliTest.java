package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code validate} on good and bad input: one line per problem, exit status, never a stack trace. */
class ValidateCliTest {
  @TempDir Path dir;

  static final String ISVC = """
      apiVersion: mlserving.io/v1alpha1
      kind: InferenceService
      metadata: {name: fraud-v1, namespace: models}
      spec:
        predictor: {image: ghcr.io/acme/onnx-server:1.4}
        model: {storageUri: "s3://models/fraud/v1"}
      """;

  /** A Canary between fraud-v1 (stable, {@link #ISVC}) and fraud-v2 (canary), with metric gates. */
  static final String CANARY = """
      apiVersion: mlserving.io/v1alpha1
      kind: Canary
      metadata: {name: fraud-rollout, namespace: models}
      spec:
        stable: fraud-v1
        canary: fraud-v2
        steps: [10, 25, 50]
        stepInterval: 30s
        progressDeadline: 5m
        analysis:
          metrics:
            - {name: success-rate, min: 99}
            - {name: errors, query: 'sum(rate(errors_total{pod=~"{{canary}}-.*"}[{{window}}]))', max: 0.1}
      """;

  /** The InferenceService fraud-v2, the canary of {@link #CANARY}. */
  static final String ISVC_V2 = ISVC.replace("fraud-v1", "fraud-v2").replace("fraud/v1", "fraud/v2");

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("broken YAML", "apiVersion: mlserving.io/v1alpha1\nkind: [InferenceService\n",
            "broken YAML"),
        Arguments.of("unknown kind", "apiVersion: mlserving.io/v1alpha1\nkind: Model\nmetadata: {name: a}\n",
            "Model/a: kind: unknown kind Model"),
        Arguments.of("unknown version", "apiVersion: mlserving.io/v9\nkind: ABTest\nmetadata: {name: a}\n",
            "ABTest/a: apiVersion: unknown version mlserving.io/v9"),
        Arguments.of("no kind", "apiVersion: mlserving.io/v1alpha1\nmetadata: {name: a}\n", "kind: is required"),
        Arguments.of("not an object", "- just\n- a list\n", "not a Kubernetes object"),
        Arguments.of("unknown field", ISVC.replace("image:", "imagee:"),
            "InferenceService/fraud-v1: spec.predictor.imagee: unknown field \"imagee\""),
        Arguments.of("wrong type", ISVC + "  replicas: many\n",
            "InferenceService/fraud-v1: spec.replicas: cannot be \"many\": must be an integer"),
        Arguments.of("bad enum", ISVC.replace("{image: ghcr.io/acme/onnx-server:1.4}",
            "{image: x, protocol: soap}"), "spec.predictor.protocol"),
        Arguments.of("failed rule", ISVC.replace("s3://models/fraud/v1", "ftp://models/fraud"),
            "InferenceService/fraud-v1: spec.model.storageUri: storageUri must be"),
        Arguments.of("credentials in URI", ISVC.replace("s3://models/fraud/v1", "https://u:p@host/m.onnx"),
            "spec.model.storageUri: storageUri must not carry credentials"),
        Arguments.of("missing reference", """
            apiVersion: mlserving.io/v1alpha1
            kind: CircuitBreaker
            metadata: {name: cb, namespace: models}
            spec: {inferenceService: fraud-v9}
            """, "CircuitBreaker/cb: spec.inferenceService: InferenceService fraud-v9 not found in namespace models"),
        Arguments.of("weights", """
            apiVersion: mlserving.io/v1alpha1
            kind: ABTest
            metadata: {name: ab, namespace: models}
            spec:
              variants:
                - {name: a, inferenceService: fraud-v1, weight: 50}
                - {name: b, inferenceService: fraud-v1, weight: 40}
            """, "ABTest/ab: spec.variants: variants[].weight must sum to 100, they sum to 90"),
        Arguments.of("canary steps not increasing", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("[10, 25, 50]", "[10, 50, 25]"),
            "Canary/fraud-rollout: spec.steps: steps must be strictly increasing: 50 then 25"),
        Arguments.of("canary is stable", ISVC + "---\n" + CANARY.replace("canary: fraud-v2", "canary: fraud-v1"),
            "Canary/fraud-rollout: spec.canary: canary must differ from stable"),
        Arguments.of("canary deadline not after interval", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("progressDeadline: 5m", "progressDeadline: 30s"),
            "Canary/fraud-rollout: spec.progressDeadline: progressDeadline must be longer than stepInterval"),
        Arguments.of("canary metric without bounds", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("{name: success-rate, min: 99}", "{name: success-rate}"),
            "Canary/fraud-rollout: spec.analysis.metrics[0]: each metric needs min, max or both"),
        Arguments.of("canary unknown built-in metric", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("{name: success-rate, min: 99}", "{name: error-rate, max: 1}"),
            "Canary/fraud-rollout: spec.analysis.metrics[0].name: a metric without query must be a built-in one:"
                + " success-rate or latency-p99; got error-rate"),
        // Admission lets it through (CEL cannot name it well); the operator would send the braces to Prometheus.
        Arguments.of("canary unknown placeholder", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("{{canary}}", "{{canary_name}}"),
            "Canary/fraud-rollout: spec.analysis.metrics[1].query: unknown placeholder {{canary_name}}; the query may"
                + " use {{namespace}}, {{canary}}, {{stable}}, {{window}}"),
        Arguments.of("canary missing reference", ISVC + "---\n" + CANARY,
            "Canary/fraud-rollout: spec.canary: InferenceService fraud-v2 not found in namespace models"),
        Arguments.of("canary host is an InferenceService", ISVC + "---\n" + ISVC_V2 + "---\n"
            + CANARY.replace("  stable: fraud-v1", "  host: fraud-v2\n  stable: fraud-v1"),
            "Canary/fraud-rollout: spec.host: host fraud-v2 is the name of InferenceService fraud-v2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsOneLineNamingFileObjectAndField(String name, String yaml, String expected) throws IOException {
    Path file = dir.resolve("input.yaml");
    Files.writeString(file, yaml);

    CliRun run = CliRun.of("validate", "-f", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains(file.toString()).contains(expected);
    assertNoStackTrace(run);
  }

  @Test
  void validInputExitsZero() throws IOException {
    Files.writeString(dir.resolve("isvc.yaml"), ISVC + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: models}\n");
    CliRun run = CliRun.of("validate", "-f", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("1 resource(s) valid");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void everyProblemOfEveryFileIsReported() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), ISVC.replace("s3://models/fraud/v1", "ftp://x"));
    Files.writeString(dir.resolve("b.yaml"), "kind: [broken\n");
    CliRun run = CliRun.of("validate", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().filter(l -> l.contains(".yaml:"))).hasSize(2);
    assertThat(run.err()).contains("2 problem(s) found");
  }

  @Test
  void missingFileIsAnError() {
    CliRun run = CliRun.of("validate", "-f", dir.resolve("nope.yaml").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("nope.yaml: no such file or directory");
    assertNoStackTrace(run);
  }

  @Test
  void duplicateNamesAndHostConflictsAreReported() throws IOException {
    String ab = """
        apiVersion: mlserving.io/v1alpha1
        kind: ABTest
        metadata: {name: %s, namespace: models}
        spec:
          host: fraud
          variants:
            - {name: a, inferenceService: fraud-v1, weight: 50}
            - {name: b, inferenceService: fraud-v1, weight: 50}
        """;
    Files.writeString(dir.resolve("all.yaml"), ISVC + "---\n" + ab.formatted("ab-1") + "---\n" + ab.formatted("ab-2")
        + "---\n" + ISVC);
    CliRun run = CliRun.of("validate", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("ABTest/ab-2: spec.host: host fraud is already claimed by ABTest ab-1")
        .contains("InferenceService/fraud-v1: metadata.name: defined twice in namespace models")
        .doesNotContain("ABTest/ab-1:");
  }

  @Test
  void aCanaryAndAnABTestOnOneHostConflict() throws IOException {
    String ab = """
        apiVersion: mlserving.io/v1alpha1
        kind: ABTest
        metadata: {name: fraud-ab, namespace: models}
        spec:
          host: fraud
          variants:
            - {name: a, inferenceService: fraud-v1, weight: 50}
            - {name: b, inferenceService: fraud-v2, weight: 50}
        """;
    // The ABTest comes first (same age: by name order, and "fraud-ab" < "fraud-rollout"), so the Canary loses.
    Files.writeString(dir.resolve("all.yaml"), ISVC + "---\n" + ISVC_V2 + "---\n" + ab + "---\n"
        + CANARY.replace("  stable: fraud-v1", "  host: fraud\n  stable: fraud-v1"));
    CliRun run = CliRun.of("validate", "-f", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().filter(l -> l.contains(".yaml:")).toList()).containsExactly(dir.resolve("all.yaml")
        + ": Canary/fraud-rollout: spec.host: host fraud is already claimed by ABTest fraud-ab; delete one of them"
        + " or change this one");
    assertNoStackTrace(run);
  }

  @Test
  void aValidCanaryWithItsModelsExitsZero() throws IOException {
    Files.writeString(dir.resolve("all.yaml"), ISVC + "---\n" + ISVC_V2 + "---\n" + CANARY);
    CliRun run = CliRun.of("validate", "-f", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("3 resource(s) valid");
  }

  @Test
  void usageErrorsExitTwoWithHelp() {
    CliRun run = CliRun.of("validate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option");
    assertNoStackTrace(run);
  }

  @Test
  void helpExplainsEachCommand() {
    CliRun top = CliRun.of("--help");
    assertThat(top.exitCode()).isZero();
    assertThat(top.out()).contains("render").contains("validate").contains("run");
    for (String command : new String[] {"render", "validate", "run"}) {
      CliRun help = CliRun.of(command, "--help");
      assertThat(help.exitCode()).isZero();
      assertThat(help.out()).contains("Usage: mlserving " + command);
    }
  }

  static void assertNoStackTrace(CliRun run) {
    assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(run.out()).doesNotContain("\tat ");
  }
}
