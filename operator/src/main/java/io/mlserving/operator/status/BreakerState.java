package io.mlserving.operator.status;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a CircuitBreaker is open right now (the CircuitOpen condition): requests refused because the connection
 * pool overflowed, requests that found no healthy upstream, or endpoints ejected by outlier detection. Pure.
 */
public final class BreakerState {
  /**
   * What to do when the sidecars do not export the ejection gauge. Istio configures Envoy to keep only a minimal set
   * of statistics; the outlier-detection ones are added with a proxyStatsMatcher, mesh-wide in
   * meshConfig.defaultConfig or per workload in the proxy.istio.io/config pod annotation (Istio, "Envoy Statistics":
   * https://istio.io/latest/docs/ops/configuration/telemetry/envoy-stats/). ProxyConfig is not applied to running
   * proxies: the pods must restart (Istio, "ProxyConfig":
   * https://istio.io/latest/docs/reference/config/networking/proxy-config/).
   */
  public static final String ENABLE_OUTLIER_STATS = "ejected endpoints unknown: the sidecars do not export Envoy's"
      + " outlier-detection stats (envoy_cluster_outlier_detection_ejections_active); to export them, give the client"
      + " pods the annotation proxy.istio.io/config: '{\"proxyStatsMatcher\":{\"inclusionRegexps\":"
      + "[\".*outlier_detection.*\"]}}', or set the same proxyStatsMatcher mesh-wide in"
      + " meshConfig.defaultConfig, then restart the pods";

  private BreakerState() {}

  /**
   * What Prometheus says about the breaker's target over the analysis window; a null count is one Prometheus could
   * not give.
   *
   * @param overflowing requests refused by the connection pool (response flag UO)
   * @param noHealthyUpstream requests that found no healthy upstream (response flag UH)
   * @param ejectionsActive endpoints ejected by outlier detection now; null when the sidecars do not export it
   *     (Istio's default)
   */
  public record Observed(Long overflowing, Long noHealthyUpstream, Long ejectionsActive) {}

  /** The reasons of the CircuitOpen condition, CamelCase. */
  public enum Reason {
    /** The connection pool refused requests (UO). */
    Overflowing,
    /** Requests found no healthy upstream (UH). */
    NoHealthyUpstream,
    /** Outlier detection has ejected endpoints. */
    Ejecting,
    /** None of the above. */
    Closed
  }

  /**
   * The judgement.
   *
   * @param open whether the breaker is refusing requests or ejecting endpoints
   * @param reason a {@link Reason} name: the first that holds in the order Overflowing, NoHealthyUpstream, Ejecting
   * @param message for people: every count, and how to export the ejection gauge when it is missing
   */
  public record Result(boolean open, String reason, String message) {}

  /**
   * Open when any count is above 0. An unknown count does not open the breaker; the message says it is unknown.
   */
  public static Result open(Observed observed) {
    Reason reason = positive(observed.overflowing()) ? Reason.Overflowing
        : positive(observed.noHealthyUpstream()) ? Reason.NoHealthyUpstream
        : positive(observed.ejectionsActive()) ? Reason.Ejecting
        : Reason.Closed;
    List<String> parts = new ArrayList<>();
    parts.add(count(observed.overflowing(), "request", "requests") + " refused by the connection pool (UO) and "
        + count(observed.noHealthyUpstream(), "request", "requests") + " with no healthy upstream (UH) in the"
        + " analysis window");
    parts.add(observed.ejectionsActive() == null ? ENABLE_OUTLIER_STATS
        : count(observed.ejectionsActive(), "endpoint", "endpoints") + " ejected by outlier detection");
    return new Result(reason != Reason.Closed, reason.name(), String.join("; ", parts));
  }

  private static boolean positive(Long n) {
    return n != null && n > 0;
  }

  private static String count(Long n, String one, String many) {
    return n == null ? "an unknown number of " + many : n + " " + (n == 1 ? one : many);
  }
}
