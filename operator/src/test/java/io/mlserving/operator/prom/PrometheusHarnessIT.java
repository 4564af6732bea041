package io.mlserving.operator.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.analysis.QueryResult.Outcome;
import io.mlserving.operator.prom.IstioExporter.Requests;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real-Prometheus tier: Debian's Prometheus 2.42 scraping {@link IstioExporter} every second, queried
 * through the product's {@link io.mlserving.operator.analysis.PrometheusClient} with the built-in
 * {@link IstioQueries}: the numbers match the traffic driven, and each failure has its outcome.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusHarnessIT {
  private static final String NS = "prod";
  private static final Duration WINDOW = Duration.ofSeconds(10);
  // The window must fill (10 s) and be scraped (1 s) before the numbers settle; a loaded machine is slower.
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private static IstioExporter istio;
  private static PrometheusServer prometheus;

  @BeforeAll
  static void start() {
    istio = IstioExporter.start();
    // Driven before Prometheus starts, so the windows fill while it comes up.
    // healthy: 20 requests/s, 5 % of them 503, all taking 30 ms.
    istio.traffic(Requests.to(NS, "healthy").code(200)).latencyMs(30).rate(19);
    istio.traffic(Requests.to(NS, "healthy").code(503)).latencyMs(30).rate(1);
    // slow: 10 requests/s taking 200 ms.
    istio.traffic(Requests.to(NS, "slow")).latencyMs(200).rate(10);
    // broken: every request a 500.
    istio.traffic(Requests.to(NS, "broken").code(500)).rate(5);
    // idle: 10 requests long ago, none since.
    istio.requests(Requests.to(NS, "idle"), 10).latency(Requests.to(NS, "idle"), 5, 10);
    istio.gauge(IstioExporter.OUTLIER_EJECTIONS_ACTIVE,
        Map.of("cluster_name", "outbound|80||healthy.prod.svc.cluster.local"), 1);
    prometheus = PrometheusServer.scraping(istio.target());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (istio != null) {
      istio.close();
    }
  }

  @Test
  @Order(1)
  void exporterSeriesAreScraped() {
    prometheus.awaitValue("up{job=\"" + PrometheusServer.JOB + "\"}", v -> v == 1, SETTLE);
    assertThat(istio.scrapes()).isPositive();
    // 5 request series (healthy 200 and 503, slow, broken, idle), each with the labels Istio sets.
    prometheus.awaitValue("count(istio_requests_total)", v -> v == 5, SETTLE);
    assertThat(prometheus.query("count(istio_requests_total{reporter=\"destination\",source_workload=\"loadgen\","
        + "destination_service=\"healthy.prod.svc.cluster.local\",destination_service_name=\"healthy\","
        + "destination_service_namespace=\"prod\",response_flags=\"-\",request_protocol=\"http\"})"))
        .isEqualTo(QueryResult.value(2));
    // 20 bounds and +Inf per histogram series.
    assertThat(prometheus.query("count(istio_request_duration_milliseconds_bucket{destination_workload=\"slow\"})"))
        .isEqualTo(QueryResult.value(20));
    assertThat(prometheus.query("sum(" + IstioExporter.OUTLIER_EJECTIONS_ACTIVE + ")"))
        .isEqualTo(QueryResult.value(1));
  }

  @Test
  @Order(2)
  void successRateOfDrivenTraffic() {
    QueryResult rate = prometheus.awaitValue(IstioQueries.successRate(NS, "healthy", WINDOW),
        v -> Math.abs(v - 95) < 1.5, SETTLE);
    assertThat(rate.value()).isCloseTo(95, within(1.5));
    // Every request failed: 0 %, not "no data" (the non-5xx side has no series at all).
    assertThat(prometheus.awaitValue(IstioQueries.successRate(NS, "broken", WINDOW), v -> true, SETTLE).value())
        .isZero();
    assertThat(prometheus.query(IstioQueries.successRate(NS, "slow", WINDOW)).value()).isCloseTo(100, within(1e-9));
  }

  @Test
  @Order(3)
  void requestCountOfDrivenTraffic() {
    // 20 requests/s over 10 s; increase() extrapolates to the window's edges, so allow 15 %.
    QueryResult requests = prometheus.awaitValue(IstioQueries.requests(NS, "healthy", WINDOW),
        v -> v > 170 && v < 230, SETTLE);
    assertThat(requests.value()).isBetween(170.0, 230.0);
    // No request in the window: 0 (the series exist).
    assertThat(prometheus.awaitValue(IstioQueries.requests(NS, "idle", WINDOW), v -> true, SETTLE).value())
        .isZero();
  }

  @Test
  @Order(4)
  void latencyP99IsInterpolatedInIstiosBuckets() {
    // All at 30 ms: the (25, 50] bucket, 25 + 25 * 0.99.
    assertThat(prometheus.awaitValue(IstioQueries.latencyP99(NS, "healthy", WINDOW), v -> true, SETTLE).value())
        .isCloseTo(49.75, within(0.01));
    // All at 200 ms: the (100, 250] bucket, 100 + 150 * 0.99.
    assertThat(prometheus.awaitValue(IstioQueries.latencyP99(NS, "slow", WINDOW), v -> true, SETTLE).value())
        .isCloseTo(248.5, within(0.01));
  }

  @Test
  @Order(5)
  void failuresHaveTheirOutcomes() {
    QueryResult empty = prometheus.query(IstioQueries.successRate(NS, "no-such-workload", WINDOW));
    assertThat(empty.outcome()).isEqualTo(Outcome.Empty);
    assertThat(empty.message()).startsWith("no data: the query returned no series").contains(prometheus.url());

    QueryResult bad = prometheus.query("sum(rate(istio_requests_total[10s])");
    assertThat(bad.outcome()).isEqualTo(Outcome.QueryError);
    assertThat(bad.message()).startsWith("query error (bad_data): ").contains("parse error");

    QueryResult many = prometheus.query("rate(istio_requests_total{destination_workload=\"healthy\"}[10s])");
    assertThat(many.outcome()).isEqualTo(Outcome.ManySeries);
    assertThat(many.message()).startsWith("the query returned 2 series, expected one");

    assertThat(prometheus.query("0/0").outcome()).isEqualTo(Outcome.NotANumber);
    // No request in the window: the success rate is 0/0, p99 has no observation: both NaN.
    prometheus.awaitOutcome(IstioQueries.successRate(NS, "idle", WINDOW), Outcome.NotANumber, SETTLE);
    prometheus.awaitOutcome(IstioQueries.latencyP99(NS, "idle", WINDOW), Outcome.NotANumber, SETTLE);

    assertThat(prometheus.query("1/0")).isEqualTo(QueryResult.value(Double.POSITIVE_INFINITY));
  }

  @Test
  @Order(6)
  void unreachableWhileStoppedAndValuesAgainAfterStart() {
    String query = IstioQueries.successRate(NS, "healthy", WINDOW);
    prometheus.stop();
    assertThat(prometheus.isRunning()).isFalse();
    QueryResult down = prometheus.query(query);
    assertThat(down.outcome()).isEqualTo(Outcome.Unreachable);
    assertThat(down.message()).isEqualTo("Prometheus at " + prometheus.url() + " is unreachable: Connection refused");

    prometheus.start();
    // Same port, same storage: the series from before the stop are there, and scraping goes on.
    assertThat(prometheus.query("count(istio_requests_total)")).isEqualTo(QueryResult.value(5));
    assertThat(prometheus.awaitValue(query, v -> Math.abs(v - 95) < 1.5, SETTLE).value()).isCloseTo(95, within(1.5));
  }
}
