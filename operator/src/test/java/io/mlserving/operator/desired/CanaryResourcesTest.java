package io.mlserving.operator.desired;

import static io.mlserving.operator.testing.CanaryTestCrs.NS;
import static io.mlserving.operator.testing.CanaryTestCrs.analysis;
import static io.mlserving.operator.testing.CanaryTestCrs.canary;
import static io.mlserving.operator.testing.CanaryTestCrs.fraudRollout;
import static io.mlserving.operator.testing.CanaryTestCrs.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.Retries;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What a Canary generates: the apex Service on the stable, one weighted route at the status' weight. */
class CanaryResourcesTest {

  static Canary withWeight(Canary c, Integer weight) {
    CanaryStatus s = new CanaryStatus();
    s.setPhase(CanaryPhase.Progressing);
    s.setCanaryWeight(weight);
    c.setStatus(s);
    return c;
  }

  static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService spec(Canary c) {
    return ((io.fabric8.istio.api.networking.v1.VirtualService) CanaryResources.virtualService(c, IstioApi.V1))
        .getSpec();
  }

  static HTTPRoute onlyRoute(Canary c) {
    List<HTTPRoute> http = spec(c).getHttp();
    assertThat(http).hasSize(1);
    return http.get(0);
  }

  static String fqdn(String isvc) {
    return isvc + "." + NS + ".svc.cluster.local";
  }

  // ---- apex Service ----

