package io.mlserving.operator.testing;

import static io.mlserving.operator.testing.CrdValidatorTest.problems;
import static io.mlserving.operator.testing.CrdValidatorTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * CrdValidator on Istio's own CRDs (the vendored {@value IstioCrds#VENDORED}): every rule of every version
 * compiles with the Kubernetes CEL environment, and Istio objects of the shapes the operator generates
 * are admitted or refused as on a cluster.
 */
class IstioCrdsTest {
  static final Path ISTIO_CRDS = IstioCrds.file();

  private static CrdValidator istio;

  @BeforeAll
  static void load() {
    istio = IstioCrds.validator();
  }

  /**
   * The vendored copy is the one in the shared folder beside the checkout, when there is one (a plain clone
   * has none: then there is nothing to compare, and the report says so).
   */
  @Test
  void vendoredCopyIsTheSharedOne(TestReporter reporter) throws IOException {
    Path root = CrdFiles.projectRoot();
    Path vendored = root.resolve(IstioCrds.VENDORED);
    Path shared = root.resolve(IstioCrds.SHARED).normalize();
    assertThat(vendored).as("the vendored Istio CRDs").isRegularFile();
    assertThat(Files.mismatch(vendored, ISTIO_CRDS)).as("%s on the test classpath is %s", ISTIO_CRDS, vendored)
        .isEqualTo(-1L);
    if (!Files.exists(shared)) {
      String note = "no " + shared + " beside the checkout: the vendored " + IstioCrds.VENDORED + " is not compared";
      reporter.publishEntry("istio-crds", note);
      System.out.println("IstioCrdsTest: " + note);
      return;
    }
    long mismatch = Files.mismatch(shared, vendored);
    if (mismatch != -1L) {
      byte[] bytes = Files.readAllBytes(vendored);
      long line = 1;
      for (int i = 0; i < Math.min(mismatch, bytes.length); i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      fail("%s differs from %s (first at line %d): refresh it from the project root with `%s`, then run"
          + " `mvn -B -o test` and commit it", IstioCrds.VENDORED, IstioCrds.SHARED, line, IstioCrds.REFRESH_COMMAND);
    }
  }

  @Test
  void compilesEveryRuleOfEveryVersion() {
    int rules = 0;
    for (JsonNode crd : CrdValidator.readDocuments(ISTIO_CRDS)) {
      rules += countRules(crd);
    }
    assertThat(rules).as("rules in %s", ISTIO_CRDS.getFileName()).isGreaterThan(300);
    assertThat(istio.ruleCount()).as("rules compiled").isEqualTo(rules);
    assertThat(istio.kinds()).contains("networking.istio.io/v1 VirtualService",
        "networking.istio.io/v1beta1 VirtualService", "networking.istio.io/v1 DestinationRule",
        "extensions.istio.io/v1alpha1 WasmPlugin", "security.istio.io/v1 PeerAuthentication");
  }

  private static int countRules(JsonNode node) {
    int count = 0;
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        count += field.getKey().equals("x-kubernetes-validations") ? field.getValue().size() : countRules(field.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        count += countRules(item);
      }
    }
    return count;
  }

  @Test
  void admitsAWeightedVirtualServiceWithMirrorTimeoutAndRetries() {
    assertThat(problems(istio, yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: fraud-ab, namespace: models}
        spec:
          hosts: [fraud, fraud.example.com]
          gateways: [mesh, istio-ingress/public]
          http:
          - name: route-0
            match: [{headers: {x-user-group: {exact: beta}}}]
            route: [{destination: {host: fraud-v2.models.svc.cluster.local, port: {number: 80}}}]
            timeout: 5s
            retries: {attempts: 2, perTryTimeout: 2s, retryOn: '5xx,reset'}
          - name: weighted
            route:
            - {destination: {host: fraud-v1.models.svc.cluster.local, port: {number: 80}}, weight: 90,
               headers: {response: {set: {Set-Cookie: mlserving-variant=control}}}}
            - {destination: {host: fraud-v2.models.svc.cluster.local, port: {number: 80}}, weight: 10}
            mirror: {host: fraud-v3.models.svc.cluster.local, port: {number: 80}}
            mirrorPercentage: {value: 50}
        """))).isEmpty();
  }

  @Test
  void refusesBadDurationsInAVirtualService() {
    assertThat(problems(istio, yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: models}
        spec:
          hosts: [fraud]
          http:
          - route: [{destination: {host: fraud-v1}}]
            timeout: 0s
            retries: {attempts: 2, perTryTimeout: 0.5ms}
        """))).containsExactlyInAnyOrder(
            "spec.http[0].timeout: must be a valid duration greater than 1ms",
            "spec.http[0].retries.perTryTimeout: must be a valid duration greater than 1ms");
  }

  @Test
  void admitsACircuitBreakingDestinationRuleAndRefusesWildcardLabels() {
    assertThat(problems(istio, yaml("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: fraud-v1, namespace: models}
        spec:
          host: fraud-v1.models.svc.cluster.local
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 100, connectTimeout: 1s}
              http: {http1MaxPendingRequests: 10, maxRequestsPerConnection: 1}
            outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
        """))).isEmpty();
    assertThat(problems(istio, yaml("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: dr, namespace: models}
        spec:
          host: fraud-v1
          workloadSelector: {matchLabels: {'app*': fraud}}
          trafficPolicy: {outlierDetection: {interval: 1 second}}
        """))).contains("spec.workloadSelector.matchLabels: wildcard not allowed in label key match")
        .anyMatch(p -> p.startsWith("spec.trafficPolicy.outlierDetection.interval: ")
            && p.endsWith("evaluating rule: must be a valid duration greater than 1ms"));
  }

  @Test
  void evaluatesTheUrlRulesOfWasmPlugins() {
    String plugin = """
        apiVersion: extensions.istio.io/v1alpha1
        kind: WasmPlugin
        metadata: {name: auth, namespace: models}
        spec: {url: %s}
        """;
    assertThat(problems(istio, yaml(plugin.formatted("oci://ghcr.io/acme/auth:1.0")))).isEmpty();
    assertThat(problems(istio, yaml(plugin.formatted("ghcr.io/acme/auth:1.0")))).isEmpty();
    assertThat(problems(istio, yaml(plugin.formatted("ftp://example.com/auth.wasm"))))
        .containsExactly("spec.url: url must have schema one of [http, https, file, oci]");
  }

  @Test
  void convertsMapKeysWithIntInPeerAuthentications() {
    String peer = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: strict, namespace: models}
        spec:
          selector: {matchLabels: {app: fraud}}
          portLevelMtls: {'%s': {mode: STRICT}}
        """;
    assertThat(problems(istio, yaml(peer.formatted("8080")))).isEmpty();
    assertThat(problems(istio, yaml(peer.formatted("70000"))))
        .containsExactly("spec.portLevelMtls: port must be between 1-65535");
  }
}
