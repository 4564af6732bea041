package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.Destination;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetryBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.mlserving.operator.api.v1alpha1.HostRoutingSpec;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.api.v1alpha1.Retries;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What ABTest and ShadowTest generate alike: the apex Service, hosts, gateways, destinations, retries. */
final class HostRouting {
  /** Istio's name for the sidecars of the mesh as a gateway. */
  static final String MESH = "mesh";

  private HostRouting() {}

  /** {@code spec.host}, defaulting to the owner's name. */
  static String host(HasMetadata owner, HostRoutingSpec spec) {
    String host = spec.getHost();
    return host == null || host.isEmpty() ? owner.getMetadata().getName() : host;
  }

  /** {@code [host, externalHosts...]} without duplicates (Istio rejects a VirtualService repeating a host). */
  static List<String> hosts(String host, HostRoutingSpec spec) {
    Set<String> hosts = new LinkedHashSet<>();
    hosts.add(host);
    if (spec.getExternalHosts() != null) {
      hosts.addAll(spec.getExternalHosts());
    }
    return new ArrayList<>(hosts);
  }

  /**
   * {@code [mesh, gateways...]} without duplicates when gateways are given; null (Istio's default, the mesh
   * alone) when not. Naming gateways replaces Istio's default, so the mesh is listed explicitly.
   */
  static List<String> gateways(HostRoutingSpec spec) {
    if (spec.getGateways() == null || spec.getGateways().isEmpty()) {
      return null;
    }
    Set<String> gateways = new LinkedHashSet<>();
    gateways.add(MESH);
    gateways.addAll(spec.getGateways());
    return new ArrayList<>(gateways);
  }

  /**
   * Service {@code host} on port 80 selecting the pods of {@code inferenceService}, so that a client outside
   * the mesh (no sidecar applies the VirtualService) still reaches a model. The port and its target are the
   * named container port of the InferenceService, {@code portName} ({@code http} unless it serves grpc).
   */
  static Service apexService(HasMetadata owner, String host, String inferenceService, String portName) {
    return new ServiceBuilder()
        .withMetadata(OwnedMeta.of(owner, host))
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(Labels.selector(inferenceService))
          .addNewPort()
            .withName(portName)
            .withPort(InferenceServiceResources.SERVICE_PORT)
            .withTargetPort(new IntOrString(portName))
            .withProtocol("TCP")
          .endPort()
        .endSpec()
        .build();
  }

  /** The default apex port name: an InferenceService's default protocol. */
  static String defaultPortName() {
    return PredictorSpec.Protocol.http.name();
  }

  /** {@code <inferenceService>.<namespace>.svc.cluster.local} port 80: the InferenceService's Service. */
  static Destination destination(String inferenceService, String namespace) {
    return new DestinationBuilder()
        .withHost(Names.fqdn(inferenceService, namespace))
        .withNewPort((long) InferenceServiceResources.SERVICE_PORT)
        .build();
  }

  /**
   * Istio's HTTPRetry for {@code retries}, or null. With {@code attempts: 0} (retries off) only the attempts
   * are kept: Istio rejects a perTryTimeout or retryOn next to zero attempts.
   */
  static HTTPRetry retries(Retries retries) {
    if (retries == null) {
      return null;
    }
    int attempts = retries.getAttempts() == null ? 0 : retries.getAttempts();
    HTTPRetryBuilder retry = new HTTPRetryBuilder().withAttempts(attempts);
    if (attempts > 0) {
      retry.withPerTryTimeout(retries.getPerTryTimeout()).withRetryOn(retries.getRetryOn());
    }
    return retry.build();
  }
}