  @Test
  void apexServiceIsTheHostAndSelectsTheStablesPods() {
    Service svc = CanaryResources.apexService(fraudRollout(), "http");
    assertThat(svc.getMetadata().getName()).isEqualTo("fraud");
    assertThat(svc.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry(Labels.INFERENCE_SERVICE, "fraud-v1"));
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(80);
      assertThat(p.getTargetPort()).isEqualTo(new IntOrString("http"));
    });
  }

  @ParameterizedTest(name = "weight {0}")
  @CsvSource({"0", "25", "100"})
  void apexServiceStaysOnTheStableAtEveryWeight(int weight) {
    // The apex is for clients outside the mesh, where no VirtualService applies: they get the stable throughout.
    Service svc = CanaryResources.apexService(withWeight(fraudRollout(), weight), "grpc");
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry(Labels.INFERENCE_SERVICE, "fraud-v1"));
    assertThat(svc.getSpec().getPorts().get(0).getName()).isEqualTo("grpc");
  }

  @Test
  void hostDefaultsToMetadataName() {
    Canary c = canary("fraud-rollout", "fraud-v1", "fraud-v2", 10);
    assertThat(CanaryResources.host(c)).isEqualTo("fraud-rollout");
    assertThat(CanaryResources.url(c)).isEqualTo("http://fraud-rollout." + NS + ".svc.cluster.local");
    assertThat(CanaryResources.apexService(c, "http").getMetadata().getName()).isEqualTo("fraud-rollout");
    assertThat(spec(c).getHosts()).containsExactly("fraud-rollout");
  }

  // ---- the weighted route ----

  static Stream<Arguments> weights() {
    return Stream.of(
        Arguments.of(null, 100, 0),
        Arguments.of(0, 100, 0),
        Arguments.of(5, 95, 5),
        Arguments.of(25, 75, 25),
        Arguments.of(50, 50, 50),
        Arguments.of(99, 1, 99),
        Arguments.of(100, 0, 100));
  }

  @ParameterizedTest(name = "status canaryWeight {0}: stable {1}, canary {2}")
  @MethodSource("weights")
  void weightsFollowTheStatus(Integer status, int stable, int canary) {
    HTTPRoute route = onlyRoute(withWeight(fraudRollout(), status));
    assertThat(route.getName()).isEqualTo(CanaryResources.WEIGHTED_ROUTE);
    assertThat(route.getRoute()).extracting(d -> d.getDestination().getHost())
        .containsExactly(fqdn("fraud-v1"), fqdn("fraud-v2"));
    assertThat(route.getRoute()).extracting(HTTPRouteDestination::getWeight).containsExactly(stable, canary);
    assertThat(route.getRoute()).allSatisfy(d -> assertThat(d.getDestination().getPort().getNumber()).isEqualTo(80L));
    assertThat(route.getMatch()).isNullOrEmpty();
  }

  @Test
  void withoutStatusTheCanaryGetsNothing() {
    // What render prints: the Waiting state.
    Canary fresh = fraudRollout();
    assertThat(fresh.getStatus().getCanaryWeight()).as("a new Canary's empty status").isNull();
    Canary none = fraudRollout();
    none.setStatus(null);
    for (Canary c : List.of(fresh, none)) {
      assertThat(CanaryResources.canaryWeight(c)).isZero();
      assertThat(onlyRoute(c).getRoute()).extracting(HTTPRouteDestination::getWeight).containsExactly(100, 0);
    }
  }

  @Test
  void aWeightOutsideZeroToHundredIsClamped() {
    assertThat(CanaryResources.canaryWeight(withWeight(fraudRollout(), -5))).isZero();
    assertThat(CanaryResources.canaryWeight(withWeight(fraudRollout(), 140))).isEqualTo(100);
  }

  @Test
  void hostsAndGatewaysAsInABTest() {
    Canary c = fraudRollout();
    c.getSpec().setExternalHosts(List.of("fraud.example.com", "fraud"));
    c.getSpec().setGateways(List.of("istio-ingress/public", "mesh"));
    assertThat(spec(c).getHosts()).containsExactly("fraud", "fraud.example.com");
    assertThat(spec(c).getGateways()).containsExactly("mesh", "istio-ingress/public");

    Canary meshOnly = fraudRollout();
    assertThat(spec(meshOnly).getGateways()).isNullOrEmpty();
  }

  static Stream<Arguments> timeoutRetryCases() {
    return Stream.of(
        Arguments.of(null, null, null),
        Arguments.of("5s", null, null),
        Arguments.of(null, retries(2, "2s", "5xx,reset"), new HTTPRetry(2, null, "2s", null, "5xx,reset", null)),
        // attempts 0 turns retries off; Istio rejects a perTryTimeout or retryOn next to it.
        Arguments.of("5s", retries(0, "2s", "5xx"), new HTTPRetry(0, null, null, null, null, null)));
  }

  static Retries retries(Integer attempts, String perTryTimeout, String retryOn) {
    Retries r = new Retries();
    r.setAttempts(attempts);
    r.setPerTryTimeout(perTryTimeout);
    r.setRetryOn(retryOn);
    return r;
  }

  @ParameterizedTest
  @MethodSource("timeoutRetryCases")
  void timeoutAndRetriesGoOnTheRoute(String timeout, Retries given, HTTPRetry want) {
    Canary c = withWeight(fraudRollout(), 25);
    c.getSpec().setTimeout(timeout);
    c.getSpec().setRetries(given);
    assertThat(onlyRoute(c).getTimeout()).isEqualTo(timeout);
    assertThat(onlyRoute(c).getRetries()).isEqualTo(want);
  }

  // ---- metadata, versions, the whole set ----

  @Test
  void virtualServiceIsNamedAfterTheCanaryAndOwnedByIt() {
    HasMetadata vs = CanaryResources.virtualService(fraudRollout(), IstioApi.V1);
    assertThat(vs.getMetadata().getName()).isEqualTo("fraud-rollout");
    assertThat(vs.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(vs.getMetadata().getLabels()).containsExactly(
        Map.entry("app.kubernetes.io/managed-by", "mlserving-operator"),
        Map.entry("app.kubernetes.io/part-of", "mlserving"),
        Map.entry("mlserving.io/owner-kind", "Canary"),
        Map.entry("mlserving.io/owner-name", "fraud-rollout"));
    assertThat(vs.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getApiVersion()).isEqualTo("mlserving.io/v1alpha1");
      assertThat(ref.getKind()).isEqualTo("Canary");
      assertThat(ref.getName()).isEqualTo("fraud-rollout");
      assertThat(ref.getUid()).isEqualTo("uid-fraud-rollout");
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
    assertThat(CanaryResources.apexService(fraudRollout(), "http").getMetadata().getOwnerReferences())
        .singleElement().satisfies(ref -> assertThat(ref.getKind()).isEqualTo("Canary"));
  }

  @Test
  void v1beta1HasTheSameSpecUnderAnotherApiVersion() {
    Canary c = withWeight(fraudRollout(), 25);
    var v1 = (io.fabric8.istio.api.networking.v1.VirtualService) CanaryResources.virtualService(c, IstioApi.V1);
    var v1beta1 = (io.fabric8.istio.api.networking.v1beta1.VirtualService)
        CanaryResources.virtualService(c, IstioApi.V1BETA1);
    assertThat(v1.getApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(v1beta1.getApiVersion()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(v1beta1.getSpec()).isEqualTo(v1.getSpec());
    assertThat(v1beta1.getMetadata()).isEqualTo(v1.getMetadata());
  }

  @Test
  void allIsTheApexServiceThenTheVirtualService() {
    assertThat(CanaryResources.all(fraudRollout(), IstioApi.V1, "http"))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly("Service/fraud", "VirtualService/fraud-rollout");
    assertThat(DesiredResources.of(fraudRollout(), null, IstioApi.V1))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly("Service/fraud", "VirtualService/fraud-rollout");
  }

  @Test
  void aStepChangesTheTwoWeightsAndNothingElse() {
    String at5 = Serialization.asYaml(CanaryResources.virtualService(withWeight(fraudRollout(), 5), IstioApi.V1));
    String at25 = Serialization.asYaml(CanaryResources.virtualService(withWeight(fraudRollout(), 25), IstioApi.V1));
    assertThat(at25.replace("weight: 75", "weight: 95").replace("weight: 25", "weight: 5")).isEqualTo(at5);
  }

  @Test
  void theSpecIsNotModified() {
    Canary c = withWeight(fraudRollout(), 50);
    c.getSpec().setGateways(new java.util.ArrayList<>(List.of("gw", "mesh")));
    String before = Serialization.asYaml(c);
    CanaryResources.all(c, IstioApi.V1, "http");
    assertThat(Serialization.asYaml(c)).isEqualTo(before);
  }

  // ---- defaults ----

  @Test
  void defaultsOfTheDurationsAndTheAnalysis() {
    CanarySpec bare = canary("c", "a", "b", 10).getSpec();
    assertThat(CanaryResources.stepInterval(bare)).isEqualTo(Duration.ofMinutes(1));
    assertThat(CanaryResources.progressDeadline(bare)).isEqualTo(Duration.ofMinutes(10));
    assertThat(CanaryResources.window(bare)).as("window without analysis").isEqualTo(Duration.ofMinutes(1));
    assertThat(CanaryResources.failureThreshold(bare)).isEqualTo(2);
    assertThat(CanaryResources.minRequests(bare)).isEqualTo(1);

    bare.setAnalysis(analysis(metric(CanaryMetric.SUCCESS_RATE, 99.0, null)));
    assertThat(CanaryResources.window(bare)).isEqualTo(Duration.ofMinutes(1));
    assertThat(CanaryResources.failureThreshold(bare)).isEqualTo(2);
    assertThat(CanaryResources.minRequests(bare)).isEqualTo(1);

    bare.setStepInterval("45s");
    assertThat(CanaryResources.window(bare)).as("window defaults to stepInterval").isEqualTo(Duration.ofSeconds(45));
    bare.getAnalysis().setWindow("");
    assertThat(CanaryResources.window(bare)).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void givenValuesWin() {
    CanarySpec spec = fraudRollout().getSpec();
    spec.setStepInterval("30s");
    spec.setProgressDeadline("1h30m");
    spec.getAnalysis().setWindow("2m");
    spec.getAnalysis().setFailureThreshold(5);
    spec.getAnalysis().setMinRequests(0);
    assertThat(CanaryResources.stepInterval(spec)).isEqualTo(Duration.ofSeconds(30));
    assertThat(CanaryResources.progressDeadline(spec)).isEqualTo(Duration.ofMinutes(90));
    assertThat(CanaryResources.window(spec)).isEqualTo(Duration.ofMinutes(2));
    assertThat(CanaryResources.failureThreshold(spec)).isEqualTo(5);
    assertThat(CanaryResources.minRequests(spec)).isZero();
  }

  @Test
  void theDefaultsAreTheContractsAndTheCrdsConstants() {
    assertThat(CanarySpec.DEFAULT_STEP_INTERVAL).isEqualTo("1m");
    assertThat(CanarySpec.DEFAULT_PROGRESS_DEADLINE).isEqualTo("10m");
    assertThat(io.mlserving.operator.api.v1alpha1.CanaryAnalysis.DEFAULT_FAILURE_THRESHOLD).isEqualTo(2);
  }
}
