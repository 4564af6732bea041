package io.mlserving.operator.config;

import io.mlserving.operator.desired.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's settings, from environment variables (the Helm chart sets them); the {@code run}
 * command's flags override them.
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param loaderImages the model loader image of each storage scheme
 * @param istioApi auto (detect what the cluster serves), v1 or v1beta1
 * @param jsonLogs whether logs are JSON lines
 * @param leaderElection whether to take a Lease before reconciling (for more than one replica)
 * @param leaseNamespace namespace of the Lease; null means the pod's namespace
 * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free port, a negative one disables them
 * @param firstStatusGrace how long a new InferenceService that is merely rolling out may go without a status:
 *     one that becomes Ready (or fails) sooner gets its first status then, in one write instead of two
 * @param prometheusUrl the Prometheus a Canary's metric gates ask when its spec names none; null when unset
 * @param mlflowTrackingUri the MLflow tracking server that resolves models:/ URIs whose spec names none; null when
 *     unset (MLflow's own variable name, so one Secret or ConfigMap serves the operator and MLflow clients alike)
 * @param reconcileThreads how many resources are reconciled at once; a reconcile mostly waits on the API server
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    LoaderImages loaderImages,
    String istioApi,
    boolean jsonLogs,
    boolean leaderElection,
    String leaseNamespace,
    int httpPort,
    Duration firstStatusGrace,
    String prometheusUrl,
    String mlflowTrackingUri,
    int reconcileThreads) {

  public static final String ENV_WATCH_NAMESPACES = "MLSERVING_WATCH_NAMESPACES";
  public static final String ENV_ISTIO_API = "MLSERVING_ISTIO_API";
  public static final String ENV_LOG_FORMAT = "MLSERVING_LOG_FORMAT";
  public static final String ENV_LEADER_ELECTION = "MLSERVING_LEADER_ELECTION";
  public static final String ENV_LEASE_NAMESPACE = "MLSERVING_LEASE_NAMESPACE";
  public static final String ENV_HTTP_PORT = "MLSERVING_HTTP_PORT";
  public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";
  public static final String ENV_FIRST_STATUS_GRACE = "MLSERVING_FIRST_STATUS_GRACE";
  public static final Duration DEFAULT_FIRST_STATUS_GRACE = Duration.ofSeconds(10);
  public static final String ENV_PROMETHEUS_URL = "MLSERVING_PROMETHEUS_URL";
  public static final String ENV_MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI";
  public static final String ENV_RECONCILE_THREADS = "MLSERVING_RECONCILE_THREADS";
  /**
   * Reconciles at once by default: JOSDK's own 50. A reconcile is short in CPU but long in waiting (a Service
   * create on kube-apiserver 1.20 waits 3-5 s behind the others for its ClusterIP), so more threads create the
   * Deployments of a burst sooner: 200 created all of 200 within 5 s, 50 within 15 s. The real-server
   * benchmark showed a mixed effect on all Ready (the controller manager is the bottleneck after that), and
   * every extra thread keeps a connection and its buffers: the mock benchmark's retained heap per 1,000
   * InferenceServices went from 10 to 21 MiB with 200.
   */
  public static final int DEFAULT_RECONCILE_THREADS = 50;

  /**
   * Defaults: all namespaces, default loader images, Istio API detected, text logs, no leader election, a
   * first-status grace of 10 s, {@value #DEFAULT_RECONCILE_THREADS} reconciles at once.
   */
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), LoaderImages.defaults(), "auto", false, false, null, 8080,
        DEFAULT_FIRST_STATUS_GRACE, null, null, DEFAULT_RECONCILE_THREADS);
  }

  /** Settings read from {@code env} (for example {@code System::getenv}). */
  public static OperatorSettings fromEnv(Function<String, String> env) {
    String lease = env.apply(ENV_LEASE_NAMESPACE);
    if (lease == null || lease.isBlank()) {
      lease = env.apply(ENV_POD_NAMESPACE);
    }
    String port = env.apply(ENV_HTTP_PORT);
    String istio = env.apply(ENV_ISTIO_API);
    String grace = env.apply(ENV_FIRST_STATUS_GRACE);
    String threads = env.apply(ENV_RECONCILE_THREADS);
    return new OperatorSettings(
        namespaces(env.apply(ENV_WATCH_NAMESPACES)),
        LoaderImages.from(env),
        istio == null || istio.isBlank() ? "auto" : istio.trim().toLowerCase(Locale.ROOT),
        "json".equalsIgnoreCase(trim(env.apply(ENV_LOG_FORMAT))),
        "true".equalsIgnoreCase(trim(env.apply(ENV_LEADER_ELECTION))),
        lease == null || lease.isBlank() ? null : lease.trim(),
        port == null || port.isBlank() ? 8080 : Integer.parseInt(port.trim()),
        grace == null || grace.isBlank() ? DEFAULT_FIRST_STATUS_GRACE : duration(ENV_FIRST_STATUS_GRACE, grace),
        blankToNull(env.apply(ENV_PROMETHEUS_URL)),
        blankToNull(env.apply(ENV_MLFLOW_TRACKING_URI)),
        threads == null || threads.isBlank() ? DEFAULT_RECONCILE_THREADS : positive(ENV_RECONCILE_THREADS, threads));
  }

  /** The same settings with another first-status grace (tests set 0 to see every intermediate status). */
  public OperatorSettings withFirstStatusGrace(Duration grace) {
    return new OperatorSettings(watchNamespaces, loaderImages, istioApi, jsonLogs, leaderElection, leaseNamespace,
        httpPort, grace, prometheusUrl, mlflowTrackingUri, reconcileThreads);
  }

  /** The same settings with another default Prometheus URL (null: none). */
  public OperatorSettings withPrometheusUrl(String url) {
    return new OperatorSettings(watchNamespaces, loaderImages, istioApi, jsonLogs, leaderElection, leaseNamespace,
        httpPort, firstStatusGrace, blankToNull(url), mlflowTrackingUri, reconcileThreads);
  }

  /** The same settings with another default MLflow tracking server (null: none). */
  public OperatorSettings withMlflowTrackingUri(String uri) {
    return new OperatorSettings(watchNamespaces, loaderImages, istioApi, jsonLogs, leaderElection, leaseNamespace,
        httpPort, firstStatusGrace, prometheusUrl, blankToNull(uri), reconcileThreads);
  }

  /** A comma-separated list of namespaces as a set; blank means all namespaces (empty set). */
  public static Set<String> namespaces(String csv) {
    if (csv == null || csv.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static Duration duration(String name, String value) {
    try {
      return Durations.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + ": expected a whole number of at least 1, got \"" + value + "\"");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }
}
