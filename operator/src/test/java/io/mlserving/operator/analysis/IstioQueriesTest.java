package io.mlserving.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlserving.operator.analysis.IstioQueries.Op;
import io.mlserving.operator.analysis.IstioQueries.Selector;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The PromQL the built-in checks send, and the placeholders of custom queries, as exact strings. */
class IstioQueriesTest {
  private static final String DEST = "{reporter=\"destination\",destination_workload=\"fraud-v2\","
      + "destination_workload_namespace=\"prod\"}";

  static Stream<Arguments> windows() {
    return Stream.of(
        Arguments.of(Duration.ofSeconds(60), "1m"),
        Arguments.of(Duration.ofSeconds(90), "1m30s"),
        Arguments.of(Duration.ofSeconds(10), "10s"),
        Arguments.of(Duration.ofMillis(500), "500ms"),
        Arguments.of(Duration.ofMillis(1500), "1s500ms"),
        Arguments.of(Duration.ofHours(1), "1h"),
        Arguments.of(Duration.ofSeconds(3661), "1h1m1s"),
        Arguments.of(Duration.ofDays(2), "48h"),
        Arguments.of(Duration.ofMillis(1), "1ms"),
        // Below a millisecond is dropped: Prometheus ranges have millisecond resolution.
        Arguments.of(Duration.ofNanos(2_500_000), "2ms"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("windows")
  void windowIsAPrometheusRange(Duration d, String expected) {
    assertThat(IstioQueries.window(d)).isEqualTo(expected);
  }

  @Test
  void windowRefusesAnEmptyOrNegativeRange() {
    assertThatThrownBy(() -> IstioQueries.window(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1ms");
    assertThatThrownBy(() -> IstioQueries.window(Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IstioQueries.window(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requestsIsTheIncreaseOfTheCounter() {
    assertThat(IstioQueries.requests("prod", "fraud-v2", Duration.ofMinutes(1)))
        .isEqualTo("sum(increase(istio_requests_total" + DEST + "[1m]))");
  }

  @Test
  void successRateCountsNon5xxAndIsZeroWhenEveryRequestFailed() {
    assertThat(IstioQueries.successRate("prod", "fraud-v2", Duration.ofSeconds(90)))
        .isEqualTo("100 * (sum(rate(istio_requests_total{reporter=\"destination\",destination_workload=\"fraud-v2\","
            + "destination_workload_namespace=\"prod\",response_code!~\"5.*\"}[1m30s])) or vector(0))"
            + " / sum(rate(istio_requests_total" + DEST + "[1m30s]))");
  }

  @Test
  void latencyP99IsAHistogramQuantileByLe() {
    assertThat(IstioQueries.latencyP99("prod", "fraud-v2", Duration.ofSeconds(30)))
        .isEqualTo("histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket"
            + DEST + "[30s])))");
    assertThat(IstioQueries.latency(0.5, Selector.destination("prod", "fraud-v2"), Duration.ofSeconds(30)))
        .startsWith("histogram_quantile(0.5, ");
    assertThatThrownBy(() -> IstioQueries.latency(1.5, Selector.destination("a", "b"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void selectorTakesMoreMatchersForOtherReporters() {
    Selector bySource = new Selector(java.util.List.of())
        .and("reporter", "source")
        .and("destination_service", "fraud.prod.svc.cluster.local")
        .and("response_code", Op.RE, "2..")
        .and("source_workload", Op.NEQ, "loadgen");
    assertThat(bySource.promql()).isEqualTo("{reporter=\"source\",destination_service=\"fraud.prod.svc.cluster.local\","
        + "response_code=~\"2..\",source_workload!=\"loadgen\"}");
    assertThat(IstioQueries.requests(bySource, Duration.ofMinutes(5)))
        .isEqualTo("sum(increase(istio_requests_total" + bySource.promql() + "[5m]))");
    // Selectors are values: adding a matcher leaves the original as it was.
    Selector base = Selector.destination("prod", "m");
    base.and("x", "y");
    assertThat(base.matchers()).hasSize(3);
    assertThat(base).isEqualTo(Selector.destination("prod", "m"));
  }

  @Test
  void labelValuesAreEscapedAsPromqlStringLiterals() {
    assertThat(IstioQueries.literal("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\nd\"");
    assertThat(Selector.destination("ns", "evil\"} or vector(1) #").promql())
        .isEqualTo("{reporter=\"destination\",destination_workload=\"evil\\\"} or vector(1) #\","
            + "destination_workload_namespace=\"ns\"}");
    assertThatThrownBy(() -> Selector.destination("a", "b").and("bad-label", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad-label");
  }

  @Test
  void templateReplacesEveryPlaceholderWithOrWithoutSpaces() {
    String query = "sum(rate(my_errors_total{namespace=\"{{namespace}}\",pod=~\"{{ canary }}-.*\"}[{{window}}]))"
        + " / sum(rate(my_errors_total{pod=~\"{{  stable\t}}-.*\"}[{{window}}]))";
    Map<String, String> vars = Map.of(IstioQueries.NAMESPACE, "prod", IstioQueries.CANARY, "fraud-v2",
        IstioQueries.STABLE, "fraud-v1", IstioQueries.WINDOW, "1m");
    assertThat(IstioQueries.template(query, vars)).isEqualTo(
        "sum(rate(my_errors_total{namespace=\"prod\",pod=~\"fraud-v2-.*\"}[1m]))"
            + " / sum(rate(my_errors_total{pod=~\"fraud-v1-.*\"}[1m]))");
  }

  @Test
  void templateLeavesUnknownPlaceholdersAndTakesValuesLiterally() {
    assertThat(IstioQueries.template("x{a=\"{{canery}}\"} {{canary}}", Map.of("canary", "$1\\z")))
        .isEqualTo("x{a=\"{{canery}}\"} $1\\z");
    assertThat(IstioQueries.template("no placeholders {here}", Map.of("here", "x")))
        .isEqualTo("no placeholders {here}");
  }

  @Test
  void unknownPlaceholdersNameTyposInOrder() {
    Set<String> known = Set.copyOf(IstioQueries.PLACEHOLDERS);
    assertThat(IstioQueries.unknownPlaceholders(
        "{{ canery }} {{canary}} {{ canary-name }} {{window}} {{canery}} {{}}", known))
        .containsExactly("canery", "canary-name", "");
    assertThat(IstioQueries.unknownPlaceholders(
        "{{namespace}} {{ canary }} {{stable}} {{window}}", known)).isEmpty();
  }

  @Test
  void placeholdersAreTheFourTheContractNames() {
    assertThat(IstioQueries.PLACEHOLDERS).containsExactly("namespace", "canary", "stable", "window");
  }
}
