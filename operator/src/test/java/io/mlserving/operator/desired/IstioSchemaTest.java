package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.abTest;
import static io.mlserving.operator.desired.TestCrs.circuitBreaker;
import static io.mlserving.operator.desired.TestCrs.exact;
import static io.mlserving.operator.desired.TestCrs.fraudAb;
import static io.mlserving.operator.desired.TestCrs.prefix;
import static io.mlserving.operator.desired.TestCrs.regex;
import static io.mlserving.operator.desired.TestCrs.retries;
import static io.mlserving.operator.desired.TestCrs.route;
import static io.mlserving.operator.desired.TestCrs.shadowTest;
import static io.mlserving.operator.desired.TestCrs.sticky;
import static io.mlserving.operator.desired.TestCrs.v;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetryBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.ConnectionPool;
import io.mlserving.operator.api.v1alpha1.OutlierDetection;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.StickySession;
import io.mlserving.operator.testing.CanaryTestCrs;
import io.mlserving.operator.testing.CrdValidator;
import io.mlserving.operator.testing.CrdValidator.Options;
import io.mlserving.operator.testing.IstioCrds;
import io.mlserving.operator.testing.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Istio object we generate passes the Istio CRD schema as the API server checks it on create
 * ({@link CrdValidator} on the vendored Istio CRDs: schema, CEL rules, and no unknown field, which the API
 * server would prune and which would be a bug of ours) and the rules of istiod's webhook that concern the
 * fields we set.
 */
class IstioSchemaTest {
  /**
   * As {@code kubectl apply} creating the object (unknown fields refused, defaults applied), but with every
   * CEL rule evaluated even after a schema error, so that a bad object shows all its problems.
   */
  static final Options OPTIONS = Options.admission().withSkipRulesAfterBlockingErrors(false);

  private static CrdValidator istio;

  @BeforeAll
  static void load() {
    istio = IstioCrds.validator();
  }

  /** The problems of {@code object}, each as {@code <field>: <message>}. */
  static List<String> problems(JsonNode object, Options options) {
    return istio.validate(object, options).problems().stream().map(Problem::toString).toList();
  }

