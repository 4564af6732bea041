package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mlserving.operator.desired.IstioApi;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds which networking.istio.io version the cluster serves: v1 (Istio 1.22+) first, then v1beta1. */
public final class IstioDetector {
  private static final Logger LOG = LoggerFactory.getLogger(IstioDetector.class);

  private IstioDetector() {}

  /**
   * The version to use: the configured one ({@code v1} or {@code v1beta1}) as it is, or with {@code auto} the
   * newest the cluster serves VirtualServices and DestinationRules in; empty when it serves neither.
   */
  public static Optional<IstioApi> detect(KubernetesClient client, String setting) {
    if (setting != null && !setting.isBlank() && !"auto".equalsIgnoreCase(setting.trim())) {
      return Optional.of(IstioApi.parse(setting));
    }
    for (IstioApi api : new IstioApi[] {IstioApi.V1, IstioApi.V1BETA1}) {
      if (serves(client, api)) {
        LOG.info("Istio API detected: {}", api.apiVersion());
        return Optional.of(api);
      }
    }
    LOG.warn("The cluster serves neither networking.istio.io/v1 nor v1beta1: ABTest, ShadowTest and"
        + " CircuitBreaker report IstioNotInstalled until Istio is installed and the operator restarted");
    return Optional.empty();
  }

  static boolean serves(KubernetesClient client, IstioApi api) {
    try {
      APIResourceList list = client.getApiResources(api.apiVersion());
      return list != null && list.getResources() != null && list.getResources().stream()
          .anyMatch(r -> "virtualservices".equals(r.getName()));
    } catch (KubernetesClientException e) {
      return false;
    }
  }
}
