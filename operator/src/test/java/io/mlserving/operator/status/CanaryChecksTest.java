package io.mlserving.operator.status;

import static io.mlserving.operator.testing.CanaryTestCrs.custom;
import static io.mlserving.operator.testing.CanaryTestCrs.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** One metric check from what Prometheus answered: bounds inclusive, Error without a number, Inconclusive. */
class CanaryChecksTest {
  static final Instant NOW = Instant.parse("2026-03-02T10:00:07.250Z");
  static final String URL = "http://prometheus.istio-system:9090";
  static final String Q = "sum(rate(x[1m]))";
  static final QueryResult PLENTY = QueryResult.value(1000);

  static CanaryCheck check(CanaryMetric m, QueryResult value) {
    return CanaryChecks.evaluate(m, value, PLENTY, 20, "1m", NOW);
  }

  static Double bound(String text) {
    return text == null || text.isBlank() ? null : Double.valueOf(text);
  }

  @ParameterizedTest(name = "[{0}, {1}] value {2}: {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // min alone, inclusive
      "99   | -    | 99       | Pass | 99    | success-rate 99 ≥ 99",
      "99   | -    | 99.0004  | Pass | 99    | success-rate 99 ≥ 99",
      "99   | -    | 100      | Pass | 100   | success-rate 100 ≥ 99",
      "99   | -    | 98.999   | Fail | 98.999 | success-rate 98.999 is below min 99",
      "99   | -    | 98.9996  | Fail | 98.999 | success-rate 98.999 is below min 99",
      "99   | -    | 0        | Fail | 0     | success-rate 0 is below min 99",
      // max alone, inclusive
      "-    | 500  | 500      | Pass | 500   | success-rate 500 ≤ 500",
      "-    | 500  | 499.9999 | Pass | 500   | success-rate 500 ≤ 500",
      "-    | 500  | 500.001  | Fail | 500.001 | success-rate 500.001 is above max 500",
      "-    | 500  | 500.0004 | Fail | 500.001 | success-rate 500.001 is above max 500",
      "-    | 0    | 0        | Pass | 0     | success-rate 0 ≤ 0",
      "-    | 0    | 0.0001   | Fail | 0.001 | success-rate 0.001 is above max 0",
      "-    | 0    | -0.5     | Pass | -0.5  | success-rate -0.5 ≤ 0",
      // both bounds, both inclusive
      "1    | 2    | 1        | Pass | 1     | success-rate 1 in [1, 2]",
      "1    | 2    | 2        | Pass | 2     | success-rate 2 in [1, 2]",
      "1    | 2    | 1.5      | Pass | 1.5   | success-rate 1.5 in [1, 2]",
      "1    | 2    | 0.999    | Fail | 0.999 | success-rate 0.999 is below min 1",
      "1    | 2    | 2.001    | Fail | 2.001 | success-rate 2.001 is above max 2",
      "0.5  | 0.5  | 0.5      | Pass | 0.5   | success-rate 0.5 in [0.5, 0.5]",
      "-1.5 | 1.25 | -1.5     | Pass | -1.5  | success-rate -1.5 in [-1.5, 1.25]",
  })
  void valuesAgainstTheirBounds(String min, String max, double value, CheckResult result, double kept,
      String message) {
    CanaryCheck k = check(metric(CanaryMetric.SUCCESS_RATE, bound(min), bound(max)), QueryResult.value(value));
    assertThat(k.getResult()).isEqualTo(result);
    assertThat(k.getValue()).as("the value kept in status").isEqualTo(kept);
    assertThat(k.getMessage()).isEqualTo(message);
    assertThat(k.getMin()).isEqualTo(bound(min));
    assertThat(k.getMax()).isEqualTo(bound(max));
    assertThat(k.getName()).isEqualTo(CanaryMetric.SUCCESS_RATE);
    assertThat(k.getTime()).isEqualTo("2026-03-02T10:00:07Z");
    // The number shown keeps the verdict: a Fail never reads as a value within its bounds.
    assertThat(CanaryRollout.describe(k)).contains(result == CheckResult.Fail
        ? (bound(min) != null && k.getValue() < bound(min) ? "< " : "> ") : " ");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(QueryResult.unreachable(URL, "Connection refused")),
        Arguments.of(QueryResult.timeout(URL, Duration.ofSeconds(5), Q)),
        Arguments.of(QueryResult.httpError(URL, 502, "<html>Bad Gateway</html>")),
        Arguments.of(QueryResult.queryError(URL, "bad_data", "parse error at char 5", Q)),
        Arguments.of(QueryResult.serverTimeout(URL, "query timed out in expression evaluation", Q)),
        Arguments.of(QueryResult.empty(URL, Q)),
        Arguments.of(QueryResult.notANumber(URL, Q)),
        Arguments.of(QueryResult.manySeries(URL, 3, Q)));
  }

  @Test
  void failuresCoverEveryOutcomeButValue() {
    Set<QueryResult.Outcome> covered = failures().map(a -> ((QueryResult) a.get()[0]).outcome())
        .collect(Collectors.toSet());
    assertThat(covered).isEqualTo(EnumSet.complementOf(EnumSet.of(QueryResult.Outcome.Value)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aMetricWithoutANumberIsAnErrorKeepingItsMessage(QueryResult failure) {
    CanaryCheck k = check(metric(CanaryMetric.LATENCY_P99, null, 500.0), failure);
    assertThat(k.getResult()).isEqualTo(CheckResult.Error);
    assertThat(k.getValue()).isNull();
    assertThat(k.getMessage()).isEqualTo(failure.message()).contains(URL);
    assertThat(k.getMax()).isEqualTo(500.0);
  }

  static Stream<Arguments> countFailures() {
    return failures().filter(a -> ((QueryResult) a.get()[0]).outcome() != QueryResult.Outcome.Empty);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("countFailures")
  void aRequestCountWithoutANumberIsAnError(QueryResult failure) {
    CanaryCheck k = CanaryChecks.evaluate(metric(CanaryMetric.SUCCESS_RATE, 99.0, null), QueryResult.value(100),
        failure, 20, "1m", NOW);
    assertThat(k.getResult()).isEqualTo(CheckResult.Error);
    assertThat(k.getValue()).isNull();
    assertThat(k.getMessage()).isEqualTo("could not count the canary's requests: " + failure.message());
  }

  @ParameterizedTest(name = "{0} requests, minRequests {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "0    | 20 | Inconclusive | the canary had 0 requests in the last 2m30s, fewer than minRequests 20",
      "19   | 20 | Inconclusive | the canary had 19 requests in the last 2m30s, fewer than minRequests 20",
      "19.6 | 20 | Inconclusive | the canary had 19.6 requests in the last 2m30s, fewer than minRequests 20",
      "20   | 20 | Pass         | success-rate 99.5 ≥ 99",
      // Not a single request: nothing to judge, whatever minRequests says.
      "0    | 0  | Inconclusive | the canary had 0 requests in the last 2m30s, not one to judge (minRequests 0)",
      "0.4  | 0  | Inconclusive | the canary had 0.4 requests in the last 2m30s, not one to judge (minRequests 0)",
      "1    | 0  | Pass         | success-rate 99.5 ≥ 99",
      "1    | 1  | Pass         | success-rate 99.5 ≥ 99",
  })
  void tooFewRequestsIsInconclusive(double requests, int minRequests, CheckResult result, String message) {
    CanaryCheck k = CanaryChecks.evaluate(metric(CanaryMetric.SUCCESS_RATE, 99.0, null), QueryResult.value(99.5),
        QueryResult.value(requests), minRequests, "2m30s", NOW);
    assertThat(k.getResult()).isEqualTo(result);
    assertThat(k.getMessage()).isEqualTo(message);
    if (result == CheckResult.Inconclusive) {
      assertThat(k.getValue()).as("no value is judged on too little traffic").isNull();
    }
  }

  @Test
  void noSeriesForTheRequestCountIsZeroRequests() {
    // Istio creates istio_requests_total's series at a workload's first request: none is a canary not yet called.
    CanaryCheck k = CanaryChecks.evaluate(metric(CanaryMetric.SUCCESS_RATE, 99.0, null), QueryResult.empty(URL, Q),
        QueryResult.empty(URL, Q), 20, "1m", NOW);
    assertThat(k.getResult()).isEqualTo(CheckResult.Inconclusive);
    assertThat(k.getMessage()).isEqualTo("the canary had 0 requests in the last 1m, fewer than minRequests 20");
  }

  @Test
  void tooFewRequestsIsInconclusiveEvenWhenTheMetricHasNoNumber() {
    // 0/0 is NaN: with no traffic the metric's own query has nothing to say, and that is not the canary's fault.
    CanaryCheck k = CanaryChecks.evaluate(metric(CanaryMetric.SUCCESS_RATE, 99.0, null), QueryResult.notANumber(URL, Q),
        QueryResult.value(0), 1, "1m", NOW);
    assertThat(k.getResult()).isEqualTo(CheckResult.Inconclusive);
  }

  @Test
  void infiniteValuesAreJudgedButNotWrittenAsNumbers() {
    // histogram_quantile gives +Inf when the quantile falls in the +Inf bucket, a custom x/0 gives ±Inf. JSON has no
    // infinity: Jackson writes the string "Infinity", which the CRD's number type refuses, and the status write (and
    // with it the rollback) would fail on every retry.
    CanaryCheck slow = check(metric(CanaryMetric.LATENCY_P99, null, 500.0),
        QueryResult.value(Double.POSITIVE_INFINITY));
    assertThat(slow.getResult()).isEqualTo(CheckResult.Fail);
    assertThat(slow.getValue()).isNull();
    assertThat(slow.getMessage()).isEqualTo("latency-p99 +Inf is above max 500");
    assertThat(Serialization.asJson(slow)).doesNotContain("Infinity").doesNotContain("\"value\"");
    assertThat(CanaryRollout.describe(slow)).isEqualTo("latency-p99 Fail: latency-p99 +Inf is above max 500");

    CanaryCheck low = check(custom("margin", "x", 0.0, null), QueryResult.value(Double.NEGATIVE_INFINITY));
    assertThat(low.getResult()).isEqualTo(CheckResult.Fail);
    assertThat(low.getMessage()).isEqualTo("margin -Inf is below min 0");

    CanaryCheck high = check(custom("margin", "x", 0.0, null), QueryResult.value(Double.POSITIVE_INFINITY));
    assertThat(high.getResult()).isEqualTo(CheckResult.Pass);
    assertThat(high.getValue()).isNull();
    assertThat(high.getMessage()).isEqualTo("margin +Inf ≥ 0");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "99.6, 99.6",
      "500.0, 500",
      "0.125, 0.125",
      "0.1234, 0.123",
      "0.1235, 0.124",
      "99.99999, 100",
      "-1.5, -1.5",
      "1000000, 1000000",
      "0.0, 0",
      "-0.0, 0",
      "1.0E-4, 0",
      "12345.6789, 12345.679",
  })
  void numbersHaveAtMostThreeDecimalsAndNoTrailingZeros(double value, String shown) {
    assertThat(CanaryChecks.format(value)).isEqualTo(shown);
  }

  @Test
  void nonFiniteNumbersAreShownAsPrometheusWritesThem() {
    assertThat(CanaryChecks.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(CanaryChecks.format(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(CanaryChecks.format(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void theValueKeptInStatusIsRoundedToThreeDecimals() {
    CanaryCheck k = check(metric(CanaryMetric.SUCCESS_RATE, 99.0, null), QueryResult.value(99.61249));
    assertThat(k.getValue()).isEqualTo(99.612);
    assertThat(k.getMessage()).isEqualTo("success-rate 99.612 ≥ 99");
  }

  @Test
  void timeIsRfc3339ToTheSecond() {
    assertThat(CanaryChecks.time(Instant.parse("2026-03-02T10:00:07.999Z"))).isEqualTo("2026-03-02T10:00:07Z");
    assertThat(CanaryChecks.time(Instant.parse("2026-03-02T10:00:00Z"))).isEqualTo("2026-03-02T10:00:00Z");
  }
}
