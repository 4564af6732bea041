package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.NS;
import static io.mlserving.operator.desired.TestCrs.abTest;
import static io.mlserving.operator.desired.TestCrs.exact;
import static io.mlserving.operator.desired.TestCrs.fraudAb;
import static io.mlserving.operator.desired.TestCrs.prefix;
import static io.mlserving.operator.desired.TestCrs.regex;
import static io.mlserving.operator.desired.TestCrs.retries;
import static io.mlserving.operator.desired.TestCrs.route;
import static io.mlserving.operator.desired.TestCrs.sticky;
import static io.mlserving.operator.desired.TestCrs.v;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Retries;
import io.mlserving.operator.api.v1alpha1.StickySession;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ABTestResourcesTest {

  private static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService spec(ABTest ab) {
    return ABTestResources.virtualService(ab).getSpec();
  }

  private static List<HTTPRoute> http(ABTest ab) {
    return spec(ab).getHttp();
  }

  private static HTTPRoute named(ABTest ab, String name) {
    return http(ab).stream().filter(r -> name.equals(r.getName())).findFirst().orElseThrow();
  }

  private static String fqdn(String isvc) {
    return isvc + "." + NS + ".svc.cluster.local";
  }

  private static String setCookieOf(HTTPRouteDestination d) {
    return d.getHeaders() == null ? null : d.getHeaders().getResponse().getAdd().get("Set-Cookie");
  }

  // ---- apex Service ----

  @Test
  void apexServiceIsNamedAfterTheHostAndSelectsTheFirstVariant() {
    ABTest ab = fraudAb();
    ab.getSpec().setHost("fraud");
    Service svc = ABTestResources.apexService(ab);

    assertThat(svc.getMetadata().getName()).isEqualTo("fraud");
    assertThat(svc.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry("mlserving.io/inference-service", "fraud-v1"));
    ServicePort port = svc.getSpec().getPorts().get(0);
    assertThat(svc.getSpec().getPorts()).hasSize(1);
    assertThat(port.getName()).isEqualTo("http");
    assertThat(port.getPort()).isEqualTo(80);
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));
    assertThat(port.getProtocol()).isEqualTo("TCP");
  }

  @Test
  void apexServiceFollowsTheFirstVariantInSpecOrder() {
    ABTest ab = abTest("ab", v("b", "model-b", 50), v("a", "model-a", 50));
    assertThat(ABTestResources.apexService(ab).getSpec().getSelector())
        .containsEntry("mlserving.io/inference-service", "model-b");
  }

  @Test
  void apexServiceHostDefaultsToMetadataName() {
    assertThat(ABTestResources.apexService(fraudAb()).getMetadata().getName()).isEqualTo("fraud-ab");
    assertThat(ABTestResources.host(fraudAb())).isEqualTo("fraud-ab");
    assertThat(ABTestResources.url(fraudAb())).isEqualTo("http://fraud-ab.models.svc.cluster.local");
  }

  @Test
  void apexServicePortCanBeNamedForGrpc() {
    ServicePort port = ABTestResources.apexService(fraudAb(), "grpc").getSpec().getPorts().get(0);
    assertThat(port.getName()).isEqualTo("grpc");
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("grpc"));
    assertThat(port.getPort()).isEqualTo(80);
  }

  // ---- hosts and gateways ----

  static Stream<Arguments> hostCases() {
    return Stream.of(
        Arguments.of(null, null, List.of("fraud-ab")),
        Arguments.of("fraud", null, List.of("fraud")),
        Arguments.of("fraud", List.of(), List.of("fraud")),
        Arguments.of("fraud", List.of("fraud.example.com"), List.of("fraud", "fraud.example.com")),
        Arguments.of(null, List.of("b.example.com", "a.example.com"),
            List.of("fraud-ab", "b.example.com", "a.example.com")),
        Arguments.of("fraud", List.of("fraud.example.com", "fraud.example.com"), List.of("fraud", "fraud.example.com")),
        Arguments.of("fraud", List.of("fraud", "*.example.com"), List.of("fraud", "*.example.com")));
  }

  @ParameterizedTest
  @MethodSource("hostCases")
  void hostsAreTheHostThenTheExternalHostsWithoutDuplicates(String host, List<String> external, List<String> want) {
    ABTest ab = fraudAb();
    ab.getSpec().setHost(host);
    ab.getSpec().setExternalHosts(external);
    assertThat(spec(ab).getHosts()).containsExactlyElementsOf(want);
  }

  static Stream<Arguments> gatewayCases() {
    return Stream.of(
        Arguments.of(null, null),
        Arguments.of(List.of(), null),
        Arguments.of(List.of("istio-ingress/public"), List.of("mesh", "istio-ingress/public")),
        Arguments.of(List.of("public", "istio-ingress/internal"), List.of("mesh", "public", "istio-ingress/internal")),
        Arguments.of(List.of("mesh"), List.of("mesh")),
        Arguments.of(List.of("mesh", "istio-ingress/public"), List.of("mesh", "istio-ingress/public")),
        Arguments.of(List.of("istio-ingress/public", "mesh"), List.of("mesh", "istio-ingress/public")),
        Arguments.of(List.of("istio-ingress/public", "istio-ingress/public"), List.of("mesh", "istio-ingress/public")));
  }

  @ParameterizedTest
  @MethodSource("gatewayCases")
  void gatewaysAreTheMeshThenTheGivenOnesOnlyWhenGiven(List<String> given, List<String> want) {
    ABTest ab = fraudAb();
    ab.getSpec().setGateways(given);
    if (want == null) {
      assertThat(spec(ab).getGateways()).isNullOrEmpty();
      assertThat(Serialization.asYaml(ABTestResources.virtualService(ab))).doesNotContain("gateways");
    } else {
      assertThat(spec(ab).getGateways()).containsExactlyElementsOf(want);
    }
  }

  // ---- route order and names ----

  static Stream<Arguments> routeOrderCases() {
    return Stream.of(
        Arguments.of(false, false, List.of("weighted")),
        Arguments.of(true, false, List.of("route-0", "route-1", "weighted")),
        Arguments.of(false, true, List.of("sticky-control", "sticky-candidate", "weighted")),
        Arguments.of(true, true, List.of("route-0", "route-1", "sticky-control", "sticky-candidate", "weighted")));
  }

  @ParameterizedTest
  @MethodSource("routeOrderCases")
  void routesComeConditionsFirstThenCookiesThenWeights(boolean routes, boolean stickySession, List<String> names) {
    ABTest ab = fraudAb();
    if (routes) {
      ab.getSpec().setRoutes(List.of(
          route("candidate", "x-user-group", exact("beta")),
          route("control", "x-user-group", exact("staff"))));
    }
    if (stickySession) {
      ab.getSpec().setStickySession(new StickySession());
    }
    assertThat(http(ab)).extracting(HTTPRoute::getName).containsExactlyElementsOf(names);
    assertThat(http(ab).get(http(ab).size() - 1).getMatch()).isNullOrEmpty();
  }

  // ---- condition routes ----

  static Stream<Arguments> stringMatchCases() {
    return Stream.of(
        Arguments.of(exact("beta"), new StringMatchExact("beta")),
        Arguments.of(prefix("be"), new StringMatchPrefix("be")),
        Arguments.of(regex("^b(eta|ravo)$"), new StringMatchRegex("^b(eta|ravo)$")),
        Arguments.of(exact(""), new StringMatchExact("")));
  }

  @ParameterizedTest
  @MethodSource("stringMatchCases")
  void conditionRouteCarriesTheHeaderMatch(StringMatch given, Object want) {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("candidate", "x-user-group", given)));
    HTTPRoute r = named(ab, "route-0");

    assertThat(r.getMatch()).hasSize(1);
    assertThat(r.getMatch().get(0).getHeaders()).containsOnlyKeys("x-user-group");
    assertThat(r.getMatch().get(0).getHeaders().get("x-user-group").getMatchType()).isEqualTo(want);
  }

  @Test
  void conditionRouteSendsToItsVariantAloneWithoutWeightOrCookie() {
    ABTest ab = fraudAb();
    ab.getSpec().setStickySession(new StickySession());
    ab.getSpec().setRoutes(List.of(route("candidate", "x-user-group", exact("beta"))));
    HTTPRoute r = named(ab, "route-0");

    assertThat(r.getRoute()).hasSize(1);
    HTTPRouteDestination d = r.getRoute().get(0);
    assertThat(d.getDestination().getHost()).isEqualTo(fqdn("fraud-v2"));
    assertThat(d.getDestination().getPort().getNumber()).isEqualTo(80L);
    assertThat(d.getWeight()).isNull();
    assertThat(d.getHeaders()).isNull();
  }

  @Test
  void allHeadersOfARouteAreOneMatchSortedByName() {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(
        route("candidate", "x-z", exact("1"), "x-a", prefix("2"), "x-m", regex("3"))));
    HTTPRoute r = named(ab, "route-0");
    assertThat(r.getMatch()).hasSize(1);
    assertThat(r.getMatch().get(0).getHeaders().keySet()).containsExactly("x-a", "x-m", "x-z");
  }

  @Test
  void conditionRoutesKeepSpecOrderAndIndexNames() {
    ABTest ab = abTest("ab", v("a", "m-a", 40), v("b", "m-b", 30), v("c", "m-c", 30));
    ab.getSpec().setRoutes(List.of(
        route("c", "h", exact("1")), route("a", "h", exact("2")), route("c", "h", exact("3"))));
    assertThat(http(ab).subList(0, 3))
        .extracting(r -> r.getName() + "->" + r.getRoute().get(0).getDestination().getHost())
        .containsExactly("route-0->" + fqdn("m-c"), "route-1->" + fqdn("m-a"), "route-2->" + fqdn("m-c"));
  }

  @Test
  void routeToAnUnknownVariantIsRejectedNamingTheField() {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("control", "h", exact("1")), route("nope", "h", exact("2"))));
    assertThatThrownBy(() -> ABTestResources.virtualService(ab))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.routes[1].variant")
        .hasMessageContaining("nope");
  }

  @Test
  void routeWithoutHeadersIsRejectedRatherThanMatchingEverything() {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("control")));
    assertThatThrownBy(() -> ABTestResources.virtualService(ab))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.routes[0].headers");
  }

  @Test
  void headerMatchWithTwoKindsIsRejected() {
    StringMatch both = exact("a");
    both.setPrefix("b");
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("control", "x-h", both)));
    assertThatThrownBy(() -> ABTestResources.virtualService(ab))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.routes[0].headers.x-h");
  }

  // ---- sticky session: cookie routes ----

  @Test
  void cookieRouteMatchesTheCookieHeaderAndSendsToItsVariant() {
    ABTest ab = fraudAb();
    ab.getSpec().setStickySession(new StickySession());
    HTTPRoute r = named(ab, "sticky-candidate");

    assertThat(r.getMatch()).hasSize(1);
    assertThat(r.getMatch().get(0).getHeaders()).containsOnlyKeys("cookie");
    assertThat(r.getMatch().get(0).getHeaders().get("cookie").getMatchType())
        .isEqualTo(new StringMatchRegex("^(.*?;\\s*)?(mlserving-variant=candidate)(;.*)?$"));
    assertThat(r.getRoute()).hasSize(1);
    assertThat(r.getRoute().get(0).getDestination().getHost()).isEqualTo(fqdn("fraud-v2"));
    assertThat(r.getRoute().get(0).getWeight()).isNull();
  }

  @Test
  void cookieRouteUsesTheGivenCookieName() {
    ABTest ab = fraudAb();
    ab.getSpec().setStickySession(sticky("ab_group", null));
    assertThat(named(ab, "sticky-control").getMatch().get(0).getHeaders().get("cookie").getMatchType())
        .isEqualTo(new StringMatchRegex("^(.*?;\\s*)?(ab_group=control)(;.*)?$"));
  }

  @Test
  void weightZeroVariantKeepsItsCookieRouteAsTheContractSays() {
    ABTest ab = abTest("ab", v("control", "m1", 100), v("candidate", "m2", 0));
    ab.getSpec().setStickySession(new StickySession());
    ab.getSpec().setRoutes(List.of(route("candidate", "x-beta", exact("1"))));

    assertThat(http(ab)).extracting(HTTPRoute::getName)
        .containsExactly("route-0", "sticky-control", "sticky-candidate", "weighted");
    assertThat(named(ab, "weighted").getRoute()).extracting(HTTPRouteDestination::getWeight).containsExactly(100, 0);
    assertThat(named(ab, "route-0").getRoute().get(0).getDestination().getHost()).isEqualTo(fqdn("m2"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mlserving-variant=candidate                    | true",
      "a=1; mlserving-variant=candidate               | true",
      "a=1;mlserving-variant=candidate;b=2            | true",
      "mlserving-variant=candidate; b=2               | true",
      "a=1; mlserving-variant=control; z=mlserving-variant=candidate | false",
      "mlserving-variant=candidate2                   | false",
      "mlserving-variant=candidat                     | false",
      "xmlserving-variant=candidate                   | false",
      "a=1; my-mlserving-variant=candidate            | false",
      "mlserving-variant=control                      | false",
      "''                                             | false"})
  void cookieRegexMatchesExactlyTheCookieOfItsVariant(String cookieHeader, boolean matches) {
    String regex = ABTestResources.cookieRegex("mlserving-variant", "candidate");
    // Envoy matches the whole header value (RE2, full match); java.util.regex agrees on this syntax.
    assertThat(Pattern.compile(regex).matcher(cookieHeader.trim()).matches()).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource(delimiterString = "=>", value = {
      "mlserving-variant => mlserving-variant",
      "a_b-c9            => a_b-c9",
      "a.b               => a\\.b",
      "a+b*c?            => a\\+b\\*c\\?",
      "(x)[y]{z}         => \\(x\\)\\[y\\]\\{z\\}",
      "^a|b$             => \\^a\\|b\\$",
      "back\\slash       => back\\\\slash"})
  void regexMetacharactersAreEscaped(String raw, String quoted) {
    assertThat(ABTestResources.quoteRegex(raw)).isEqualTo(quoted);
    assertThat(Pattern.compile(ABTestResources.quoteRegex(raw)).matcher(raw).matches()).isTrue();
  }

  @Test
  void cookieRegexEscapesNamesSoADotIsNotAWildcard() {
    String regex = ABTestResources.cookieRegex("ab.group", "v.1");
    assertThat(regex).isEqualTo("^(.*?;\\s*)?(ab\\.group=v\\.1)(;.*)?$");
    assertThat(Pattern.matches(regex, "ab.group=v.1")).isTrue();
    assertThat(Pattern.matches(regex, "abXgroup=vX1")).isFalse();
  }

  // ---- sticky session: Set-Cookie ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "null              | null   | mlserving-variant=control; Max-Age=86400; Path=/",
      "null              | 24h    | mlserving-variant=control; Max-Age=86400; Path=/",
      "null              | 90m    | mlserving-variant=control; Max-Age=5400; Path=/",
      "ab                | 1h30m  | ab=control; Max-Age=5400; Path=/",
      "ab                | 1.5h   | ab=control; Max-Age=5400; Path=/",
      "ab                | 45s    | ab=control; Max-Age=45; Path=/",
      "ab                | 1500ms | ab=control; Max-Age=1; Path=/",
      "ab                | 168h   | ab=control; Max-Age=604800; Path=/",
      "''                | ''     | mlserving-variant=control; Max-Age=86400; Path=/"})
  void setCookieNamesTheVariantWithMaxAgeInSeconds(String cookieName, String maxAge, String want) {
    ABTest ab = fraudAb();
    ab.getSpec().setStickySession(sticky(cookieName, maxAge));

    assertThat(setCookieOf(named(ab, "weighted").getRoute().get(0))).isEqualTo(want);
    assertThat(setCookieOf(named(ab, "sticky-control").getRoute().get(0))).isEqualTo(want);
  }

  @Test
  void everyWeightedDestinationSetsTheCookieOfItsOwnVariant() {
    ABTest ab = abTest("ab", v("a", "m-a", 50), v("b", "m-b", 50), v("c", "m-c", 0));
    ab.getSpec().setStickySession(new StickySession());
    assertThat(named(ab, "weighted").getRoute()).extracting(ABTestResourcesTest::setCookieOf).containsExactly(
        "mlserving-variant=a; Max-Age=86400; Path=/",
        "mlserving-variant=b; Max-Age=86400; Path=/",
        "mlserving-variant=c; Max-Age=86400; Path=/");
    // Response headers are added, not set: the model's own cookies survive.
    assertThat(named(ab, "weighted").getRoute().get(0).getHeaders().getResponse().getSet()).isNullOrEmpty();
  }

  @Test
  void withoutStickySessionNoDestinationSetsACookie() {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("candidate", "x", exact("1"))));
    assertThat(http(ab)).flatExtracting(HTTPRoute::getRoute).allSatisfy(d -> assertThat(d.getHeaders()).isNull());
    assertThat(Serialization.asYaml(ABTestResources.virtualService(ab))).doesNotContainIgnoringCase("cookie");
  }

  // ---- weighted route ----

  @Test
  void weightedRouteHasEveryVariantInSpecOrderWithItsWeight() {
    ABTest ab = abTest("ab", v("a", "m-a", 70), v("b", "m-b", 30), v("c", "m-c", 0));
    HTTPRoute weighted = named(ab, "weighted");

    assertThat(weighted.getMatch()).isNullOrEmpty();
    assertThat(weighted.getRoute()).extracting(d -> d.getDestination().getHost())
        .containsExactly(fqdn("m-a"), fqdn("m-b"), fqdn("m-c"));
    assertThat(weighted.getRoute()).extracting(d -> d.getDestination().getPort().getNumber())
        .containsOnly(80L);
    assertThat(weighted.getRoute()).extracting(HTTPRouteDestination::getWeight).containsExactly(70, 30, 0);
    assertThat(weighted.getRoute()).extracting(d -> d.getDestination().getSubset()).containsOnlyNulls();
  }

  @Test
  void twoVariantsOnOneInferenceServiceKeepTwoDestinations() {
    ABTest ab = abTest("ab", v("a", "same", 50), v("b", "same", 50));
    assertThat(named(ab, "weighted").getRoute()).hasSize(2);
    assertThat(ABTestResources.inferenceServices(ab)).containsExactly("same");
  }

  // ---- timeout and retries ----

  static Stream<Arguments> timeoutRetryCases() {
    return Stream.of(
        Arguments.of(null, null, null),
        Arguments.of("5s", null, null),
        Arguments.of(null, retries(2, "2s", "5xx,reset"), new HTTPRetry(2, null, "2s", null, "5xx,reset", null)),
        Arguments.of("750ms", retries(3, null, null), new HTTPRetry(3, null, null, null, null, null)),
        Arguments.of("1m", retries(1, "10s", null), new HTTPRetry(1, null, "10s", null, null, null)),
        // attempts 0 turns retries off; Istio rejects a perTryTimeout or retryOn next to it.
        Arguments.of("5s", retries(0, "2s", "5xx"), new HTTPRetry(0, null, null, null, null, null)));
  }

  @ParameterizedTest
  @MethodSource("timeoutRetryCases")
  void timeoutAndRetriesGoOnEveryRoute(String timeout, Retries given, HTTPRetry want) {
    ABTest ab = fraudAb();
    ab.getSpec().setRoutes(List.of(route("candidate", "x", exact("1"))));
    ab.getSpec().setStickySession(new StickySession());
    ab.getSpec().setTimeout(timeout);
    ab.getSpec().setRetries(given);

    assertThat(http(ab)).hasSize(4).allSatisfy(r -> {
      assertThat(r.getTimeout()).isEqualTo(timeout);
      assertThat(r.getRetries()).isEqualTo(want);
    });
  }

  // ---- status helpers ----

  @Test
  void effectiveWeightsFollowSpecOrder() {
    ABTest ab = abTest("ab", v("zeta", "m1", 10), v("alpha", "m2", 90));
    assertThat(ABTestResources.effectiveWeights(ab)).isInstanceOf(LinkedHashMap.class)
        .containsExactly(Map.entry("zeta", 10), Map.entry("alpha", 90));
    assertThat(ABTestResources.weightSummary(ab)).isEqualTo("zeta=10,alpha=90");
  }

  @Test
  void weightSummaryOfTheContractExample() {
    assertThat(ABTestResources.weightSummary(fraudAb())).isEqualTo("control=90,candidate=10");
    assertThat(ABTestResources.effectiveWeights(fraudAb())).containsExactly(
        Map.entry("control", 90), Map.entry("candidate", 10));
  }

  @Test
  void missingWeightCountsAsZero() {
    ABTest ab = abTest("ab", v("a", "m1", 100), new io.mlserving.operator.api.v1alpha1.Variant("b", "m2", null));
    assertThat(ABTestResources.weightSummary(ab)).isEqualTo("a=100,b=0");
    assertThat(named(ab, "weighted").getRoute()).extracting(HTTPRouteDestination::getWeight).containsExactly(100, 0);
  }

  @Test
  void inferenceServicesAreListedOnceInSpecOrder() {
    ABTest ab = abTest("ab", v("a", "m2", 30), v("b", "m1", 30), v("c", "m2", 40));
    assertThat(ABTestResources.inferenceServices(ab)).containsExactly("m2", "m1");
  }

  // ---- metadata, API versions, determinism ----

  @Test
  void virtualServiceIsNamedAfterTheABTestAndOwnedByIt() {
    ABTest ab = fraudAb();
    ab.getSpec().setHost("fraud");
    var vs = ABTestResources.virtualService(ab);

    assertThat(vs.getMetadata().getName()).isEqualTo("fraud-ab");
    assertThat(vs.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(vs.getMetadata().getLabels()).containsExactly(
        Map.entry("app.kubernetes.io/managed-by", "mlserving-operator"),
        Map.entry("app.kubernetes.io/part-of", "mlserving"),
        Map.entry("mlserving.io/owner-kind", "ABTest"),
        Map.entry("mlserving.io/owner-name", "fraud-ab"));
    assertThat(vs.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getApiVersion()).isEqualTo("mlserving.io/v1alpha1");
      assertThat(ref.getKind()).isEqualTo("ABTest");
      assertThat(ref.getName()).isEqualTo("fraud-ab");
      assertThat(ref.getUid()).isEqualTo("uid-fraud-ab");
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  @Test
  void v1beta1HasTheSameSpecUnderAnotherApiVersion() {
    ABTest ab = fraudAb();
    ab.getSpec().setStickySession(new StickySession());
    var v1 = ABTestResources.virtualService(ab, IstioApi.V1);
    var v1beta1 = ABTestResources.virtualService(ab, IstioApi.V1BETA1);

    assertThat(v1).isInstanceOf(io.fabric8.istio.api.networking.v1.VirtualService.class);
    assertThat(v1beta1).isInstanceOf(io.fabric8.istio.api.networking.v1beta1.VirtualService.class);
    assertThat(v1.getApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(v1beta1.getApiVersion()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(v1.getKind()).isEqualTo("VirtualService");
    assertThat(v1beta1.getKind()).isEqualTo("VirtualService");
    assertThat(((io.fabric8.istio.api.networking.v1beta1.VirtualService) v1beta1).getSpec())
        .isEqualTo(((io.fabric8.istio.api.networking.v1.VirtualService) v1).getSpec());
    assertThat(v1beta1.getMetadata()).isEqualTo(v1.getMetadata());
  }

  @Test
  void outputDoesNotDependOnTheOrderOfHeaderMaps() {
    ABTest one = fraudAb();
    one.getSpec().setRoutes(List.of(route("candidate", "x-a", exact("1"), "x-b", exact("2"), "x-c", prefix("3"))));
    ABTest two = fraudAb();
    two.getSpec().setRoutes(List.of(route("candidate", "x-c", prefix("3"), "x-a", exact("1"), "x-b", exact("2"))));
    assertThat(Serialization.asYaml(ABTestResources.virtualService(two)))
        .isEqualTo(Serialization.asYaml(ABTestResources.virtualService(one)));
  }

  @Test
  void theSpecIsNotModified() {
    ABTest ab = fraudAb();
    ab.getSpec().setGateways(new ArrayList<>(Arrays.asList("gw", "mesh")));
    ab.getSpec().setExternalHosts(new ArrayList<>(List.of("a.example.com")));
    String before = Serialization.asYaml(ab);
    ABTestResources.all(ab, IstioApi.V1);
    assertThat(Serialization.asYaml(ab)).isEqualTo(before);
  }
}
