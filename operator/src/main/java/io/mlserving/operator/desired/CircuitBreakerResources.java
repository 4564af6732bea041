package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettingsBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettingsHTTPSettingsBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettingsTCPSettingsBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRuleBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.OutlierDetectionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.ConnectionPool;
import io.mlserving.operator.api.v1alpha1.OutlierDetection;
import java.util.List;

/** CircuitBreaker to a DestinationRule with connection-pool limits and outlier ejection. Pure: no I/O, no clock. */
public final class CircuitBreakerResources {
  private CircuitBreakerResources() {}

  /** Every object the CircuitBreaker generates: its DestinationRule. */
  public static List<HasMetadata> all(CircuitBreaker cb, IstioApi api) {
    return List.of(destinationRule(cb, api));
  }

  /** The protected host, {@code <inferenceService>.<namespace>.svc.cluster.local}, for status.host. */
  public static String host(CircuitBreaker cb) {
    return Names.fqdn(cb.getSpec().getInferenceService(), cb.getMetadata().getNamespace());
  }

  /** The DestinationRule {@code <name>} in networking.istio.io/v1. */
  public static io.fabric8.istio.api.networking.v1.DestinationRule destinationRule(CircuitBreaker cb) {
    return (io.fabric8.istio.api.networking.v1.DestinationRule) destinationRule(cb, IstioApi.V1);
  }

  /** The DestinationRule {@code <name>} in the given networking.istio.io version. */
  public static HasMetadata destinationRule(CircuitBreaker cb, IstioApi api) {
    return api.destinationRule(OwnedMeta.of(cb, cb.getMetadata().getName()), destinationRuleSpec(cb));
  }

  /**
   * The DestinationRule's spec: {@code trafficPolicy.connectionPool} with only the limits the spec gives
   * (absent when it gives none: Istio rejects an empty pool) and {@code trafficPolicy.outlierDetection}
   * always, the contract's defaults overridden field by field.
   */
  public static io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule destinationRuleSpec(CircuitBreaker cb) {
    return new DestinationRuleBuilder()
        .withHost(host(cb))
        .withNewTrafficPolicy()
          .withConnectionPool(connectionPool(cb.getSpec().getConnectionPool()))
          .withOutlierDetection(outlierDetection(cb.getSpec().getOutlierDetection()))
        .endTrafficPolicy()
        .build();
  }

  private static ConnectionPoolSettings connectionPool(ConnectionPool pool) {
    if (pool == null) {
      return null;
    }
    ConnectionPoolSettingsBuilder settings = new ConnectionPoolSettingsBuilder();
    boolean any = false;
    if (pool.getMaxConnections() != null || pool.getConnectTimeout() != null) {
      settings.withTcp(new ConnectionPoolSettingsTCPSettingsBuilder()
          .withMaxConnections(pool.getMaxConnections())
          .withConnectTimeout(pool.getConnectTimeout())
          .build());
      any = true;
    }
    if (pool.getMaxPendingRequests() != null || pool.getMaxRequestsPerConnection() != null) {
      settings.withHttp(new ConnectionPoolSettingsHTTPSettingsBuilder()
          .withHttp1MaxPendingRequests(pool.getMaxPendingRequests())
          .withMaxRequestsPerConnection(pool.getMaxRequestsPerConnection())
          .build());
      any = true;
    }
    return any ? settings.build() : null;
  }

  private static io.fabric8.istio.api.api.networking.v1alpha3.OutlierDetection outlierDetection(OutlierDetection od) {
    OutlierDetection given = od == null ? new OutlierDetection() : od;
    return new OutlierDetectionBuilder()
        .withConsecutive5xxErrors(or(given.getConsecutive5xxErrors(), OutlierDetection.DEFAULT_CONSECUTIVE_5XX))
        .withInterval(or(given.getInterval(), OutlierDetection.DEFAULT_INTERVAL))
        .withBaseEjectionTime(or(given.getBaseEjectionTime(), OutlierDetection.DEFAULT_BASE_EJECTION_TIME))
        .withMaxEjectionPercent(or(given.getMaxEjectionPercent(), OutlierDetection.DEFAULT_MAX_EJECTION_PERCENT))
        .build();
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
