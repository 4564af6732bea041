package io.mlserving.operator.analysis;

import io.mlserving.operator.analysis.IstioQueries.LabelMatcher;
import io.mlserving.operator.analysis.IstioQueries.Op;
import io.mlserving.operator.analysis.IstioQueries.Selector;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The batched PromQL of live analysis (ABTest, ShadowTest, CircuitBreaker) and the parsers of its answers: one
 * query per kind and window serves every analysed resource in every namespace, the parsers split its series by
 * workload or by service. Pure: builds strings and reads results, no I/O.
 *
 * <p>Each query joins several aggregations with {@code or}, each tagged with a label {@value #METRIC} by
 * {@code label_replace(<aggregation>, "metric", "<name>", "", "")} (an empty regular expression on an absent
 * source label always matches, so every series gets the label). The tag keeps the series of different
 * aggregations apart, so {@code or} never drops one for having the same labels as another.
 */
public final class LiveQueries {
  /** The label that names which aggregation a series of a batched query comes from. */
  public static final String METRIC = "metric";
  /** {@link #workloads}: requests served in the window (the counter's increase). */
  public static final String REQUESTS = "requests";
  /** {@link #workloads}: of them, those whose response code is not 5xx. */
  public static final String SUCCESSES = "successes";
  /** {@link #workloads}: the 99th percentile of their duration, in milliseconds. */
  public static final String P99 = "p99";
  /** {@link #breakers}: requests the client's sidecar refused because the pool overflowed (flag UO). */
  public static final String OVERFLOWING = "overflowing";
  /** {@link #breakers}: requests the client's sidecar refused for want of a healthy upstream (flag UH). */
  public static final String NO_HEALTHY_UPSTREAM = "noHealthyUpstream";
  /** {@link #breakers}: endpoints Envoy's outlier detection holds ejected now (a gauge, per Envoy cluster). */
  public static final String EJECTIONS = "ejections";

  /** Envoy's gauge of hosts its outlier detection ejected, per cluster ({@code cluster_name} label). */
  public static final String OUTLIER_EJECTIONS_ACTIVE = "envoy_cluster_outlier_detection_ejections_active";
  /** The shortest refresh of live analysis, whatever the window (the contract's "at least 10 s"). */
  public static final Duration MIN_REFRESH = Duration.ofSeconds(10);

  static final String WORKLOAD_NAMESPACE = "destination_workload_namespace";
  static final String WORKLOAD = "destination_workload";
  static final String SERVICE = "destination_service";
  static final String CLUSTER_NAME = "cluster_name";

  /**
   * Istio's name for the Envoy cluster of an outbound service port: {@code outbound|<port>|<subset>|<fqdn>}, the
   * subset empty without a DestinationRule subset (e.g. {@code outbound|80||fraud-v1.models.svc.cluster.local}).
   */
  private static final Pattern OUTBOUND_CLUSTER = Pattern.compile("outbound\\|([0-9]+)\\|([^|]*)\\|([^|]+)");
  // Only outbound clusters can name a service's endpoints; inbound and static clusters (BlackHoleCluster,
  // xds-grpc) would only add series to every answer.
  private static final LabelMatcher OUTBOUND_ONLY = new LabelMatcher(CLUSTER_NAME, Op.RE, "outbound\\|.*");

  private LiveQueries() {}

  /** One workload: {@code destination_workload} in {@code destination_workload_namespace}. */
  public record WorkloadKey(String namespace, String workload) implements Comparable<WorkloadKey> {
    private static final Comparator<WorkloadKey> ORDER =
        Comparator.comparing(WorkloadKey::namespace).thenComparing(WorkloadKey::workload);

    /** Checks the nulls. */
    public WorkloadKey {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(workload, "workload");
    }

    /** By namespace, then workload. */
    @Override
    public int compareTo(WorkloadKey o) {
      return ORDER.compare(this, o);
    }
  }

  /**
   * What one workload served in the window, as its own sidecar reports it ({@code reporter="destination"},
   * the only reporter of mirrored requests).
   *
   * @param requests whole requests ({@code increase()} extrapolates to fractions: rounded)
   * @param successes of them, those not answered 5xx (rounded; 0 when every request failed: no such series)
   * @param latencyP99Ms the 99th percentile in milliseconds, interpolated in Istio's buckets; {@code null} when
   *     there is none (no request in the window, no histogram exported)
   */
  public record WorkloadStats(long requests, long successes, Double latencyP99Ms) {
    /** A workload Prometheus has no series of. */
    public static final WorkloadStats NONE = new WorkloadStats(0, 0, null);

    /** Checks {@code 0 <= successes <= requests} and a finite latency. */
    public WorkloadStats {
      if (requests < 0 || successes < 0 || successes > requests) {
        throw new IllegalArgumentException("need 0 <= successes <= requests, got " + successes + "/" + requests);
      }
      if (latencyP99Ms != null && !Double.isFinite(latencyP99Ms)) {
        throw new IllegalArgumentException("a latency is finite, got " + latencyP99Ms);
      }
    }
  }

  /**
   * What the clients of one service saw in the window, as their sidecars report it ({@code reporter="source"}).
   *
   * @param overflowing requests refused because the connection pool overflowed ({@code response_flags="UO"})
   * @param noHealthyUpstream requests refused with no healthy endpoint ({@code response_flags="UH"})
   * @param ejectionsActive endpoints ejected now, summed over the client sidecars (each Envoy ejects on its own,
   *     so an endpoint two clients eject counts twice) and over the service's ports and subsets; {@code null}
   *     when no sidecar exports Envoy's outlier statistics for the service (Istio does not by default)
   */
  public record BreakerStats(long overflowing, long noHealthyUpstream, Long ejectionsActive) {
    /** A service Prometheus has no series of. */
    public static final BreakerStats NONE = new BreakerStats(0, 0, null);

    /** Checks that the counts are not negative. */
    public BreakerStats {
      if (overflowing < 0 || noHealthyUpstream < 0 || (ejectionsActive != null && ejectionsActive < 0)) {
        throw new IllegalArgumentException("counts are >= 0, got " + overflowing + ", " + noHealthyUpstream
            + ", " + ejectionsActive);
      }
    }
  }

  /**
   * How often live analysis over {@code window} is refreshed: a fifth of the window, at least
   * {@link #MIN_REFRESH} (a 5m window refreshes every minute, a 30s one every 10 s).
   *
   * @throws IllegalArgumentException when {@code window} is not positive
   */
  public static Duration refreshInterval(Duration window) {
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("a window is positive, got " + window);
    }
    Duration fifth = window.dividedBy(5);
    return fifth.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : fifth;
  }

  /**
   * One query for every workload of every namespace over {@code window}: per (namespace, workload) reported by
   * the destination, the series {@value #REQUESTS}, {@value #SUCCESSES} (not 5xx) and {@value #P99}:
   * <pre>{@code
   * label_replace(sum by (destination_workload_namespace, destination_workload)
   *     (increase(istio_requests_total{reporter="destination"}[5m])), "metric", "requests", "", "")
   * or label_replace(sum by (...) (increase(istio_requests_total{reporter="destination",
   *     response_code!~"5.*"}[5m])), "metric", "successes", "", "")
   * or label_replace(histogram_quantile(0.99, sum by (..., le)
   *     (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[5m]))), "metric", "p99", "", "")
   * }</pre>
   * (on one line). Read it with {@link #workloadStats}.
   */
  public static String workloads(Duration window) {
    String range = "[" + IstioQueries.window(window) + "]";
    Selector served = new Selector(List.of()).and("reporter", "destination");
    String byWorkload = "sum by (" + WORKLOAD_NAMESPACE + ", " + WORKLOAD + ") ";
    String requests = byWorkload + "(increase(" + IstioQueries.REQUESTS_TOTAL + served.promql() + range + "))";
    String successes = byWorkload + "(increase(" + IstioQueries.REQUESTS_TOTAL
        + served.and("response_code", Op.NRE, "5.*").promql() + range + "))";
    String p99 = "histogram_quantile(0.99, sum by (" + WORKLOAD_NAMESPACE + ", " + WORKLOAD + ", le) (rate("
        + IstioQueries.REQUEST_DURATION_BUCKET + served.promql() + range + ")))";
    return tagged(requests, REQUESTS) + " or " + tagged(successes, SUCCESSES) + " or " + tagged(p99, P99);
  }

  /**
   * One query for every service of every namespace over {@code window}: per {@code destination_service} as the
   * clients' sidecars report it, {@value #OVERFLOWING} (UO) and {@value #NO_HEALTHY_UPSTREAM} (UH), and per
   * outbound Envoy cluster the {@value #EJECTIONS} gauge:
   * <pre>{@code
   * label_replace(sum by (destination_service) (increase(istio_requests_total{reporter="source",
   *     response_flags="UO"}[5m])), "metric", "overflowing", "", "")
   * or label_replace(sum by (destination_service) (increase(istio_requests_total{reporter="source",
   *     response_flags="UH"}[5m])), "metric", "noHealthyUpstream", "", "")
   * or label_replace(sum by (cluster_name) (envoy_cluster_outlier_detection_ejections_active{
   *     cluster_name=~"outbound\\|.*"}), "metric", "ejections", "", "")
   * }</pre>
   * (on one line). Read it with {@link #breakerStats}; the clusters map back to services by
   * {@link #serviceOfCluster}.
   */
  public static String breakers(Duration window) {
    String range = "[" + IstioQueries.window(window) + "]";
    Selector refused = new Selector(List.of()).and("reporter", "source");
    String byService = "sum by (" + SERVICE + ") ";
    String overflowing = byService + "(increase(" + IstioQueries.REQUESTS_TOTAL
        + refused.and("response_flags", "UO").promql() + range + "))";
    String noHealthy = byService + "(increase(" + IstioQueries.REQUESTS_TOTAL
        + refused.and("response_flags", "UH").promql() + range + "))";
    String ejections = "sum by (" + CLUSTER_NAME + ") (" + OUTLIER_EJECTIONS_ACTIVE
        + new Selector(List.of(OUTBOUND_ONLY)).promql() + ")";
    return tagged(overflowing, OVERFLOWING) + " or " + tagged(noHealthy, NO_HEALTHY_UPSTREAM) + " or "
        + tagged(ejections, EJECTIONS);
  }

  /**
   * The service an Envoy cluster sends to: {@code outbound|80||fraud-v1.models.svc.cluster.local} (or with a
   * subset, {@code outbound|80|v1|...}) is {@code fraud-v1.models.svc.cluster.local}; anything else (inbound,
   * BlackHoleCluster, a malformed name) is empty.
   */
  public static Optional<String> serviceOfCluster(String clusterName) {
    Matcher m = OUTBOUND_CLUSTER.matcher(clusterName);
    return m.matches() ? Optional.of(m.group(3)) : Optional.empty();
  }

  /**
   * The answer of {@link #workloads} per workload, ordered by namespace then name. A workload has an entry when
   * any of its series came back; a series it lacks counts 0 ({@value #SUCCESSES}: every request failed) or
   * {@code null} ({@value #P99}: NaN, no request in the window). Series without the workload labels or with an
   * unknown {@value #METRIC} are ignored.
   *
   * @throws IllegalArgumentException when {@code result} is a failure (check {@link VectorResult#hasValue} first:
   *     a failure is not "no traffic")
   */
  public static Map<WorkloadKey, WorkloadStats> workloadStats(VectorResult result) {
    requireValue(result);
    Map<WorkloadKey, double[]> counts = new TreeMap<>();
    Map<WorkloadKey, Double> p99 = new HashMap<>();
    for (Sample s : result.samples()) {
      String ns = s.label(WORKLOAD_NAMESPACE);
      String workload = s.label(WORKLOAD);
      String metric = s.label(METRIC);
      if (ns == null || workload == null || metric == null) {
        continue;
      }
      WorkloadKey key = new WorkloadKey(ns, workload);
      switch (metric) {
        case REQUESTS -> counts.computeIfAbsent(key, k -> new double[2])[0] += finite(s.value());
        case SUCCESSES -> counts.computeIfAbsent(key, k -> new double[2])[1] += finite(s.value());
        case P99 -> {
          counts.computeIfAbsent(key, k -> new double[2]);
          if (Double.isFinite(s.value())) {
            p99.put(key, s.value());
          }
        }
        default -> {
          // Not one of ours: a query changed without its parser; ignoring it keeps the others.
        }
      }
    }
    Map<WorkloadKey, WorkloadStats> out = new TreeMap<>();
    counts.forEach((key, c) -> {
      long requests = whole(c[0]);
      // Each series' increase is extrapolated alike and the 2xx-4xx series are a subset of all, so successes
      // exceed requests only by a rounding of the sums; never show more successes than requests.
      long successes = Math.min(whole(c[1]), requests);
      out.put(key, new WorkloadStats(requests, successes, p99.get(key)));
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * The answer of {@link #breakers} per service FQDN, ordered by name. A service has an entry when any of its
   * series came back; a flag it lacks counts 0; {@code ejectionsActive} is {@code null} when no gauge of its
   * outbound clusters came back.
   *
   * <p>Whether Envoy's outlier statistics are exported at all shows only in the gauge existing for some
   * cluster ({@link #ejectionsExported}): its absence for one service means either that no sidecar exports them
   * (Istio's default: enable them with the mesh's or the pod's {@code proxyStatsMatcher}, e.g.
   * {@code inclusionRegexps: [".*outlier_detection.*"]}) or that none of the sidecars that do calls this service.
   *
   * @throws IllegalArgumentException when {@code result} is a failure (check {@link VectorResult#hasValue} first)
   */
  public static Map<String, BreakerStats> breakerStats(VectorResult result) {
    requireValue(result);
    Map<String, double[]> counts = new TreeMap<>();
    Map<String, Double> ejections = new HashMap<>();
    for (Sample s : result.samples()) {
      String metric = s.label(METRIC);
      if (metric == null) {
        continue;
      }
      switch (metric) {
        case OVERFLOWING, NO_HEALTHY_UPSTREAM -> {
          String service = s.label(SERVICE);
          if (service != null && !service.isEmpty()) {
            counts.computeIfAbsent(service, k -> new double[2])[OVERFLOWING.equals(metric) ? 0 : 1]
                += finite(s.value());
          }
        }
        case EJECTIONS -> {
          Optional<String> service = Optional.ofNullable(s.label(CLUSTER_NAME)).flatMap(LiveQueries::serviceOfCluster);
          if (service.isPresent() && Double.isFinite(s.value())) {
            counts.computeIfAbsent(service.get(), k -> new double[2]);
            // One service has a cluster per port and subset: its ejected endpoints are their sum.
            ejections.merge(service.get(), s.value(), Double::sum);
          }
        }
        default -> {
          // Not one of ours: ignored, as in workloadStats.
        }
      }
    }
    Map<String, BreakerStats> out = new TreeMap<>();
    counts.forEach((service, c) -> {
      Double e = ejections.get(service);
      out.put(service, new BreakerStats(whole(c[0]), whole(c[1]), e == null ? null : whole(e)));
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * Whether any sidecar exports Envoy's outlier statistics: the answer of {@link #breakers} holds the gauge for
   * at least one outbound cluster. When not, a status says how to enable them rather than "0 ejected".
   *
   * @throws IllegalArgumentException when {@code result} is a failure
   */
  public static boolean ejectionsExported(VectorResult result) {
    requireValue(result);
    // The same series breakerStats counts: a NaN gauge or a cluster of no service says nothing.
    return result.samples().stream().anyMatch(s -> EJECTIONS.equals(s.label(METRIC))
        && Double.isFinite(s.value()) && s.label(CLUSTER_NAME) != null
        && serviceOfCluster(s.label(CLUSTER_NAME)).isPresent());
  }

  /** {@code label_replace(<expr>, "metric", "<name>", "", "")}: every series of {@code expr} tagged. */
  private static String tagged(String expr, String name) {
    return "label_replace(" + expr + ", " + IstioQueries.literal(METRIC) + ", " + IstioQueries.literal(name)
        + ", \"\", \"\")";
  }

  private static void requireValue(VectorResult result) {
    if (!result.hasValue()) {
      throw new IllegalArgumentException("no series to read: " + result.message());
    }
  }

  /** A count's value; NaN or an infinity (not what increase() gives) counts nothing. */
  private static double finite(double v) {
    return Double.isFinite(v) && v > 0 ? v : 0;
  }

  /** {@code increase()} extrapolates to the window's edges: 41.7 requests are 42. */
  private static long whole(double v) {
    return Math.round(finite(v));
  }
}
