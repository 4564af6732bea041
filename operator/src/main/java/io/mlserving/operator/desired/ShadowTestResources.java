package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestinationBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestSpec;
import java.util.List;

/**
 * ShadowTest to its apex Service and a VirtualService that sends every request to the primary and mirrors a
 * share of them to the shadow. Pure: no I/O, no clock.
 */
public final class ShadowTestResources {
  public static final double DEFAULT_MIRROR_PERCENT = 100.0;
  /** Name of the single http route. */
  public static final String PRIMARY_ROUTE = "primary";

  private ShadowTestResources() {}

  /** Every object the ShadowTest generates, in a stable order: the apex Service, then the VirtualService. */
  public static List<HasMetadata> all(ShadowTest st, IstioApi api) {
    return all(st, api, HostRouting.defaultPortName());
  }

  /** As {@link #all(ShadowTest, IstioApi)}, the apex port named {@code portName} (the primary's protocol). */
  public static List<HasMetadata> all(ShadowTest st, IstioApi api, String portName) {
    return List.of(apexService(st, portName), virtualService(st, api));
  }

  /** The host clients call: {@code spec.host}, defaulting to metadata.name. */
  public static String host(ShadowTest st) {
    return HostRouting.host(st, st.getSpec());
  }

  /** {@code http://<host>.<namespace>.svc.cluster.local}, for status.url. */
  public static String url(ShadowTest st) {
    return Names.url(host(st), st.getMetadata().getNamespace());
  }

  /** {@code spec.mirrorPercent} with its default, 100. */
  public static double mirrorPercent(ShadowTest st) {
    Double percent = st.getSpec().getMirrorPercent();
    return percent == null ? DEFAULT_MIRROR_PERCENT : percent;
  }

  /** Apex Service {@code <host>} selecting the primary's pods, port 80 named {@code http}. */
  public static Service apexService(ShadowTest st) {
    return apexService(st, HostRouting.defaultPortName());
  }

  /** Apex Service {@code <host>} selecting the primary's pods, port 80 named {@code portName} (grpc primaries). */
  public static Service apexService(ShadowTest st, String portName) {
    return HostRouting.apexService(st, host(st), st.getSpec().getPrimary(), portName);
  }

  /** The VirtualService {@code <name>} in networking.istio.io/v1. */
  public static io.fabric8.istio.api.networking.v1.VirtualService virtualService(ShadowTest st) {
    return (io.fabric8.istio.api.networking.v1.VirtualService) virtualService(st, IstioApi.V1);
  }

  /** The VirtualService {@code <name>} in the given networking.istio.io version. */
  public static HasMetadata virtualService(ShadowTest st, IstioApi api) {
    return api.virtualService(OwnedMeta.of(st, st.getMetadata().getName()), virtualServiceSpec(st));
  }

  /**
   * The VirtualService's spec: one route, 100% to the primary (weight 100, stated although it is the only
   * destination, so that the object says what the contract says),
   * with {@code mirror} to the shadow on port 80 and {@code mirrorPercentage} of the requests mirrored.
   */
  public static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService virtualServiceSpec(ShadowTest st) {
    ShadowTestSpec spec = st.getSpec();
    String namespace = st.getMetadata().getNamespace();
    return new VirtualServiceBuilder()
        .withHosts(HostRouting.hosts(host(st), spec))
        .withGateways(HostRouting.gateways(spec))
        .addNewHttp()
          .withName(PRIMARY_ROUTE)
          .withRoute(new HTTPRouteDestinationBuilder()
              .withDestination(HostRouting.destination(spec.getPrimary(), namespace))
              .withWeight(100)
              .build())
          .withMirror(HostRouting.destination(spec.getShadow(), namespace))
          .withNewMirrorPercentage(mirrorPercent(st))
          .withTimeout(spec.getTimeout())
        .endHttp()
        .build();
  }
}