  /** Custom resources that between them set every field the Istio builders use. */
  static List<HasMetadata> corpus() {
    List<HasMetadata> crs = new ArrayList<>();
    crs.add(fraudAb());

    ABTest full = fraudAb();
    full.getSpec().setHost("fraud");
    full.getSpec().setRoutes(List.of(
        route("candidate", "x-user-group", exact("beta"), "x-tenant", prefix("acme-")),
        route("control", "x-debug", regex("^(1|true)$")),
        route("candidate", "user-agent", exact(""))));
    full.getSpec().setStickySession(sticky("ab_group", "90m"));
    full.getSpec().setGateways(List.of("istio-ingress/public", "mesh", "internal-gw"));
    full.getSpec().setExternalHosts(List.of("fraud.example.com", "*.fraud.example.org", "fraud"));
    full.getSpec().setTimeout("5s");
    full.getSpec().setRetries(retries(2, "2s", "5xx,reset"));
    crs.add(full);

    ABTest retriesOff = abTest("retries-off", v("a", "m-a", 100), v("b", "m-b", 0), v("c", "m-c", 0));
    retriesOff.getSpec().setStickySession(new StickySession());
    retriesOff.getSpec().setRetries(retries(0, "2s", "5xx"));
    retriesOff.getSpec().setTimeout("1500ms");
    crs.add(retriesOff);

    ShadowTest shadow = shadowTest("fraud-shadow", "fraud-v1", "fraud-v2");
    crs.add(shadow);
    for (double percent : new double[] {0.0, 0.0001, 12.5, 100.0}) {
      ShadowTest st = shadowTest("shadow-" + crs.size(), "fraud-v1", "fraud-v2");
      st.getSpec().setMirrorPercent(percent);
      st.getSpec().setGateways(List.of("istio-ingress/public"));
      st.getSpec().setExternalHosts(List.of("shadow.example.com"));
      st.getSpec().setTimeout("1m30s");
      crs.add(st);
    }

    for (Integer weight : new Integer[] {null, 0, 1, 5, 50, 99, 100}) {
      // Every weight a rollout passes through: Waiting (no status, or 0), the steps, Promoted (100).
      Canary c = CanaryTestCrs.fraudRollout();
      c.getMetadata().setName("canary-" + crs.size());
      if (weight != null) {
        CanaryStatus status = new CanaryStatus();
        status.setCanaryWeight(weight);
        c.setStatus(status);
      }
      crs.add(c);
    }
    Canary canaryFull = CanaryTestCrs.fraudRollout();
    canaryFull.getMetadata().setName("canary-full");
    canaryFull.getSpec().setGateways(List.of("istio-ingress/public", "mesh"));
    canaryFull.getSpec().setExternalHosts(List.of("fraud.example.com", "fraud"));
    canaryFull.getSpec().setTimeout("2500ms");
    canaryFull.getSpec().setRetries(retries(3, "1s", "5xx,gateway-error"));
    CanaryStatus atStep = new CanaryStatus();
    atStep.setCanaryWeight(25);
    canaryFull.setStatus(atStep);
    crs.add(canaryFull);
    Canary canaryRetriesOff = CanaryTestCrs.canary("canary-retries-off", "fraud-v1", "fraud-v2", 50);
    canaryRetriesOff.getSpec().setRetries(retries(0, "1s", "5xx"));
    crs.add(canaryRetriesOff);

    crs.add(circuitBreaker("cb-defaults", "fraud-v1"));
    CircuitBreaker cbFull = circuitBreaker("cb-full", "fraud-v1");
    ConnectionPool pool = new ConnectionPool();
    pool.setMaxConnections(100);
    pool.setMaxPendingRequests(10);
    pool.setMaxRequestsPerConnection(1);
    pool.setConnectTimeout("1s");
    cbFull.getSpec().setConnectionPool(pool);
    OutlierDetection od = new OutlierDetection();
    od.setConsecutive5xxErrors(3);
    od.setInterval("1m");
    od.setBaseEjectionTime("2m30s");
    od.setMaxEjectionPercent(100);
    cbFull.getSpec().setOutlierDetection(od);
    crs.add(cbFull);
    CircuitBreaker cbHalf = circuitBreaker("cb-half", "fraud-v2");
    ConnectionPool httpOnly = new ConnectionPool();
    httpOnly.setMaxRequestsPerConnection(0);
    cbHalf.getSpec().setConnectionPool(httpOnly);
    crs.add(cbHalf);
    CircuitBreaker cbEmptyPool = circuitBreaker("cb-empty-pool", "fraud-v2");
    cbEmptyPool.getSpec().setConnectionPool(new ConnectionPool());
    crs.add(cbEmptyPool);
    return crs;
  }

