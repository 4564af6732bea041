package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.abTest;
import static io.mlserving.operator.desired.TestCrs.circuitBreaker;
import static io.mlserving.operator.desired.TestCrs.exact;
import static io.mlserving.operator.desired.TestCrs.fraudAb;
import static io.mlserving.operator.desired.TestCrs.inferenceService;
import static io.mlserving.operator.desired.TestCrs.retries;
import static io.mlserving.operator.desired.TestCrs.route;
import static io.mlserving.operator.desired.TestCrs.shadowTest;
import static io.mlserving.operator.desired.TestCrs.sticky;
import static io.mlserving.operator.desired.TestCrs.v;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.ConnectionPool;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.config.LoaderImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class DesiredResourcesTest {
  private static final LoaderImages IMAGES = LoaderImages.defaults();

  private static InferenceService scaledIsvc(String name) {
    InferenceService isvc = inferenceService(name);
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMaxReplicas(5);
    isvc.getSpec().setAutoscaling(as);
    ModelSpec model = new ModelSpec();
    model.setStorageUri("s3://models/" + name);
    isvc.getSpec().setModel(model);
    return isvc;
  }

  private static ABTest richAb() {
    ABTest ab = fraudAb();
    ab.getSpec().setHost("fraud");
    ab.getSpec().setRoutes(List.of(route("candidate", "x-user-group", exact("beta"), "x-a", exact("1"))));
    ab.getSpec().setStickySession(sticky("c", "1h"));
    ab.getSpec().setGateways(List.of("istio-ingress/public"));
    ab.getSpec().setExternalHosts(List.of("fraud.example.com"));
    ab.getSpec().setTimeout("5s");
    ab.getSpec().setRetries(retries(2, "2s", "5xx"));
    return ab;
  }

  private static CircuitBreaker richCb() {
    CircuitBreaker cb = circuitBreaker("fraud-cb", "fraud-v1");
    ConnectionPool pool = new ConnectionPool();
    pool.setMaxConnections(10);
    pool.setConnectTimeout("1s");
    cb.getSpec().setConnectionPool(pool);
    return cb;
  }

  /** One of each kind, with most fields set. */
  private static List<HasMetadata> crs() {
    ShadowTest st = shadowTest("fraud-shadow", "fraud-v1", "fraud-v2");
    st.getSpec().setMirrorPercent(25.0);
    return List.of(scaledIsvc("fraud-v1"), inferenceService("fraud-v2"), richAb(), st, richCb());
  }

  private static HasMetadata withoutUid(HasMetadata cr) {
    cr.getMetadata().setUid(null);
    return cr;
  }

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of(inferenceService("fraud-v1"), List.of("Deployment/fraud-v1", "Service/fraud-v1")),
        Arguments.of(scaledIsvc("fraud-v1"),
            List.of("Deployment/fraud-v1", "Service/fraud-v1", "HorizontalPodAutoscaler/fraud-v1")),
        Arguments.of(fraudAb(), List.of("Service/fraud-ab", "VirtualService/fraud-ab")),
        Arguments.of(richAb(), List.of("Service/fraud", "VirtualService/fraud-ab")),
        Arguments.of(shadowTest("fraud-shadow", "a", "b"), List.of("Service/fraud-shadow", "VirtualService/fraud-shadow")),
        Arguments.of(circuitBreaker("fraud-cb", "fraud-v1"), List.of("DestinationRule/fraud-cb")));
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void eachKindGeneratesItsObjectsInAStableOrder(HasMetadata cr, List<String> want) {
    assertThat(DesiredResources.of(cr, IMAGES, IstioApi.V1))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyElementsOf(want);
  }

  @Test
  void inferenceServiceObjectsAreInferenceServiceResources() {
    InferenceService isvc = scaledIsvc("fraud-v1");
    assertThat(Serialization.asYaml(DesiredResources.of(isvc, IMAGES, IstioApi.V1BETA1)))
        .isEqualTo(Serialization.asYaml(InferenceServiceResources.all(isvc, IMAGES)));
  }

  @Test
  void inferenceServicesNeedNoIstioApiAndTheOthersNoImages() {
    assertThat(DesiredResources.of(inferenceService("m"), IMAGES, null)).hasSize(2);
    assertThat(DesiredResources.of(fraudAb(), null, IstioApi.V1)).hasSize(2);
  }

  @Test
  void otherKindsAreRejected() {
    var cm = new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build();
    assertThatThrownBy(() -> DesiredResources.of(cm, IMAGES, IstioApi.V1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ConfigMap");
  }

  @ParameterizedTest
  @EnumSource(IstioApi.class)
  void istioObjectsUseTheChosenVersion(IstioApi api) {
    List<HasMetadata> out = DesiredResources.ofAll(crs(), IMAGES, api);
    assertThat(out).filteredOn(o -> o.getKind().equals("VirtualService") || o.getKind().equals("DestinationRule"))
        .hasSize(3)
        .allSatisfy(o -> assertThat(o.getApiVersion()).isEqualTo(api.apiVersion()));
    assertThat(out).filteredOn(o -> o.getKind().equals("VirtualService"))
        .allSatisfy(o -> assertThat(o).isInstanceOf(api.virtualServiceClass()));
    assertThat(out).filteredOn(o -> o.getKind().equals("DestinationRule"))
        .allSatisfy(o -> assertThat(o).isInstanceOf(api.destinationRuleClass()));
  }

  @Test
  void everyObjectHasTheOwnershipLabelsAndAControllerReference() {
    for (HasMetadata cr : crs()) {
      for (HasMetadata o : DesiredResources.of(cr, IMAGES, IstioApi.V1)) {
        String what = o.getKind() + "/" + o.getMetadata().getName() + " of " + cr.getKind();
        assertThat(o.getMetadata().getNamespace()).as(what).isEqualTo("models");
        assertThat(o.getMetadata().getLabels()).as(what).containsAllEntriesOf(Map.of(
            "app.kubernetes.io/managed-by", "mlserving-operator",
            "app.kubernetes.io/part-of", "mlserving",
            "mlserving.io/owner-kind", cr.getKind(),
            "mlserving.io/owner-name", cr.getMetadata().getName()));
        assertThat(o.getMetadata().getOwnerReferences()).as(what).singleElement().satisfies(ref -> {
          assertThat(ref.getApiVersion()).isEqualTo("mlserving.io/v1alpha1");
          assertThat(ref.getKind()).isEqualTo(cr.getKind());
          assertThat(ref.getName()).isEqualTo(cr.getMetadata().getName());
          assertThat(ref.getUid()).isEqualTo(cr.getMetadata().getUid());
          assertThat(ref.getController()).isTrue();
          assertThat(ref.getBlockOwnerDeletion()).isTrue();
        });
      }
    }
  }

  @Test
  void withoutAUidThereIsNoOwnerReferenceButTheLabelsStay() {
    for (HasMetadata cr : crs()) {
      withoutUid(cr);
      for (HasMetadata o : DesiredResources.of(cr, IMAGES, IstioApi.V1)) {
        String what = o.getKind() + "/" + o.getMetadata().getName() + " of " + cr.getKind();
        assertThat(o.getMetadata().getOwnerReferences()).as(what).isNullOrEmpty();
        assertThat(o.getMetadata().getLabels()).as(what)
            .containsEntry("mlserving.io/owner-kind", cr.getKind())
            .containsEntry("mlserving.io/owner-name", cr.getMetadata().getName());
      }
    }
  }

  @Test
  void twoBuildsAreIdentical() {
    String first = Serialization.asYaml(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1));
    String second = Serialization.asYaml(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1));
    assertThat(second).isEqualTo(first);
    assertThat(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1))
        .isEqualTo(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1));
  }

  @Test
  void theVersionsDifferOnlyInApiVersion() {
    String v1 = Serialization.asYaml(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1));
    String v1beta1 = Serialization.asYaml(DesiredResources.ofAll(crs(), IMAGES, IstioApi.V1BETA1));
    assertThat(v1beta1.replace("networking.istio.io/v1beta1", "networking.istio.io/v1")).isEqualTo(v1);
  }

  @Test
  void ofAllSortsByKindThenNamespaceThenName() {
    List<HasMetadata> crs = new ArrayList<>(List.of(
        circuitBreaker("b-cb", "m1"),
        abTest("zz", v("a", "m1", 50), v("b", "m2", 50)),
        circuitBreaker("a-cb", "m2"),
        inferenceService("m2"),
        inferenceService("m1")));
    InferenceService other = inferenceService("m0");
    other.getMetadata().setNamespace("zoo");
    crs.add(other);

    assertThat(DesiredResources.ofAll(crs, IMAGES, IstioApi.V1))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .containsExactly(
            "Deployment/models/m1",
            "Deployment/models/m2",
            "Deployment/zoo/m0",
            "DestinationRule/models/a-cb",
            "DestinationRule/models/b-cb",
            "Service/models/m1",
            "Service/models/m2",
            "Service/models/zz",
            "Service/zoo/m0",
            "VirtualService/models/zz");
  }

  @Test
  void inputOrderDoesNotChangeTheOutput() {
    List<HasMetadata> forward = crs();
    List<HasMetadata> backward = new ArrayList<>(crs());
    java.util.Collections.reverse(backward);
    assertThat(Serialization.asYaml(DesiredResources.ofAll(backward, IMAGES, IstioApi.V1)))
        .isEqualTo(Serialization.asYaml(DesiredResources.ofAll(forward, IMAGES, IstioApi.V1)));
  }
}
