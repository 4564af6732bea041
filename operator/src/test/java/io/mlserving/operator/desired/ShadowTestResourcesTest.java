package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.NS;
import static io.mlserving.operator.desired.TestCrs.shadowTest;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShadowTestResourcesTest {

  private static ShadowTest fraudShadow() {
    return shadowTest("fraud-shadow", "fraud-v1", "fraud-v2");
  }

  private static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService spec(ShadowTest st) {
    return ShadowTestResources.virtualService(st).getSpec();
  }

  private static HTTPRoute onlyRoute(ShadowTest st) {
    assertThat(spec(st).getHttp()).hasSize(1);
    return spec(st).getHttp().get(0);
  }

  @Test
  void apexServiceSelectsThePrimary() {
    ShadowTest st = fraudShadow();
    st.getSpec().setHost("fraud");
    Service svc = ShadowTestResources.apexService(st);

    assertThat(svc.getMetadata().getName()).isEqualTo("fraud");
    assertThat(svc.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry("mlserving.io/inference-service", "fraud-v1"));
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(80);
      assertThat(p.getTargetPort()).isEqualTo(new IntOrString("http"));
    });
  }

  @Test
  void hostDefaultsToMetadataName() {
    assertThat(ShadowTestResources.apexService(fraudShadow()).getMetadata().getName()).isEqualTo("fraud-shadow");
    assertThat(spec(fraudShadow()).getHosts()).containsExactly("fraud-shadow");
    assertThat(ShadowTestResources.url(fraudShadow())).isEqualTo("http://fraud-shadow.models.svc.cluster.local");
  }

  @Test
  void apexServicePortCanBeNamedForGrpc() {
    ServicePort port = ShadowTestResources.apexService(fraudShadow(), "grpc").getSpec().getPorts().get(0);
    assertThat(port.getName()).isEqualTo("grpc");
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("grpc"));
  }

  static Stream<Arguments> hostAndGatewayCases() {
    return Stream.of(
        Arguments.of(null, null, null, List.of("fraud-shadow"), null),
        Arguments.of("fraud", List.of("fraud.example.com"), null, List.of("fraud", "fraud.example.com"), null),
        Arguments.of("fraud", List.of("fraud.example.com", "fraud"), List.of("istio-ingress/public"),
            List.of("fraud", "fraud.example.com"), List.of("mesh", "istio-ingress/public")),
        Arguments.of(null, null, List.of("gw", "mesh", "gw"), List.of("fraud-shadow"), List.of("mesh", "gw")));
  }

  @ParameterizedTest
  @MethodSource("hostAndGatewayCases")
  void hostsAndGatewaysAsInABTest(String host, List<String> external, List<String> gateways,
      List<String> wantHosts, List<String> wantGateways) {
    ShadowTest st = fraudShadow();
    st.getSpec().setHost(host);
    st.getSpec().setExternalHosts(external);
    st.getSpec().setGateways(gateways);
    assertThat(spec(st).getHosts()).containsExactlyElementsOf(wantHosts);
    if (wantGateways == null) {
      assertThat(spec(st).getGateways()).isNullOrEmpty();
    } else {
      assertThat(spec(st).getGateways()).containsExactlyElementsOf(wantGateways);
    }
  }

  @Test
  void everyRequestGoesToThePrimary() {
    HTTPRoute r = onlyRoute(fraudShadow());
    assertThat(r.getName()).isEqualTo("primary");
    assertThat(r.getMatch()).isNullOrEmpty();
    assertThat(r.getRoute()).singleElement().satisfies(d -> {
      assertThat(d.getDestination().getHost()).isEqualTo("fraud-v1.models.svc.cluster.local");
      assertThat(d.getDestination().getPort().getNumber()).isEqualTo(80L);
      // The only destination gets all of the traffic, and says so.
      assertThat(d.getWeight()).isEqualTo(100);
    });
  }

  @Test
  void theShadowGetsTheMirror() {
    HTTPRoute r = onlyRoute(fraudShadow());
    assertThat(r.getMirror().getHost()).isEqualTo("fraud-v2.models.svc.cluster.local");
    assertThat(r.getMirror().getPort().getNumber()).isEqualTo(80L);
    assertThat(r.getMirrors()).isNullOrEmpty();
    assertThat(r.getMirrorPercent()).isNull();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(doubles = {100.0, 50.0, 12.5, 0.0, 0.01})
  void mirrorPercentageIsTheSpecValueDefaulting100(Double given) {
    ShadowTest st = fraudShadow();
    st.getSpec().setMirrorPercent(given);
    double want = given == null ? 100.0 : given;
    assertThat(onlyRoute(st).getMirrorPercentage().getValue()).isEqualTo(want);
    assertThat(ShadowTestResources.mirrorPercent(st)).isEqualTo(want);
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {"null", "5s", "250ms", "1m"})
  void timeoutGoesOnTheRoute(String timeout) {
    ShadowTest st = fraudShadow();
    st.getSpec().setTimeout(timeout);
    assertThat(onlyRoute(st).getTimeout()).isEqualTo(timeout);
    assertThat(onlyRoute(st).getRetries()).isNull();
  }

  @Test
  void virtualServiceIsNamedAfterTheShadowTestAndOwnedByIt() {
    ShadowTest st = fraudShadow();
    st.getSpec().setHost("fraud");
    var vs = ShadowTestResources.virtualService(st);
    assertThat(vs.getMetadata().getName()).isEqualTo("fraud-shadow");
    assertThat(vs.getMetadata().getLabels())
        .containsEntry("mlserving.io/owner-kind", "ShadowTest")
        .containsEntry("mlserving.io/owner-name", "fraud-shadow")
        .containsEntry("app.kubernetes.io/managed-by", "mlserving-operator")
        .containsEntry("app.kubernetes.io/part-of", "mlserving");
    assertThat(vs.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getKind()).isEqualTo("ShadowTest");
      assertThat(ref.getUid()).isEqualTo("uid-fraud-shadow");
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  @Test
  void v1beta1HasTheSameSpecUnderAnotherApiVersion() {
    ShadowTest st = fraudShadow();
    st.getSpec().setMirrorPercent(10.0);
    var v1 = (io.fabric8.istio.api.networking.v1.VirtualService) ShadowTestResources.virtualService(st, IstioApi.V1);
    var v1beta1 = (io.fabric8.istio.api.networking.v1beta1.VirtualService)
        ShadowTestResources.virtualService(st, IstioApi.V1BETA1);
    assertThat(v1.getApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(v1beta1.getApiVersion()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(v1beta1.getSpec()).isEqualTo(v1.getSpec());
  }

  @Test
  void allIsTheApexServiceThenTheVirtualService() {
    assertThat(ShadowTestResources.all(fraudShadow(), IstioApi.V1))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly("Service/fraud-shadow", "VirtualService/fraud-shadow");
  }

  @Test
  void buildsAreIdentical() {
    ShadowTest st = fraudShadow();
    st.getSpec().setGateways(List.of("gw"));
    st.getSpec().setMirrorPercent(33.3);
    assertThat(Serialization.asYaml(ShadowTestResources.all(st, IstioApi.V1)))
        .isEqualTo(Serialization.asYaml(ShadowTestResources.all(st, IstioApi.V1)));
  }
}