  static Stream<Arguments> istioObjects() {
    List<Arguments> out = new ArrayList<>();
    for (IstioApi api : IstioApi.values()) {
      for (HasMetadata cr : corpus()) {
        for (HasMetadata o : DesiredResources.of(cr, null, api)) {
          if (o.getApiVersion().startsWith(IstioApi.GROUP + "/")) {
            out.add(Arguments.of(api.version() + " " + cr.getKind() + "/" + cr.getMetadata().getName(), o));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("istioObjects")
  void passesTheIstioCrdSchema(String label, HasMetadata object) {
    assertThat(problems(IstioCrds.json(object), OPTIONS)).as(Serialization.asYaml(object)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("istioObjects")
  void passesIstiodsWebhookRules(String label, HasMetadata object) {
    assertThat(IstioWebhookRules.problems(object)).as(Serialization.asYaml(object)).isEmpty();
  }

  @Test
  void corpusCoversBothKindsInBothVersions() {
    assertThat(istioObjects().map(a -> (HasMetadata) a.get()[1]).map(HasMetadata::getApiVersion).distinct())
        .containsExactlyInAnyOrder("networking.istio.io/v1", "networking.istio.io/v1beta1");
    assertThat(istioObjects().map(a -> ((HasMetadata) a.get()[1]).getKind()).distinct())
        .containsExactlyInAnyOrder("VirtualService", "DestinationRule");
    assertThat(istioObjects().map(a -> (HasMetadata) a.get()[1])
        .filter(o -> o.getMetadata().getLabels().get(Labels.OWNER_KIND).equals("Canary"))
        .map(HasMetadata::getApiVersion).distinct())
        .as("Canary VirtualServices in both versions")
        .containsExactlyInAnyOrder("networking.istio.io/v1", "networking.istio.io/v1beta1");
  }

  // ---- the checkers themselves catch what they should ----

  @Test
  void schemaCheckReportsFieldsTheApiServerWouldPrune() {
    JsonNode bad = json("""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "x", "namespace": "models"},
         "spec": {"hosts": ["x"], "http": [{
           "name": "r", "bogus": 1, "route": [{"destination": {"host": "x", "port": {"number": 80}}}]}]}}
        """);
    assertThat(problems(bad, OPTIONS)).containsExactly("spec.http[0].bogus: field not declared in schema");
    // Without strict field validation the API server drops it silently: what we must never rely on.
    CrdValidator.Result lax = istio.validate(bad, OPTIONS.withRejectUnknownFields(false));
    assertThat(lax.problems()).isEmpty();
    assertThat(lax.object().at("/spec/http/0").has("bogus")).as("pruned").isFalse();
  }

  @Test
  void schemaCheckCatchesWrongTypesBadDurationsAndOneOf() {
    JsonNode bad = json("""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "x", "namespace": "models"},
         "spec": {"hosts": ["x"], "http": [{
           "name": "r", "timeout": "0s",
           "match": [{"headers": {"h": {"exact": "a", "prefix": "b"}}}],
           "route": [{"destination": {"host": "x", "port": {"number": "eighty"}}, "weight": 100}]}]}}
        """);
    assertThat(problems(bad, OPTIONS)).containsExactlyInAnyOrder(
        "spec.http[0].timeout: must be a valid duration greater than 1ms",
        "spec.http[0].route[0].destination.port.number: Invalid value: \"string\": must be of type integer",
        "spec.http[0].match[0].headers[h]: must validate one and only one schema (oneOf)");
  }

  @Test
  void schemaCheckCatchesAMissingRequiredHost() {
    JsonNode bad = json("""
        {"apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule", "metadata": {"name": "x", "namespace": "models"},
         "spec": {"trafficPolicy": {"outlierDetection": {"interval": "10s"}}}}
        """);
    assertThat(problems(bad, OPTIONS)).containsExactly("spec.host: Required value");
  }

  @Test
  void webhookCheckCatchesARetryPolicyWithZeroAttempts() {
    var vs = ABTestResources.virtualService(fraudAb());
    vs.getSpec().getHttp().get(0).setRetries(new HTTPRetryBuilder().withAttempts(0).withPerTryTimeout("2s").build());
    assertThat(IstioWebhookRules.problems(vs)).anyMatch(p -> p.contains("attempts are set to 0"));
  }

  @Test
  void webhookCheckCatchesSubMillisecondDurationsAndDuplicateHosts() {
    ABTest ab = fraudAb();
    ab.getSpec().setTimeout("1500us");
    var vs = ABTestResources.virtualService(ab);
    vs.getSpec().getHosts().add(vs.getSpec().getHosts().get(0));
    assertThat(IstioWebhookRules.problems(vs))
        .anyMatch(p -> p.contains("ms precision"))
        .anyMatch(p -> p.contains("duplicate host"));
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
