package io.mlserving.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryAnalysis;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.desired.Durations;
import io.mlserving.operator.testing.CrdValidator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validation and admission (the generated CRDs, schema and CEL) give the same verdict on the values each
 * shared rule decides: one field of a valid resource is set to the value, and both must admit it or both
 * refuse it on that field.
 *
 * <p>Operator-only rules, which {@code validate} and the operator enforce (Ready=False, InvalidSpec) but admission
 * does not, are not parity rows: each has a test here saying so ({@link #anUnknownPlaceholderIsOperatorOnly}).
 */
class ValidationParityTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final String ABTEST = """
      apiVersion: mlserving.io/v1alpha1
      kind: ABTest
      metadata: {name: fraud-ab, namespace: models}
      spec:
        variants:
          - {name: a, inferenceService: fraud-v1, weight: 50}
          - {name: b, inferenceService: fraud-v2, weight: 50}
        gateways: [istio-system/public]
        externalHosts: [fraud.example.com]
        timeout: 5s
        stickySession: {cookieName: variant, maxAge: 24h}
        retries: {attempts: 2, retryOn: "5xx"}
      """;

  private static final String ISVC = """
      apiVersion: mlserving.io/v1alpha1
      kind: InferenceService
      metadata: {name: fraud-v1, namespace: models}
      spec:
        predictor: {image: ghcr.io/acme/onnx-server:1.4, healthPath: /health}
        model:
          storageUri: s3://models/fraud/v1
          credentialsSecret: s3-creds
          mountPath: /mnt/models
          sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      """;

  private static CrdValidator crds;

  @BeforeAll
  static void loadTheGeneratedCrds() {
    crds = CrdValidator.fromYaml(
        CrdFiles.KINDS.stream().map(CrdFiles::render).collect(Collectors.joining("---\n")), MlServing.VERSION);
  }

  @ParameterizedTest(name = "{0} = {1}: admitted {2}")
  @CsvSource(delimiter = '|', value = {
      "spec.externalHosts[0]     | fraud.example.com         | true",
      "spec.externalHosts[0]     | *.example.com             | true",
      "spec.externalHosts[0]     | localhost                 | true",
      "spec.externalHosts[0]     | a.*.example.com           | false",
      "spec.externalHosts[0]     | *example.com              | false",
      "spec.externalHosts[0]     | fraud..example.com        | false",
      "spec.externalHosts[0]     | Fraud.example.com         | false",
      "spec.externalHosts[0]     | https://fraud.example.com | false",
      "spec.externalHosts[0]     | fraud.example.com.        | false",
      "spec.gateways[0]          | public                    | true",
      "spec.gateways[0]          | istio-system/public.gw    | true",
      "spec.gateways[0]          | a/b/c                     | false",
      "spec.gateways[0]          | Istio/public              | false",
      "spec.gateways[0]          | /public                   | false",
      "spec.stickySession.cookieName | mlserving_Variant-1   | true",
      "spec.stickySession.cookieName | a b                   | false",
      "spec.stickySession.cookieName | a;b                   | false",
      "spec.stickySession.maxAge | 1s                        | true",
      "spec.stickySession.maxAge | 999ms                     | false",
      "spec.retries.retryOn      | 5xx,reset,503             | true",
      "spec.retries.retryOn      | retriable-status-codes    | true",
      "spec.retries.retryOn      | 600                       | false",
      "spec.retries.retryOn      | 5xx,5xxx                  | false",
      "spec.retries.retryOn      | 5xx, reset                | false",
      "spec.retries.retryOn      | 5XX                       | false",
      "spec.timeout              | 1ms                       | true",
      "spec.timeout              | 1.5s                      | true",
      "spec.timeout              | 1h30m0.001s               | true",
      "spec.timeout              | 0s                        | false",
      "spec.timeout              | 0.5ms                     | false",
      "spec.timeout              | 1.0001s                   | false",
      "spec.timeout              | 1m 30s                    | false",
      "spec.timeout              | 2562047h                  | true",
  })
  void abTestFields(String field, String value, boolean admitted) {
    assertSameVerdict(ABTEST, ABTest.class, field, value, admitted);
  }

  @ParameterizedTest(name = "{0} = {1}: admitted {2}")
  @CsvSource(delimiter = '|', value = {
      "spec.model.sha256            | 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef | true",
      "spec.model.sha256            | 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde  | false",
      "spec.model.sha256            | g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | false",
      "spec.model.credentialsSecret | s3-creds.v1 | true",
      "spec.model.credentialsSecret | S3-creds    | false",
      "spec.model.credentialsSecret | -creds      | false",
      "spec.model.credentialsSecret | creds.      | false",
      "spec.model.mountPath         | /models/v1  | true",
      "spec.model.mountPath         | /models:v1  | false",
      "spec.model.mountPath         | models      | false",
      "spec.predictor.healthPath    | /           | true",
      "spec.predictor.healthPath    | /v2/health/ready?x=1 | true",
      "spec.predictor.healthPath    | health      | false",
  })
  void inferenceServiceFields(String field, String value, boolean admitted) {
    assertSameVerdict(ISVC, InferenceService.class, field, value, admitted);
  }

  @Test
  void lengthLimitsAreTheSame() {
    assertSameVerdict(ISVC, InferenceService.class, "spec.model.credentialsSecret", "s".repeat(253), true);
    assertSameVerdict(ISVC, InferenceService.class, "spec.model.credentialsSecret", "s".repeat(254), false);
    assertSameVerdict(ABTEST, ABTest.class, "spec.stickySession.cookieName", "c".repeat(64), true);
    assertSameVerdict(ABTEST, ABTest.class, "spec.stickySession.cookieName", "c".repeat(65), false);
    assertSameVerdict(ABTEST, ABTest.class, "spec.externalHosts[0]", "h".repeat(63) + "." + "h".repeat(189), true);
    assertSameVerdict(ABTEST, ABTest.class, "spec.externalHosts[0]", "h".repeat(63) + "." + "h".repeat(190), false);
    assertSameVerdict(ABTEST, ABTest.class, "spec.retries.retryOn", "5xx" + ",reset".repeat(42), true);
    assertSameVerdict(ABTEST, ABTest.class, "spec.retries.retryOn", "5xx" + ",reset".repeat(43), false);
    assertSameVerdict(ABTEST, ABTest.class, "metadata.name", "n".repeat(63), true);
    assertSameVerdict(ABTEST, ABTest.class, "metadata.name", "n".repeat(64), false);
  }

  @Test
  void aDurationPastGosLongestIsRefusedNotThrown() {
    // Go durations end at 2562047h47m16.854775807s; the API server's CEL duration() (cel-go, time.ParseDuration)
    // and Istio refuse longer. Not a parity row: the cel-java behind CrdValidator admits 2562048h.
    assertThat(problems(ABTEST, ABTest.class, "spec.timeout", Durations.MAX_TEXT)).isEmpty();
    assertThat(problems(ABTEST, ABTest.class, "spec.timeout", "2562048h"))
        .containsExactly(new Problem("spec.timeout", "must be at most 2562047h47m16.854s, got 2562048h"));
    String tooLongForJava = "9".repeat(31) + "h";
    assertThat(problems(ABTEST, ABTest.class, "spec.timeout", tooLongForJava))
        .containsExactly(new Problem("spec.timeout", "must be at most 2562047h47m16.854s, got " + tooLongForJava));
  }

  @Test
  void listAndValueLimitsAreTheSame() {
    for (int n : new int[] {PredictorSpec.MAX_ENV, PredictorSpec.MAX_ENV + 1}) {
      ObjectNode isvc = (ObjectNode) with(ISVC, "spec.predictor.image", "ghcr.io/acme/onnx-server:1.4");
      ArrayNode env = ((ObjectNode) isvc.at("/spec/predictor")).putArray("env");
      for (int i = 0; i < n; i++) {
        env.addObject().put("name", "V" + i).put("value", "x");
      }
      assertSameVerdict(isvc, InferenceService.class, "spec.predictor.env", n <= PredictorSpec.MAX_ENV);
    }
    for (int n : new int[] {PredictorSpec.MAX_ENV_FROM, PredictorSpec.MAX_ENV_FROM + 1}) {
      ObjectNode isvc = (ObjectNode) with(ISVC, "spec.predictor.image", "ghcr.io/acme/onnx-server:1.4");
      ArrayNode envFrom = ((ObjectNode) isvc.at("/spec/predictor")).putArray("envFrom");
      for (int i = 0; i < n; i++) {
        envFrom.addObject().putObject("configMapRef").put("name", "config-" + i);
      }
      assertSameVerdict(isvc, InferenceService.class, "spec.predictor.envFrom", n <= PredictorSpec.MAX_ENV_FROM);
    }
    for (String kind : List.of("exact", "prefix", "regex")) {
      for (int n : new int[] {StringMatch.MAX_LENGTH, StringMatch.MAX_LENGTH + 1}) {
        ObjectNode ab = (ObjectNode) with(ABTEST, "spec.timeout", "5s");
        ((ObjectNode) ab.get("spec")).putArray("routes").addObject().put("variant", "a")
            .putObject("headers").putObject("x-user").put(kind, "u".repeat(n));
        assertSameVerdict(ab, ABTest.class, "spec.routes[0].headers.x-user." + kind, n <= StringMatch.MAX_LENGTH);
      }
    }
  }

  private static final String CANARY = """
      apiVersion: mlserving.io/v1alpha1
      kind: Canary
      metadata: {name: fraud-rollout, namespace: models}
      spec:
        host: fraud
        stable: fraud-v1
        canary: fraud-v2
        steps: [5, 25, 50]
        stepInterval: 1m
        progressDeadline: 10m
        gateways: [istio-system/public]
        externalHosts: [fraud.example.com]
        timeout: 5s
        retries: {attempts: 2, retryOn: "5xx"}
        analysis:
          prometheus: {url: "http://prometheus.istio-system:9090"}
          window: 1m
          failureThreshold: 2
          minRequests: 20
          metrics:
            - {name: success-rate, min: 99}
            - {name: latency-p99, max: 500}
            - {name: errors, query: 'sum(rate(my_errors_total{pod=~"{{canary}}-.*"}[{{window}}]))', max: 0.1}
      """;

  @ParameterizedTest(name = "{0} = {1}: admitted {2}")
  @CsvSource(delimiter = '|', value = {
      "spec.stable                    | fraud-v3                    | true",
      "spec.stable                    | Fraud-v1                    | false",
      "spec.canary                    | fraud-v3                    | true",
      "spec.canary                    | fraud-v1                    | false",
      "spec.canary                    | fraud_v2                    | false",
      "spec.host                      | scoring                     | true",
      "spec.host                      | Fraud                       | false",
      "spec.stepInterval              | 30s                         | true",
      "spec.stepInterval              | 1.5s                        | true",
      "spec.stepInterval              | 0s                          | false",
      "spec.stepInterval              | 1 minute                    | false",
      "spec.progressDeadline          | 61s                         | true",
      "spec.progressDeadline          | 1h                          | true",
      "spec.progressDeadline          | 60s                         | false",
      "spec.progressDeadline          | 59s                         | false",
      "spec.progressDeadline          | 10 minutes                  | false",
      "spec.analysis.window           | 2m                          | true",
      "spec.analysis.window           | 1ms                         | true",
      "spec.analysis.window           | 0s                          | false",
      "spec.analysis.window           | 1m 30s                      | false",
      "spec.analysis.window           | 0.5ms                       | false",
      "spec.analysis.prometheus.url   | http://prometheus:9090      | true",
      "spec.analysis.prometheus.url   | https://prom.example.com/api/prom/ | true",
      "spec.analysis.prometheus.url   | http://[::1]:9090           | true",
      "spec.analysis.prometheus.url   | prometheus.istio-system:9090 | false",
      "spec.analysis.prometheus.url   | ftp://prometheus:9090       | false",
      "spec.analysis.prometheus.url   | http://                     | false",
      "spec.analysis.prometheus.url   | http:///api                 | false",
      "spec.analysis.prometheus.url   | http://prom etheus:9090     | false",
  })
  void canaryFields(String field, String value, boolean admitted) {
    assertSameVerdict(CANARY, Canary.class, field, value, admitted);
  }

  static Stream<Arguments> canaryEdits() {
    return Stream.of(
        edit("steps [50]", c -> steps(c, 50), true, null, null),
        edit("steps [1, 99]", c -> steps(c, 1, 99), true, null, null),
        edit("steps 1..20", c -> steps(c, IntStream.rangeClosed(1, CanarySpec.MAX_STEPS).toArray()), true, null, null),
        edit("steps 1..21", c -> steps(c, IntStream.rangeClosed(1, CanarySpec.MAX_STEPS + 1).toArray()), false,
            "spec.steps", "spec.steps"),
        edit("steps []", c -> steps(c), false, "spec.steps", "spec.steps"),
        edit("steps [0, 50]", c -> steps(c, 0, 50), false, "spec.steps[0]", "spec.steps[0]"),
        edit("steps [50, 100]", c -> steps(c, 50, 100), false, "spec.steps[1]", "spec.steps[1]"),
        edit("steps [5, 5]", c -> steps(c, 5, 5), false, "spec.steps", "spec.steps"),
        edit("steps [25, 5, 50]", c -> steps(c, 25, 5, 50), false, "spec.steps", "spec.steps"),
        edit("stepInterval = progressDeadline", c -> spec(c).put("stepInterval", "10m"), false,
            "spec.progressDeadline", "spec.progressDeadline"),
        // The CRD defaults stepInterval to 1m before its rules run; validate assumes the same default.
        edit("progressDeadline 30s with the default stepInterval", c -> {
          spec(c).remove("stepInterval");
          spec(c).put("progressDeadline", "30s");
        }, false, "spec.progressDeadline", "spec.progressDeadline"),
        edit("progressDeadline 2m with the default stepInterval", c -> {
          spec(c).remove("stepInterval");
          spec(c).put("progressDeadline", "2m");
        }, true, null, null),
        edit("no durations at all: the defaults 1m and 10m", c -> {
          spec(c).remove("stepInterval");
          spec(c).remove("progressDeadline");
        }, true, null, null),
        edit("failureThreshold 1", c -> analysis(c).put("failureThreshold", 1), true, null, null),
        edit("failureThreshold 100", c -> analysis(c).put("failureThreshold", CanaryAnalysis.MAX_FAILURE_THRESHOLD),
            true, null, null),
        edit("failureThreshold 0", c -> analysis(c).put("failureThreshold", 0), false,
            "spec.analysis.failureThreshold", "spec.analysis.failureThreshold"),
        edit("failureThreshold 101", c -> analysis(c).put("failureThreshold", 101), false,
            "spec.analysis.failureThreshold", "spec.analysis.failureThreshold"),
        edit("minRequests 0", c -> analysis(c).put("minRequests", 0), true, null, null),
        edit("minRequests -1", c -> analysis(c).put("minRequests", -1), false,
            "spec.analysis.minRequests", "spec.analysis.minRequests"),
        edit("no analysis", c -> spec(c).remove("analysis"), true, null, null),
        edit("10 metrics", c -> metrics(c, CanaryAnalysis.MAX_METRICS), true, null, null),
        edit("11 metrics", c -> metrics(c, CanaryAnalysis.MAX_METRICS + 1), false,
            "spec.analysis.metrics", "spec.analysis.metrics"),
        edit("no metrics", c -> metrics(c, 0), false, "spec.analysis.metrics", "spec.analysis.metrics"),
        edit("a metric with neither min nor max", c -> metric(c, 0).remove("min"), false,
            "spec.analysis.metrics[0]", "spec.analysis.metrics[0]"),
        edit("a metric with min = max", c -> metric(c, 1).put("min", 500), true, null, null),
        edit("a metric with min > max", c -> metric(c, 1).put("min", 500.5), false,
            "spec.analysis.metrics[1].min", "spec.analysis.metrics[1].min"),
        edit("a custom name without query", c -> metric(c, 2).remove("query"), false,
            "spec.analysis.metrics[2].name", "spec.analysis.metrics[2].name"),
        edit("a built-in name with a query", c -> metric(c, 0).put("query", "vector(100)"), true, null, null),
        edit("a metric name in upper case", c -> metric(c, 2).put("name", "Errors"), false,
            "spec.analysis.metrics[2].name", "spec.analysis.metrics[2].name"),
        edit("an empty query", c -> metric(c, 2).put("query", ""), false,
            "spec.analysis.metrics[2].query", "spec.analysis.metrics[2].query"),
        edit("a query of the longest length", c -> metric(c, 2).put("query", "x".repeat(CanaryMetric.QUERY_MAX_LENGTH)),
            true, null, null),
        edit("a query one character too long",
            c -> metric(c, 2).put("query", "x".repeat(CanaryMetric.QUERY_MAX_LENGTH + 1)), false,
            "spec.analysis.metrics[2].query", "spec.analysis.metrics[2].query"),
        edit("every placeholder, spaces inside the braces", c -> metric(c, 2).put("query",
            "x{ns=\"{{ namespace }}\",a=\"{{canary}}\",b=\"{{stable}}\"}[{{window}}]"), true, null, null),
        // The rule on the list names the list; validate names the repeated entry, inside it.
        edit("two metrics with one name", c -> metric(c, 2).put("name", "success-rate").remove("query"), false,
            "spec.analysis.metrics", "spec.analysis.metrics[2].name"),
        edit("prometheus without url", c -> ((ObjectNode) analysis(c).get("prometheus")).remove("url"), false,
            "spec.analysis.prometheus.url", "spec.analysis.prometheus.url"));
  }

  @ParameterizedTest(name = "{0}: admitted {2}")
  @MethodSource("canaryEdits")
  void canaryRules(String what, Consumer<ObjectNode> edit, boolean admitted, String admissionField,
      String validateField) {
    ObjectNode canary = (ObjectNode) with(CANARY, "spec.host", "fraud");
    edit.accept(canary);
    List<io.mlserving.operator.testing.Problem> admission = crds.validate(canary).problems().stream()
        .filter(p -> !p.message().equals(CrdValidator.RULES_NOT_CHECKED)).toList();
    List<Problem> validate = Validation.validate(typed(canary, Canary.class));
    assertThat(admission.isEmpty()).as("admission of %s: %s", what, admission).isEqualTo(admitted);
    assertThat(validate.isEmpty()).as("validate of %s: %s", what, validate).isEqualTo(admitted);
    if (!admitted) {
      assertThat(admission).as("admission names %s", admissionField)
          .allMatch(p -> p.fieldOrRoot().equals(admissionField));
      assertThat(validate).as("validate names %s", validateField).allMatch(p -> p.field().equals(validateField));
    }
  }

  @Test
  void anUnknownPlaceholderIsOperatorOnly() {
    // Operator-only: the CRD has no rule for it (the lead's call: a CEL rule over every {{...}} of the query reads
    // badly), so admission accepts the Canary; validate refuses it, and the operator reports Ready=False with reason
    // InvalidSpec naming the field rather than send the braces to Prometheus.
    ObjectNode canary = (ObjectNode) with(CANARY, "spec.host", "fraud");
    metric(canary, 2).put("query", "sum(rate(x{pod=~\"{{ canary-name }}-.*\"}[{{window}}]))");
    assertThat(crds.validate(canary).problems()).as("admission").isEmpty();
    assertThat(Validation.validate(typed(canary, Canary.class))).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("spec.analysis.metrics[2].query");
      assertThat(p.message()).contains("unknown placeholder {{canary-name}}", "{{namespace}}", "{{canary}}",
          "{{stable}}", "{{window}}");
    });
  }

  @Test
  void theDeadlineProblemNamesBothDurationsAsWritten() {
    ObjectNode canary = (ObjectNode) with(CANARY, "spec.stepInterval", "1500ms");
    spec(canary).put("progressDeadline", "1s");
    assertThat(Validation.validate(typed(canary, Canary.class))).containsExactly(new Problem("spec.progressDeadline",
        CanarySpec.DEADLINE_MESSAGE + ": progressDeadline 1s is not longer than stepInterval 1500ms"));
    spec(canary).remove("stepInterval");
    spec(canary).put("progressDeadline", "45s");
    assertThat(Validation.validate(typed(canary, Canary.class))).extracting(Problem::message)
        .containsExactly(CanarySpec.DEADLINE_MESSAGE + ": progressDeadline 45s is not longer than stepInterval 1m");
  }

  // ---- Live analysis (ABTest, ShadowTest, CircuitBreaker)

  private static final String LIVE_ABTEST = """
      apiVersion: mlserving.io/v1alpha1
      kind: ABTest
      metadata: {name: fraud-ab, namespace: models}
      spec:
        variants:
          - {name: a, inferenceService: fraud-v1, weight: 50}
          - {name: b, inferenceService: fraud-v2, weight: 50}
        analysis:
          prometheus: {url: "http://prometheus.istio-system:9090"}
          window: 5m
          confidence: 0.95
          minRequests: 100
      """;

  private static final String LIVE_SHADOWTEST = """
      apiVersion: mlserving.io/v1alpha1
      kind: ShadowTest
      metadata: {name: fraud-shadow, namespace: models}
      spec:
        primary: fraud-v1
        shadow: fraud-v2
        analysis:
          prometheus: {url: "http://prometheus.istio-system:9090"}
          window: 1m
          maxSuccessRateDrop: 1
          maxLatencyRatio: 1.5
      """;

  private static final String LIVE_CIRCUITBREAKER = """
      apiVersion: mlserving.io/v1alpha1
      kind: CircuitBreaker
      metadata: {name: fraud-v1-breaker, namespace: models}
      spec:
        inferenceService: fraud-v1
        analysis:
          prometheus: {url: "http://prometheus.istio-system:9090"}
          window: 30s
      """;

  /** The value is a YAML scalar: 0.4 is a number, 5s a string, as in a file. */
  @ParameterizedTest(name = "{0} {1} = {2}: admitted {3}")
  @CsvSource(delimiter = '|', value = {
      "ABTest         | spec.analysis.window             | 10s                          | true",
      "ABTest         | spec.analysis.window             | 10.5s                        | true",
      "ABTest         | spec.analysis.window             | 1h                           | true",
      "ABTest         | spec.analysis.window             | 9999ms                       | false",
      "ABTest         | spec.analysis.window             | 5s                           | false",
      "ABTest         | spec.analysis.window             | 0s                           | false",
      "ABTest         | spec.analysis.window             | 5 minutes                    | false",
      "ABTest         | spec.analysis.confidence         | 0.5                          | true",
      "ABTest         | spec.analysis.confidence         | 1                            | true",
      "ABTest         | spec.analysis.confidence         | 0.999                        | true",
      "ABTest         | spec.analysis.confidence         | 0.4                          | false",
      "ABTest         | spec.analysis.confidence         | 0.4999                       | false",
      "ABTest         | spec.analysis.confidence         | 1.5                          | false",
      "ABTest         | spec.analysis.confidence         | 1.0001                       | false",
      "ABTest         | spec.analysis.confidence         | 0                            | false",
      "ABTest         | spec.analysis.minRequests        | 0                            | true",
      "ABTest         | spec.analysis.minRequests        | 1                            | true",
      "ABTest         | spec.analysis.minRequests        | 3000000000                   | true",
      "ABTest         | spec.analysis.minRequests        | -1                           | false",
      "ABTest         | spec.analysis.prometheus.url     | http://prometheus:9090/      | true",
      "ABTest         | spec.analysis.prometheus.url     | prometheus.istio-system:9090 | false",
      "ABTest         | spec.analysis.prometheus.url     | http://prometheus:9090?x=1   | false",
      "ShadowTest     | spec.analysis.window             | 10s                          | true",
      "ShadowTest     | spec.analysis.window             | 5s                           | false",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | 0                            | true",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | 0.25                         | true",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | 100                          | true",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | 150                          | false",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | 100.01                       | false",
      "ShadowTest     | spec.analysis.maxSuccessRateDrop | -0.5                         | false",
      "ShadowTest     | spec.analysis.maxLatencyRatio    | 1                            | true",
      "ShadowTest     | spec.analysis.maxLatencyRatio    | 10                           | true",
      "ShadowTest     | spec.analysis.maxLatencyRatio    | 0.5                          | false",
      "ShadowTest     | spec.analysis.maxLatencyRatio    | 0.999                        | false",
      "ShadowTest     | spec.analysis.maxLatencyRatio    | 0                            | false",
      "ShadowTest     | spec.analysis.prometheus.url     | ftp://prometheus:9090        | false",
      "CircuitBreaker | spec.analysis.window             | 10s                          | true",
      "CircuitBreaker | spec.analysis.window             | 5s                           | false",
      "CircuitBreaker | spec.analysis.window             | 1m 30s                       | false",
      "CircuitBreaker | spec.analysis.prometheus.url     | https://prom.example.com/api | true",
      "CircuitBreaker | spec.analysis.prometheus.url     | http://prom:9090/api?x=1     | false",
      "CircuitBreaker | spec.analysis.prometheus.url     | http://prom:9090#top         | false",
  })
  void liveAnalysisFields(String kind, String field, String value, boolean admitted) {
    try {
      JsonNode scalar = YAML.readTree(value);
      JsonNode object = withNode(live(kind), field, scalar);
      assertSameVerdict(object, liveType(kind), field + " = " + value, field, admitted);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> liveAnalysisEdits() {
    return Stream.of(
        Arguments.of("ABTest", "no analysis", (Consumer<ObjectNode>) o -> spec(o).remove("analysis"), true, null),
        Arguments.of("ABTest", "an empty analysis (the defaults)", (Consumer<ObjectNode>) o -> spec(o)
            .putObject("analysis"), true, null),
        Arguments.of("ShadowTest", "an empty analysis (the defaults)", (Consumer<ObjectNode>) o -> spec(o)
            .putObject("analysis"), true, null),
        Arguments.of("CircuitBreaker", "an empty analysis (the defaults)", (Consumer<ObjectNode>) o -> spec(o)
            .putObject("analysis"), true, null),
        Arguments.of("ABTest", "prometheus without url", (Consumer<ObjectNode>) o -> ((ObjectNode) spec(o)
            .get("analysis").get("prometheus")).remove("url"), false, "spec.analysis.prometheus.url"),
        Arguments.of("CircuitBreaker", "prometheus without url", (Consumer<ObjectNode>) o -> ((ObjectNode) spec(o)
            .get("analysis").get("prometheus")).remove("url"), false, "spec.analysis.prometheus.url"),
        Arguments.of("ShadowTest", "a URL one character too long", (Consumer<ObjectNode>) o -> ((ObjectNode) spec(o)
            .get("analysis").get("prometheus")).put("url", "http://p/" + "x".repeat(2048 - 9 + 1)), false,
            "spec.analysis.prometheus.url"),
        Arguments.of("ShadowTest", "a URL of the longest length", (Consumer<ObjectNode>) o -> ((ObjectNode) spec(o)
            .get("analysis").get("prometheus")).put("url", "http://p/" + "x".repeat(2048 - 9)), true, null));
  }

  @ParameterizedTest(name = "{0}: {1}: admitted {3}")
  @MethodSource("liveAnalysisEdits")
  void liveAnalysisRules(String kind, String what, Consumer<ObjectNode> edit, boolean admitted, String field) {
    ObjectNode object;
    try {
      object = (ObjectNode) YAML.readTree(live(kind));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    edit.accept(object);
    assertSameVerdict(object, liveType(kind), what, field, admitted);
  }

  private static String live(String kind) {
    return switch (kind) {
      case "ABTest" -> LIVE_ABTEST;
      case "ShadowTest" -> LIVE_SHADOWTEST;
      case "CircuitBreaker" -> LIVE_CIRCUITBREAKER;
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static Class<? extends HasMetadata> liveType(String kind) {
    return switch (kind) {
      case "ABTest" -> ABTest.class;
      case "ShadowTest" -> io.mlserving.operator.api.v1alpha1.ShadowTest.class;
      case "CircuitBreaker" -> io.mlserving.operator.api.v1alpha1.CircuitBreaker.class;
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** {@code base} with the field at a dotted path (no list items) set to the node {@code value}. */
  private static JsonNode withNode(String base, String field, JsonNode value) throws java.io.IOException {
    ObjectNode root = (ObjectNode) YAML.readTree(base);
    String[] parts = field.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = parent.path(parts[i]);
    }
    ((ObjectNode) parent).set(parts[parts.length - 1], value);
    return root;
  }

  private static Arguments edit(String what, Consumer<ObjectNode> edit, boolean admitted, String admissionField,
      String validateField) {
    return Arguments.of(what, edit, admitted, admissionField, validateField);
  }

  private static ObjectNode spec(ObjectNode canary) {
    return (ObjectNode) canary.get("spec");
  }

  private static ObjectNode analysis(ObjectNode canary) {
    return (ObjectNode) spec(canary).get("analysis");
  }

  private static ObjectNode metric(ObjectNode canary, int i) {
    return (ObjectNode) analysis(canary).get("metrics").get(i);
  }

  private static void steps(ObjectNode canary, int... steps) {
    ArrayNode list = spec(canary).putArray("steps");
    for (int s : steps) {
      list.add(s);
    }
  }

  private static void metrics(ObjectNode canary, int n) {
    ArrayNode list = analysis(canary).putArray("metrics");
    for (int i = 0; i < n; i++) {
      list.addObject().put("name", "m" + i).put("query", "vector(" + i + ")").put("max", 1);
    }
  }

  private static void assertSameVerdict(String base, Class<? extends HasMetadata> type, String field, String value,
      boolean admitted) {
    assertSameVerdict(with(base, field, value), type, field + " = " + value, field, admitted);
  }

  private static void assertSameVerdict(JsonNode object, Class<? extends HasMetadata> type, String field,
      boolean admitted) {
    assertSameVerdict(object, type, field, field, admitted);
  }

  private static void assertSameVerdict(JsonNode object, Class<? extends HasMetadata> type, String what,
      String field, boolean admitted) {
    List<io.mlserving.operator.testing.Problem> admission = crds.validate(object).problems();
    List<Problem> validate = Validation.validate(typed(object, type));
    assertThat(admission.isEmpty()).as("admission of %s: %s", what, admission).isEqualTo(admitted);
    assertThat(validate.isEmpty()).as("validate of %s: %s", what, validate).isEqualTo(admitted);
    if (!admitted) {
      assertThat(validate).as("validate names %s", field).allMatch(p -> p.field().equals(field));
    }
  }

  private static List<Problem> problems(String base, Class<? extends HasMetadata> type, String field, String value) {
    return Validation.validate(typed(with(base, field, value), type));
  }

  /** {@code base} with the field at a dotted path (list items as {@code [i]}) set to {@code value}. */
  private static JsonNode with(String base, String field, String value) {
    try {
      ObjectNode root = (ObjectNode) YAML.readTree(base);
      String[] parts = field.split("\\.");
      JsonNode parent = root;
      for (int i = 0; i < parts.length - 1; i++) {
        parent = parent.path(parts[i]);
      }
      String last = parts[parts.length - 1];
      int bracket = last.indexOf('[');
      if (bracket < 0) {
        ((ObjectNode) parent).put(last, value);
      } else {
        ArrayNode list = (ArrayNode) parent.path(last.substring(0, bracket));
        list.set(Integer.parseInt(last.substring(bracket + 1, last.length() - 1)), value);
      }
      return root;
    } catch (Exception e) {
      throw new IllegalStateException("cannot set " + field + " in the base resource", e);
    }
  }

  private static HasMetadata typed(JsonNode object, Class<? extends HasMetadata> type) {
    try {
      return YAML.treeToValue(object, type);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the resource as " + type.getSimpleName(), e);
    }
  }
}
