package io.mlserving.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.desired.Durations;
import io.mlserving.operator.testing.CrdValidator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Validation and admission (the generated CRDs, schema and CEL) give the same verdict on the values each
 * shared rule decides: one field of a valid resource is set to the value, and both must admit it or both
 * refuse it on that field.
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
