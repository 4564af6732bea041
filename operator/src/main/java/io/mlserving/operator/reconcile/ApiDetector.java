package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mlserving.operator.desired.AutoscalingApi;
import io.mlserving.operator.desired.IstioApi;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds which versions of the optional APIs the cluster serves, once at start: networking.istio.io (v1, then
 * v1beta1) and autoscaling's HorizontalPodAutoscaler (v2, then v2beta2). A missing one is logged and reported
 * in the status of the resources that need it; it never stops the operator.
 */
public final class ApiDetector {
  private static final Logger LOG = LoggerFactory.getLogger(ApiDetector.class);

  private ApiDetector() {}

  /**
   * The Istio version to use: the configured one ({@code v1} or {@code v1beta1}) as it is, or with {@code auto}
   * the newest the cluster serves VirtualServices in; empty when it serves neither.
   */
  public static Optional<IstioApi> istio(KubernetesClient client, String setting) {
    if (setting != null && !setting.isBlank() && !"auto".equalsIgnoreCase(setting.trim())) {
      return Optional.of(IstioApi.parse(setting));
    }
    for (IstioApi api : IstioApi.values()) {
      if (serves(client, api.apiVersion(), "virtualservices")) {
        LOG.info("Istio API detected: {}", api.apiVersion());
        return Optional.of(api);
      }
    }
    LOG.warn("The cluster serves neither networking.istio.io/v1 nor v1beta1: ABTest, ShadowTest and"
        + " CircuitBreaker report IstioNotInstalled until Istio is installed and the operator restarted");
    return Optional.empty();
  }

  /** The newest autoscaling version the cluster serves HorizontalPodAutoscalers in; empty when none. */
  public static Optional<AutoscalingApi> autoscaling(KubernetesClient client) {
    for (AutoscalingApi api : AutoscalingApi.values()) {
      if (serves(client, api.apiVersion(), "horizontalpodautoscalers")) {
        LOG.info("HorizontalPodAutoscaler API detected: {}", api.apiVersion());
        return Optional.of(api);
      }
    }
    LOG.warn("The cluster serves neither autoscaling/v2 nor autoscaling/v2beta2 HorizontalPodAutoscalers:"
        + " InferenceServices with spec.autoscaling report AutoscalingUnavailable; everything else works");
    return Optional.empty();
  }

  static boolean serves(KubernetesClient client, String groupVersion, String plural) {
    try {
      APIResourceList list = client.getApiResources(groupVersion);
      return list != null && list.getResources() != null && list.getResources().stream()
          .anyMatch(r -> plural.equals(r.getName()));
    } catch (KubernetesClientException e) {
      return false;
    }
  }
}
