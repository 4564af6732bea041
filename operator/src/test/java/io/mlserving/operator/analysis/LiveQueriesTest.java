package io.mlserving.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlserving.operator.analysis.LiveQueries.BreakerStats;
import io.mlserving.operator.analysis.LiveQueries.WorkloadKey;
import io.mlserving.operator.analysis.LiveQueries.WorkloadStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The batched live-analysis PromQL as exact strings, and its parsers over answers as Prometheus sends them. */
class LiveQueriesTest {
  private static final String URL = "http://prometheus.istio-system:9090";
  private static final String FRAUD = "fraud-v1.models.svc.cluster.local";
  private static final String RANKER = "ranker.search.svc.cluster.local";

  @Test
  void workloadsIsOneQueryForEveryWorkload() {
    String byWorkload = "sum by (destination_workload_namespace, destination_workload) ";
    assertThat(LiveQueries.workloads(Duration.ofMinutes(5))).isEqualTo(
        "label_replace(" + byWorkload + "(increase(istio_requests_total{reporter=\"destination\"}[5m])), "
            + "\"metric\", \"requests\", \"\", \"\")"
            + " or label_replace(" + byWorkload + "(increase(istio_requests_total{reporter=\"destination\","
            + "response_code!~\"5.*\"}[5m])), \"metric\", \"successes\", \"\", \"\")"
            + " or label_replace(histogram_quantile(0.99, sum by (destination_workload_namespace, "
            + "destination_workload, le) (rate(istio_request_duration_milliseconds_bucket{reporter=\"destination\"}"
            + "[5m]))), \"metric\", \"p99\", \"\", \"\")");
    assertThat(LiveQueries.workloads(Duration.ofSeconds(90))).contains("[1m30s]").doesNotContain("[5m]");
  }

  @Test
  void breakersIsOneQueryForEveryService() {
    assertThat(LiveQueries.breakers(Duration.ofMinutes(5))).isEqualTo(
        "label_replace(sum by (destination_service) (increase(istio_requests_total{reporter=\"source\","
            + "response_flags=\"UO\"}[5m])), \"metric\", \"overflowing\", \"\", \"\")"
            + " or label_replace(sum by (destination_service) (increase(istio_requests_total{reporter=\"source\","
            + "response_flags=\"UH\"}[5m])), \"metric\", \"noHealthyUpstream\", \"\", \"\")"
            // The regular expression outbound\|.* as a PromQL string: the backslash doubled.
            + " or label_replace(sum by (cluster_name) (envoy_cluster_outlier_detection_ejections_active"
            + "{cluster_name=~\"outbound\\\\|.*\"}), \"metric\", \"ejections\", \"\", \"\")");
  }

  static Stream<Arguments> refreshes() {
    return Stream.of(
        Arguments.of(Duration.ofMinutes(5), Duration.ofMinutes(1)),
        Arguments.of(Duration.ofMinutes(1), Duration.ofSeconds(12)),
        Arguments.of(Duration.ofHours(1), Duration.ofMinutes(12)),
        Arguments.of(Duration.ofSeconds(50), Duration.ofSeconds(10)),
        // Below 50 s a fifth is under the floor: 10 s.
        Arguments.of(Duration.ofSeconds(30), Duration.ofSeconds(10)),
        Arguments.of(Duration.ofSeconds(1), Duration.ofSeconds(10)),
        Arguments.of(Duration.ofSeconds(51), Duration.ofMillis(10_200)));
  }

  @ParameterizedTest(name = "window {0} -> every {1}")
  @MethodSource("refreshes")
  void refreshIsAFifthOfTheWindowAndAtLeastTenSeconds(Duration window, Duration expected) {
    assertThat(LiveQueries.refreshInterval(window)).isEqualTo(expected);
  }

