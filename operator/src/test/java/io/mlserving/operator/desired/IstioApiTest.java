package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRuleBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IstioApiTest {

  @Test
  void v1IsTheDefault() {
    assertThat(IstioApi.DEFAULT).isEqualTo(IstioApi.V1);
  }

  @ParameterizedTest
  @CsvSource({
      "V1,      v1,      networking.istio.io/v1",
      "V1BETA1, v1beta1, networking.istio.io/v1beta1"})
  void namesItsVersion(IstioApi api, String version, String apiVersion) {
    assertThat(api.version()).isEqualTo(version);
    assertThat(api.apiVersion()).isEqualTo(apiVersion);
  }

  @ParameterizedTest
  @CsvSource({
      "v1, V1", "V1, V1", "' v1 ', V1", "networking.istio.io/v1, V1",
      "v1beta1, V1BETA1", "V1Beta1, V1BETA1", "networking.istio.io/v1beta1, V1BETA1"})
  void parsesVersionsAndApiVersions(String text, IstioApi want) {
    assertThat(IstioApi.parse(text)).isEqualTo(want);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v1alpha3", "v2", "networking.istio.io/v1alpha3", "istio.io/v1"})
  void rejectsOtherVersionsNamingTheAcceptedOnes(String text) {
    assertThatThrownBy(() -> IstioApi.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v1, v1beta1");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> IstioApi.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildsObjectsOfItsVersion() {
    var meta = new ObjectMetaBuilder().withName("x").withNamespace("ns").build();
    var vsSpec = new VirtualServiceBuilder().withHosts("x").build();
    var drSpec = new DestinationRuleBuilder().withHost("x.ns.svc.cluster.local").build();
    for (IstioApi api : IstioApi.values()) {
      HasMetadata vs = api.virtualService(meta, vsSpec);
      HasMetadata dr = api.destinationRule(meta, drSpec);
      assertThat(vs).isInstanceOf(api.virtualServiceClass());
      assertThat(dr).isInstanceOf(api.destinationRuleClass());
      assertThat(vs.getApiVersion()).isEqualTo(api.apiVersion());
      assertThat(dr.getApiVersion()).isEqualTo(api.apiVersion());
      assertThat(vs.getKind()).isEqualTo("VirtualService");
      assertThat(dr.getKind()).isEqualTo("DestinationRule");
      assertThat(vs.getMetadata()).isEqualTo(meta);
    }
    assertThat(IstioApi.V1.virtualServiceClass()).isEqualTo(io.fabric8.istio.api.networking.v1.VirtualService.class);
    assertThat(IstioApi.V1BETA1.destinationRuleClass())
        .isEqualTo(io.fabric8.istio.api.networking.v1beta1.DestinationRule.class);
  }
}
