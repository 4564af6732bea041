package io.mlserving.operator.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlserving.operator.analysis.LiveQueries;
import io.mlserving.operator.analysis.LiveQueries.BreakerStats;
import io.mlserving.operator.analysis.LiveQueries.WorkloadKey;
import io.mlserving.operator.analysis.LiveQueries.WorkloadStats;
import io.mlserving.operator.analysis.QueryResult.Outcome;
import io.mlserving.operator.analysis.VectorResult;
import io.mlserving.operator.prom.IstioExporter.Requests;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The batched live-analysis queries against a real Prometheus (Debian's 2.42 scraping {@link IstioExporter} every
 * second): one {@link LiveQueries#workloads} query answers for every workload of two namespaces, one
 * {@link LiveQueries#breakers} query for every service's refusals and outlier ejections.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveQueriesIT {
  private static final Duration WINDOW = Duration.ofSeconds(10);
  // The window must fill (10 s) and be scraped (1 s) before the numbers settle; a loaded machine is slower.
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final String FRAUD = "fraud-v1.models.svc.cluster.local";
  private static final String RANKER = "ranker.search.svc.cluster.local";

  private static IstioExporter istio;
  private static PrometheusServer prometheus;
  private static IstioExporter.Traffic overflowing;

  @BeforeAll
  static void start() {
    istio = IstioExporter.start();
    // Driven before Prometheus starts, so the windows fill while it comes up.
    // models/fraud-v1: 20 requests/s, 5 % of them 503, all 30 ms.
    istio.traffic(Requests.to("models", "fraud-v1")).latencyMs(30).rate(19);
    istio.traffic(Requests.to("models", "fraud-v1").code(503)).latencyMs(30).rate(1);
    // Its clients' sidecars report the same requests with reporter="source": not the workload's own count.
    istio.traffic(Requests.from("models", "fraud-v1")).latencyMs(30).rate(20);
    // models/fraud-v2: 10 requests/s taking 200 ms.
    istio.traffic(Requests.to("models", "fraud-v2")).latencyMs(200).rate(10);
    // models/fraud-shadow: mirrored requests (destination-reported only), every one a 500, 5 ms.
    istio.traffic(Requests.to("models", "fraud-shadow").code(500)).latencyMs(5).rate(5);
    // search/fraud-v1: the same workload name in another namespace, 4 requests/s of 10 ms.
    istio.traffic(Requests.to("search", "fraud-v1")).latencyMs(10).rate(4);
    // search/ranker: 8 requests/s and no duration histogram.
    istio.traffic(Requests.to("search", "ranker")).latencyMs(-1).rate(8);
    // search/idle: 10 requests long ago, none since.
    istio.requests(Requests.to("search", "idle"), 10).latency(Requests.to("search", "idle"), 5, 10);

    // Breakers: fraud-v1's pool overflows 5 times a second, ranker has no healthy endpoint twice a second.
    overflowing = istio.traffic(Requests.from("models", "fraud-v1").refused("UO")).rate(5);
    istio.traffic(Requests.from("search", "ranker").refused("UH")).rate(2);
    istio.gauge(IstioExporter.OUTLIER_EJECTIONS_ACTIVE, Map.of("cluster_name", "outbound|80||" + FRAUD), 2);
    // An inbound cluster's gauge names no service the breakers guard.
    istio.gauge(IstioExporter.OUTLIER_EJECTIONS_ACTIVE, Map.of("cluster_name", "inbound|8080||"), 3);
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
  void oneWorkloadsQueryAnswersForEveryWorkloadOfBothNamespaces() {
    String query = LiveQueries.workloads(WINDOW);
    untilAsserted(query, answer -> {
      Map<WorkloadKey, WorkloadStats> stats = LiveQueries.workloadStats(answer);
      // Exactly the destination-reported workloads: the source-reported and refused series are no workload's.
      assertThat(stats.keySet()).containsExactly(key("models", "fraud-shadow"), key("models", "fraud-v1"),
          key("models", "fraud-v2"), key("search", "fraud-v1"), key("search", "idle"), key("search", "ranker"));

      // 20 requests/s over 10 s; increase() extrapolates to the window's edges, so allow 15 %.
      WorkloadStats fraud = stats.get(key("models", "fraud-v1"));
      assertThat(fraud.requests()).isBetween(170L, 230L);
      assertThat((double) fraud.successes() / fraud.requests()).isCloseTo(0.95, within(0.02));
      // All at 30 ms: the (25, 50] bucket, 25 + 25 * 0.99.
      assertThat(fraud.latencyP99Ms()).isCloseTo(49.75, within(0.01));

      WorkloadStats v2 = stats.get(key("models", "fraud-v2"));
      assertThat(v2.requests()).isBetween(85L, 115L);
      assertThat(v2.successes()).isEqualTo(v2.requests());
      // All at 200 ms: the (100, 250] bucket, 100 + 150 * 0.99.
      assertThat(v2.latencyP99Ms()).isCloseTo(248.5, within(0.01));

      WorkloadStats shadow = stats.get(key("models", "fraud-shadow"));
      assertThat(shadow.requests()).isBetween(40L, 60L);
      assertThat(shadow.successes()).isZero();
      // All at 5 ms: the (2, 5] bucket, 2 + 3 * 0.99.
      assertThat(shadow.latencyP99Ms()).isCloseTo(4.97, within(0.01));

      WorkloadStats other = stats.get(key("search", "fraud-v1"));
      assertThat(other.requests()).isBetween(32L, 48L);
      assertThat(other.latencyP99Ms()).isCloseTo(9.95, within(0.01));

      WorkloadStats ranker = stats.get(key("search", "ranker"));
      assertThat(ranker.requests()).isBetween(65L, 95L);
      assertThat(ranker.successes()).isEqualTo(ranker.requests());
      assertThat(ranker.latencyP99Ms()).as("no histogram, no p99").isNull();

      // No request in the window: nothing counted, the p99 of no observation (NaN) is none.
      assertThat(stats.get(key("search", "idle"))).isEqualTo(new WorkloadStats(0, 0, null));
    });
  }

  @Test
  @Order(2)
  void oneBreakersQueryGivesRefusalsAndEjectionsPerService() {
    String query = LiveQueries.breakers(WINDOW);
    untilAsserted(query, answer -> {
      Map<String, BreakerStats> stats = LiveQueries.breakerStats(answer);
      assertThat(stats.keySet()).containsExactly(FRAUD, RANKER);
      BreakerStats fraud = stats.get(FRAUD);
      assertThat(fraud.overflowing()).isBetween(40L, 60L);
      assertThat(fraud.noHealthyUpstream()).isZero();
      assertThat(fraud.ejectionsActive()).isEqualTo(2L);
      BreakerStats ranker = stats.get(RANKER);
      assertThat(ranker.overflowing()).isZero();
      assertThat(ranker.noHealthyUpstream()).isBetween(14L, 26L);
      // The gauge exists (for fraud-v1's cluster) but not for ranker's: no count rather than 0.
      assertThat(ranker.ejectionsActive()).isNull();
      assertThat(LiveQueries.ejectionsExported(answer)).isTrue();
    });
  }

  @Test
  @Order(3)
  void overflowEndsWithTheWindowAndEjectionsFollowTheGauge() {
    overflowing.stop();
    istio.ejections(80, FRAUD, 0);
    String query = LiveQueries.breakers(WINDOW);
    untilAsserted(query, answer -> {
      BreakerStats fraud = LiveQueries.breakerStats(answer).get(FRAUD);
      // The refused requests left the window: 0, and the service stays known (its series still exist).
      assertThat(fraud.overflowing()).isZero();
      // Exported and none ejected is 0, not "not exported".
      assertThat(fraud.ejectionsActive()).isEqualTo(0L);
    });
    istio.ejections(80, FRAUD, 1).ejections(8080, FRAUD, 2);
    untilAsserted(query, answer ->
        assertThat(LiveQueries.breakerStats(answer).get(FRAUD).ejectionsActive()).isEqualTo(3L));
  }

  @Test
  @Order(4)
  void stoppedPrometheusIsAFailureNotAnEmptyAnswer() {
    prometheus.stop();
    VectorResult down = prometheus.queryVector(LiveQueries.workloads(WINDOW));
    assertThat(down.outcome()).isEqualTo(Outcome.Unreachable);
    assertThat(down.samples()).isEmpty();
    assertThat(down.message()).isEqualTo("Prometheus at " + prometheus.url() + " is unreachable: Connection refused");
  }

  private static WorkloadKey key(String namespace, String workload) {
    return new WorkloadKey(namespace, workload);
  }

  /** Polls {@code promql} until its answer has series and passes {@code assertions}; fails with the last error. */
  private static void untilAsserted(String promql, Consumer<VectorResult> assertions) {
    AtomicReference<VectorResult> last = new AtomicReference<>();
    try {
      Awaitility.await(promql).atMost(SETTLE).pollInterval(Duration.ofMillis(500)).pollInSameThread()
          .untilAsserted(() -> {
            VectorResult answer = prometheus.queryVector(promql);
            last.set(answer);
            assertThat(answer.hasValue()).as(answer.message()).isTrue();
            assertions.accept(answer);
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no expected answer to " + promql + " within " + SETTLE + "; last: " + last.get()
          + "\nprometheus log:\n" + prometheus.logTail(20), e);
    }
  }
}