  @Test
  void refreshNeedsAPositiveWindow() {
    assertThatThrownBy(() -> LiveQueries.refreshInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LiveQueries.refreshInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> clusters() {
    return Stream.of(
        Arguments.of("outbound|80||" + FRAUD, Optional.of(FRAUD)),
        Arguments.of("outbound|8080|v1|" + FRAUD, Optional.of(FRAUD)),
        Arguments.of("outbound|9090||prometheus.istio-system.svc.cluster.local",
            Optional.of("prometheus.istio-system.svc.cluster.local")),
        Arguments.of("inbound|8080||", Optional.empty()),
        Arguments.of("inbound|8080||" + FRAUD, Optional.empty()),
        Arguments.of("BlackHoleCluster", Optional.empty()),
        Arguments.of("xds-grpc", Optional.empty()),
        Arguments.of("outbound|http||" + FRAUD, Optional.empty()),
        Arguments.of("outbound|80||", Optional.empty()),
        Arguments.of("outbound_.80_._." + FRAUD, Optional.empty()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("clusters")
  void outboundClustersMapBackToTheirService(String cluster, Optional<String> service) {
    assertThat(LiveQueries.serviceOfCluster(cluster)).isEqualTo(service);
  }

  // ---- answers as Prometheus' JSON, read by the client's own parser ----

  /** One series of a batched answer: {@code labels} as name, value pairs, then its value as Prometheus writes it. */
  static String series(String value, String... labels) {
    Map<String, String> l = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return l.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
        .collect(Collectors.joining(",", "{\"metric\":{", "},\"value\":[1735689600.5,\"" + value + "\"]}"));
  }

  static String workload(String metric, String ns, String name, String value) {
    return series(value, "destination_workload", name, "destination_workload_namespace", ns, "metric", metric);
  }

  static VectorResult answer(String... series) {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + String.join(",", series) + "]}}";
    VectorResult r = PrometheusClient.parse(URL, 200, body, "q");
    assertThat(r.hasValue()).as(r.message()).isTrue();
    return r;
  }

  static WorkloadKey key(String ns, String workload) {
    return new WorkloadKey(ns, workload);
  }

  static Stream<Arguments> workloadAnswers() {
    return Stream.of(
        Arguments.of("two namespaces, every series; increase() fractions rounded",
            answer(workload("requests", "models", "fraud-v1", "1199.6"),
                workload("successes", "models", "fraud-v1", "1139.4"),
                workload("p99", "models", "fraud-v1", "49.75"),
                workload("requests", "models", "fraud-v2", "300"),
                workload("successes", "models", "fraud-v2", "300"),
                workload("p99", "models", "fraud-v2", "248.5"),
                workload("requests", "search", "ranker", "41.5"),
                workload("successes", "search", "ranker", "40.49"),
                workload("p99", "search", "ranker", "9.9")),
            Map.of(key("models", "fraud-v1"), new WorkloadStats(1200, 1139, 49.75),
                key("models", "fraud-v2"), new WorkloadStats(300, 300, 248.5),
                key("search", "ranker"), new WorkloadStats(42, 40, 9.9))),
        Arguments.of("every request a 5xx: no successes series, 0",
            answer(workload("requests", "models", "broken", "50"), workload("p99", "models", "broken", "4.95")),
            Map.of(key("models", "broken"), new WorkloadStats(50, 0, 4.95))),
        Arguments.of("no request in the window: 0 requests, p99 NaN is none",
            answer(workload("requests", "models", "idle", "0"), workload("successes", "models", "idle", "0"),
                workload("p99", "models", "idle", "NaN")),
            Map.of(key("models", "idle"), new WorkloadStats(0, 0, null))),
        Arguments.of("no histogram exported: no p99",
            answer(workload("requests", "models", "tcp", "10"), workload("successes", "models", "tcp", "10")),
            Map.of(key("models", "tcp"), new WorkloadStats(10, 10, null))),
        Arguments.of("the same workload name in two namespaces are two workloads",
            answer(workload("requests", "a", "m", "1"), workload("requests", "b", "m", "2")),
            Map.of(key("a", "m"), new WorkloadStats(1, 0, null), key("b", "m"), new WorkloadStats(2, 0, null))),
        Arguments.of("series without the workload labels or with another tag are not a workload's",
            answer(series("5", "metric", "requests"),
                series("5", "destination_workload_namespace", "models", "metric", "requests"),
                workload("errors", "models", "fraud-v1", "3"),
                series("7", "destination_workload", "fraud-v1", "destination_workload_namespace", "models"),
                workload("requests", "models", "fraud-v1", "8")),
            Map.of(key("models", "fraud-v1"), new WorkloadStats(8, 0, null))),
        Arguments.of("successes rounded above requests are capped at requests",
            answer(workload("requests", "models", "m", "99.4"), workload("successes", "models", "m", "99.5")),
            Map.of(key("models", "m"), new WorkloadStats(99, 99, null))),
        Arguments.of("nothing served anywhere: no workload", answer(), Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workloadAnswers")
  void workloadStatsPerWorkload(String name, VectorResult answer, Map<WorkloadKey, WorkloadStats> expected) {
    assertThat(LiveQueries.workloadStats(answer)).isEqualTo(expected);
  }

  @Test
  void workloadStatsAreOrderedByNamespaceThenName() {
    assertThat(LiveQueries.workloadStats(answer(workload("requests", "b", "a", "1"),
        workload("requests", "a", "z", "1"), workload("requests", "a", "b", "1"))).keySet())
        .containsExactly(key("a", "b"), key("a", "z"), key("b", "a"));
  }

  static String flag(String metric, String service, String value) {
    return series(value, "destination_service", service, "metric", metric);
  }

  static String ejections(String cluster, String value) {
    return series(value, "cluster_name", cluster, "metric", "ejections");
  }

  static Stream<Arguments> breakerAnswers() {
    return Stream.of(
        Arguments.of("refusals per service, ejections summed over the service's ports and subsets",
            answer(flag("overflowing", FRAUD, "12.4"), flag("noHealthyUpstream", FRAUD, "0"),
                flag("noHealthyUpstream", RANKER, "3.5"),
                ejections("outbound|80||" + FRAUD, "2"), ejections("outbound|8080|v1|" + FRAUD, "1"),
                ejections("outbound|80||" + RANKER, "0")),
            Map.of(FRAUD, new BreakerStats(12, 0, 3L), RANKER, new BreakerStats(0, 4, 0L))),
        Arguments.of("a service without the gauge while others have it: no ejection count for it",
            answer(flag("overflowing", FRAUD, "5"), ejections("outbound|80||" + RANKER, "1")),
            Map.of(FRAUD, new BreakerStats(5, 0, null), RANKER, new BreakerStats(0, 0, 1L))),
        Arguments.of("outlier stats not exported at all: flags only",
            answer(flag("overflowing", FRAUD, "7"), flag("noHealthyUpstream", FRAUD, "1")),
            Map.of(FRAUD, new BreakerStats(7, 1, null))),
        Arguments.of("clusters that are no outbound service, NaN gauges and unlabelled series are ignored",
            answer(ejections("inbound|8080||", "4"), ejections("BlackHoleCluster", "1"),
                ejections("outbound|80||" + FRAUD, "NaN"), series("9", "metric", "overflowing"),
                flag("overflowing", "", "9"), flag("retries", FRAUD, "9")),
            Map.of()),
        Arguments.of("no refusal, no gauge: no service", answer(), Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakerAnswers")
  void breakerStatsPerService(String name, VectorResult answer, Map<String, BreakerStats> expected) {
    assertThat(LiveQueries.breakerStats(answer)).isEqualTo(expected);
  }

  @Test
  void ejectionsAreExportedWhenTheGaugeExistsForSomeOutboundCluster() {
    assertThat(LiveQueries.ejectionsExported(answer(flag("overflowing", FRAUD, "1"),
        ejections("outbound|80||" + RANKER, "0")))).isTrue();
    assertThat(LiveQueries.ejectionsExported(answer(flag("overflowing", FRAUD, "1")))).isFalse();
    assertThat(LiveQueries.ejectionsExported(answer(ejections("inbound|8080||", "0")))).isFalse();
    assertThat(LiveQueries.ejectionsExported(answer())).isFalse();
  }

  @Test
  void aFailureIsNotReadAsNoTraffic() {
    VectorResult down = VectorResult.failure(QueryResult.unreachable(URL, "Connection refused"));
    assertThatThrownBy(() -> LiveQueries.workloadStats(down)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is unreachable: Connection refused");
    assertThatThrownBy(() -> LiveQueries.breakerStats(down)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LiveQueries.ejectionsExported(down)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void statsRefuseImpossibleCounts() {
    assertThatThrownBy(() -> new WorkloadStats(1, 2, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WorkloadStats(-1, 0, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WorkloadStats(1, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BreakerStats(0, -1, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(WorkloadStats.NONE).isEqualTo(new WorkloadStats(0, 0, null));
    assertThat(BreakerStats.NONE).isEqualTo(new BreakerStats(0, 0, null));
  }
}
