package io.mlserving.operator.analysis;

import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.desired.CanaryResources;
import io.mlserving.operator.status.CanaryChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Canary's metric gates checked against Prometheus: the canary's request count over the window (fewer than
 * {@code minRequests}: every check Inconclusive), then each metric's query (built-in Istio queries on the canary's
 * workload, or the custom query with its placeholders filled in), each judged by {@link CanaryChecks}.
 */
public final class PrometheusCanaryChecker implements CanaryChecker {
  private final Function<String, Prometheus> clients;
  private final String defaultUrl;

  /** {@code defaultUrl} (may be null) is asked when the Canary names no Prometheus. */
  public PrometheusCanaryChecker(PrometheusClients clients, String defaultUrl) {
    this(clients::forUrl, defaultUrl);
  }

  /** As the public constructor, the client of each URL from {@code clients} (tests pass a fake Prometheus). */
  PrometheusCanaryChecker(Function<String, Prometheus> clients, String defaultUrl) {
    this.clients = clients;
    this.defaultUrl = defaultUrl == null || defaultUrl.isBlank() ? null : defaultUrl;
  }

  @Override
  public List<CanaryCheck> check(Canary c, Instant now) {
    CanarySpec spec = c.getSpec();
    List<CanaryMetric> metrics = spec.getAnalysis().getMetrics();
    String url = spec.getAnalysis().getPrometheus() != null ? spec.getAnalysis().getPrometheus().getUrl()
        : defaultUrl;
    List<CanaryCheck> out = new ArrayList<>();
    if (url == null) {
      for (CanaryMetric m : metrics) {
        out.add(new CanaryCheck(m.getName(), null, m.getMin(), m.getMax(), CheckResult.Error,
            "no Prometheus to ask: set spec.analysis.prometheus.url, or the operator's MLSERVING_PROMETHEUS_URL"
                + " (chart value prometheus.url)", CanaryChecks.time(now)));
      }
      return out;
    }
    Prometheus prometheus = clients.apply(url);
    String namespace = c.getMetadata().getNamespace();
    Duration window = CanaryResources.window(spec);
    String windowText = IstioQueries.window(window);
    QueryResult requests = prometheus.query(IstioQueries.requests(namespace, spec.getCanary(), window));
    int minRequests = CanaryResources.minRequests(spec);
    boolean enoughTraffic = requests.hasValue() && requests.value() >= Math.max(1, minRequests);
    for (CanaryMetric m : metrics) {
      // Without enough traffic (or without a count) the metric's own query would judge noise: it is not sent.
      QueryResult value = enoughTraffic ? prometheus.query(query(m, c, window)) : requests;
      out.add(CanaryChecks.evaluate(m, value, requests, minRequests, windowText, now));
    }
    return out;
  }

  /** The PromQL of {@code m}: a built-in Istio query on the canary's workload, or the custom query filled in. */
  static String query(CanaryMetric m, Canary c, Duration window) {
    String namespace = c.getMetadata().getNamespace();
    String canary = c.getSpec().getCanary();
    if (m.getQuery() != null) {
      return IstioQueries.template(m.getQuery(), Map.of(
          IstioQueries.NAMESPACE, namespace,
          IstioQueries.CANARY, canary,
          IstioQueries.STABLE, c.getSpec().getStable(),
          IstioQueries.WINDOW, IstioQueries.window(window)));
    }
    return switch (m.getName()) {
      case CanaryMetric.SUCCESS_RATE -> IstioQueries.successRate(namespace, canary, window);
      case CanaryMetric.LATENCY_P99 -> IstioQueries.latencyP99(namespace, canary, window);
      default -> throw new IllegalArgumentException("metric " + m.getName() + " has no query and is not built in");
    };
  }
}
