package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestinationBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryAnalysis;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.MlServing;
import java.time.Duration;
import java.util.List;

/**
 * Canary to its apex Service (the stable's pods) and a VirtualService with one weighted route: stable
 * {@code 100 - canaryWeight}, canary {@code canaryWeight}, the weight being the one in the Canary's status (0 when
 * it has none: the Waiting state {@code render} prints). Pure: no I/O, no clock.
 */
public final class CanaryResources {
  /** Name of the single http route. */
  public static final String WEIGHTED_ROUTE = "weighted";

  private CanaryResources() {}

  /** Every object the Canary generates at its current weight: the apex Service, then the VirtualService. */
  public static List<HasMetadata> all(Canary c, IstioApi api, String portName) {
    return List.of(apexService(c, portName), virtualService(c, api));
  }

  /** The host clients call: {@code spec.host}, defaulting to metadata.name. */
  public static String host(Canary c) {
    return HostRouting.host(c, c.getSpec());
  }

  /** {@code http://<host>.<namespace>.svc.cluster.local}, for status.url. */
  public static String url(Canary c) {
    return Names.url(host(c), c.getMetadata().getNamespace());
  }

  /** The canary's weight as the status says it (0 without a status: Waiting). */
  public static int canaryWeight(Canary c) {
    Integer weight = c.getStatus() == null ? null : c.getStatus().getCanaryWeight();
    return weight == null ? 0 : Math.max(0, Math.min(MlServing.PERCENT_MAX, weight));
  }

  /** Apex Service {@code <host>} selecting the stable's pods, port 80 named {@code portName}. */
  public static Service apexService(Canary c, String portName) {
    return HostRouting.apexService(c, host(c), c.getSpec().getStable(), portName);
  }

  /** The VirtualService {@code <name>} in the given networking.istio.io version, at the status' weight. */
  public static HasMetadata virtualService(Canary c, IstioApi api) {
    return api.virtualService(OwnedMeta.of(c, c.getMetadata().getName()), virtualServiceSpec(c, canaryWeight(c)));
  }

  /**
   * The VirtualService's spec at {@code canaryWeight}: one route, the stable with {@code 100 - canaryWeight} and
   * the canary with {@code canaryWeight}, both always listed (weight 0 included), so that a step changes two
   * numbers and nothing else. Timeout and retries as the spec says.
   */
  public static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService virtualServiceSpec(Canary c,
      int canaryWeight) {
    CanarySpec spec = c.getSpec();
    String namespace = c.getMetadata().getNamespace();
    return new VirtualServiceBuilder()
        .withHosts(HostRouting.hosts(host(c), spec))
        .withGateways(HostRouting.gateways(spec))
        .addNewHttp()
          .withName(WEIGHTED_ROUTE)
          .withRoute(
              new HTTPRouteDestinationBuilder()
                  .withDestination(HostRouting.destination(spec.getStable(), namespace))
                  .withWeight(MlServing.PERCENT_MAX - canaryWeight)
                  .build(),
              new HTTPRouteDestinationBuilder()
                  .withDestination(HostRouting.destination(spec.getCanary(), namespace))
                  .withWeight(canaryWeight)
                  .build())
          .withTimeout(spec.getTimeout())
          .withRetries(HostRouting.retries(spec.getRetries()))
        .endHttp()
        .build();
  }

  /** {@code spec.stepInterval}, default 1m. */
  public static Duration stepInterval(CanarySpec spec) {
    return Durations.parse(orDefault(spec.getStepInterval(), CanarySpec.DEFAULT_STEP_INTERVAL));
  }

  /** {@code spec.progressDeadline}, default 10m. */
  public static Duration progressDeadline(CanarySpec spec) {
    return Durations.parse(orDefault(spec.getProgressDeadline(), CanarySpec.DEFAULT_PROGRESS_DEADLINE));
  }

  /** {@code spec.analysis.window}, default {@code stepInterval}. */
  public static Duration window(CanarySpec spec) {
    CanaryAnalysis a = spec.getAnalysis();
    return a == null || a.getWindow() == null || a.getWindow().isEmpty() ? stepInterval(spec)
        : Durations.parse(a.getWindow());
  }

  /** {@code spec.analysis.failureThreshold}, default 2. */
  public static int failureThreshold(CanarySpec spec) {
    CanaryAnalysis a = spec.getAnalysis();
    return a == null || a.getFailureThreshold() == null ? CanaryAnalysis.DEFAULT_FAILURE_THRESHOLD
        : a.getFailureThreshold();
  }

  /** {@code spec.analysis.minRequests}, default 1. */
  public static int minRequests(CanarySpec spec) {
    CanaryAnalysis a = spec.getAnalysis();
    return a == null || a.getMinRequests() == null ? CanaryAnalysis.DEFAULT_MIN_REQUESTS : a.getMinRequests();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
