package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.circuitBreaker;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.ConnectionPool;
import io.mlserving.operator.api.v1alpha1.OutlierDetection;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakerResourcesTest {

  private static CircuitBreaker fraudCb() {
    return circuitBreaker("fraud-cb", "fraud-v1");
  }

  private static TrafficPolicy policy(CircuitBreaker cb) {
    return CircuitBreakerResources.destinationRule(cb).getSpec().getTrafficPolicy();
  }

  private static ConnectionPool pool(Integer maxConnections, Integer maxPending, Integer maxPerConnection,
      String connectTimeout) {
    ConnectionPool p = new ConnectionPool();
    p.setMaxConnections(maxConnections);
    p.setMaxPendingRequests(maxPending);
    p.setMaxRequestsPerConnection(maxPerConnection);
    p.setConnectTimeout(connectTimeout);
    return p;
  }

  private static OutlierDetection od(Integer errors, String interval, String ejection, Integer percent) {
    OutlierDetection o = new OutlierDetection();
    o.setConsecutive5xxErrors(errors);
    o.setInterval(interval);
    o.setBaseEjectionTime(ejection);
    o.setMaxEjectionPercent(percent);
    return o;
  }

  @Test
  void destinationRuleIsNamedAfterTheCircuitBreakerForTheInferenceServiceHost() {
    var dr = CircuitBreakerResources.destinationRule(fraudCb());
    assertThat(dr.getMetadata().getName()).isEqualTo("fraud-cb");
    assertThat(dr.getMetadata().getNamespace()).isEqualTo("models");
    assertThat(dr.getSpec().getHost()).isEqualTo("fraud-v1.models.svc.cluster.local");
    assertThat(CircuitBreakerResources.host(fraudCb())).isEqualTo("fraud-v1.models.svc.cluster.local");
    assertThat(dr.getSpec().getSubsets()).isNullOrEmpty();
    assertThat(dr.getSpec().getExportTo()).isNullOrEmpty();
  }

  /** given pool -> expected tcp.maxConnections, tcp.connectTimeout, http.http1MaxPendingRequests, http.maxRequestsPerConnection. */
  static Stream<Arguments> poolCases() {
    return Stream.of(
        Arguments.of(pool(100, null, null, null), 100, null, null, null),
        Arguments.of(pool(null, null, null, "1s"), null, "1s", null, null),
        Arguments.of(pool(null, 10, null, null), null, null, 10, null),
        Arguments.of(pool(null, null, 1, null), null, null, null, 1),
        Arguments.of(pool(null, null, 0, null), null, null, null, 0),
        Arguments.of(pool(100, 10, null, null), 100, null, 10, null),
        Arguments.of(pool(100, 10, 1, "250ms"), 100, "250ms", 10, 1));
  }

  @ParameterizedTest
  @MethodSource("poolCases")
  void connectionPoolHasOnlyTheGivenFields(ConnectionPool given, Integer maxConnections, String connectTimeout,
      Integer maxPending, Integer maxPerConnection) {
    CircuitBreaker cb = fraudCb();
    cb.getSpec().setConnectionPool(given);
    ConnectionPoolSettings settings = policy(cb).getConnectionPool();

    if (maxConnections == null && connectTimeout == null) {
      assertThat(settings.getTcp()).isNull();
    } else {
      assertThat(settings.getTcp().getMaxConnections()).isEqualTo(maxConnections);
      assertThat(settings.getTcp().getConnectTimeout()).isEqualTo(connectTimeout);
      assertThat(settings.getTcp().getIdleTimeout()).isNull();
      assertThat(settings.getTcp().getMaxConnectionDuration()).isNull();
      assertThat(settings.getTcp().getTcpKeepalive()).isNull();
    }
    if (maxPending == null && maxPerConnection == null) {
      assertThat(settings.getHttp()).isNull();
    } else {
      assertThat(settings.getHttp().getHttp1MaxPendingRequests()).isEqualTo(maxPending);
      assertThat(settings.getHttp().getMaxRequestsPerConnection()).isEqualTo(maxPerConnection);
      assertThat(settings.getHttp().getHttp2MaxRequests()).isNull();
      assertThat(settings.getHttp().getMaxRetries()).isNull();
      assertThat(settings.getHttp().getIdleTimeout()).isNull();
    }
  }

  @Test
  void onlyGivenFieldsAreSerialised() {
    CircuitBreaker cb = fraudCb();
    cb.getSpec().setConnectionPool(pool(100, null, null, null));
    String yaml = Serialization.asYaml(CircuitBreakerResources.destinationRule(cb));
    assertThat(yaml).contains("maxConnections: 100")
        .doesNotContain("http1MaxPendingRequests", "maxRequestsPerConnection", "connectTimeout", "http:");
  }

  @Test
  void noConnectionPoolWithoutLimits() {
    CircuitBreaker absent = fraudCb();
    CircuitBreaker empty = fraudCb();
    empty.getSpec().setConnectionPool(new ConnectionPool());
    // Istio rejects a connectionPool without a field.
    assertThat(policy(absent).getConnectionPool()).isNull();
    assertThat(policy(empty).getConnectionPool()).isNull();
  }

  /** given outlierDetection -> consecutive5xxErrors, interval, baseEjectionTime, maxEjectionPercent. */
  static Stream<Arguments> outlierCases() {
    return Stream.of(
        Arguments.of(null, 5, "10s", "30s", 50),
        Arguments.of(new OutlierDetection(), 5, "10s", "30s", 50),
        Arguments.of(od(3, null, null, null), 3, "10s", "30s", 50),
        Arguments.of(od(null, "1m", null, null), 5, "1m", "30s", 50),
        Arguments.of(od(null, null, "2m", null), 5, "10s", "2m", 50),
        Arguments.of(od(null, null, null, 100), 5, "10s", "30s", 100),
        Arguments.of(od(null, null, null, 0), 5, "10s", "30s", 0),
        Arguments.of(od(1, "500ms", "5s", 10), 1, "500ms", "5s", 10));
  }

  @ParameterizedTest
  @MethodSource("outlierCases")
  void outlierDetectionIsAlwaysPresentWithDefaultsOverriddenByTheSpec(OutlierDetection given, int errors,
      String interval, String ejection, int percent) {
    CircuitBreaker cb = fraudCb();
    cb.getSpec().setOutlierDetection(given);
    var od = policy(cb).getOutlierDetection();

    assertThat(od.getConsecutive5xxErrors()).isEqualTo(errors);
    assertThat(od.getInterval()).isEqualTo(interval);
    assertThat(od.getBaseEjectionTime()).isEqualTo(ejection);
    assertThat(od.getMaxEjectionPercent()).isEqualTo(percent);
    assertThat(od.getConsecutiveErrors()).isNull();
    assertThat(od.getConsecutiveGatewayErrors()).isNull();
    assertThat(od.getMinHealthPercent()).isNull();
  }

  @Test
  void defaultsAreTheContractsConstants() {
    var od = policy(fraudCb()).getOutlierDetection();
    assertThat(od.getConsecutive5xxErrors()).isEqualTo(OutlierDetection.DEFAULT_CONSECUTIVE_5XX).isEqualTo(5);
    assertThat(od.getInterval()).isEqualTo(OutlierDetection.DEFAULT_INTERVAL).isEqualTo("10s");
    assertThat(od.getBaseEjectionTime()).isEqualTo(OutlierDetection.DEFAULT_BASE_EJECTION_TIME).isEqualTo("30s");
    assertThat(od.getMaxEjectionPercent()).isEqualTo(OutlierDetection.DEFAULT_MAX_EJECTION_PERCENT).isEqualTo(50);
  }

  @Test
  void trafficPolicyHasNothingElse() {
    TrafficPolicy p = policy(fraudCb());
    assertThat(p.getLoadBalancer()).isNull();
    assertThat(p.getTls()).isNull();
    assertThat(p.getPortLevelSettings()).isNullOrEmpty();
  }

  @Test
  void destinationRuleIsOwnedByTheCircuitBreaker() {
    var meta = CircuitBreakerResources.destinationRule(fraudCb()).getMetadata();
    assertThat(meta.getLabels())
        .containsEntry("mlserving.io/owner-kind", "CircuitBreaker")
        .containsEntry("mlserving.io/owner-name", "fraud-cb")
        .containsEntry("app.kubernetes.io/managed-by", "mlserving-operator")
        .containsEntry("app.kubernetes.io/part-of", "mlserving");
    assertThat(meta.getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getKind()).isEqualTo("CircuitBreaker");
      assertThat(ref.getApiVersion()).isEqualTo("mlserving.io/v1alpha1");
      assertThat(ref.getName()).isEqualTo("fraud-cb");
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  @Test
  void v1beta1HasTheSameSpecUnderAnotherApiVersion() {
    CircuitBreaker cb = fraudCb();
    cb.getSpec().setConnectionPool(pool(100, 10, 1, "1s"));
    var v1 = (io.fabric8.istio.api.networking.v1.DestinationRule)
        CircuitBreakerResources.destinationRule(cb, IstioApi.V1);
    var v1beta1 = (io.fabric8.istio.api.networking.v1beta1.DestinationRule)
        CircuitBreakerResources.destinationRule(cb, IstioApi.V1BETA1);
    assertThat(v1.getApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(v1beta1.getApiVersion()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(v1.getKind()).isEqualTo("DestinationRule");
    assertThat(v1beta1.getKind()).isEqualTo("DestinationRule");
    assertThat(v1beta1.getSpec()).isEqualTo(v1.getSpec());
  }
}
