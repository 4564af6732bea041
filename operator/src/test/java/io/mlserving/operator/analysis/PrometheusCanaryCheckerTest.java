package io.mlserving.operator.analysis;

import static io.mlserving.operator.testing.CanaryTestCrs.custom;
import static io.mlserving.operator.testing.CanaryTestCrs.fraudRollout;
import static io.mlserving.operator.testing.CanaryTestCrs.prometheus;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the checker asks Prometheus for a Canary (recorded by a fake Prometheus) and the checks it makes. */
class PrometheusCanaryCheckerTest {
  static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
  static final String DEFAULT_URL = "http://prometheus.istio-system:9090";
  static final String SPEC_URL = "http://prometheus.monitoring:9090";

  /** A Prometheus that records each query with the URL it was asked at, and answers from a function. */
  static final class FakePrometheus {
    final List<String> urls = new ArrayList<>();
    final List<String> queries = new ArrayList<>();
    Function<String, QueryResult> answer;

    FakePrometheus(Function<String, QueryResult> answer) {
      this.answer = answer;
    }

    Prometheus at(String url) {
      urls.add(url);
      return new Prometheus() {
        @Override
        public String url() {
          return url;
        }

        @Override
        public QueryResult query(String promql) {
          queries.add(promql);
          return answer.apply(promql);
        }

        @Override
        public VectorResult queryVector(String promql) {
          // The Canary's checks are one number each; a vector query here would be a change to notice.
          throw new UnsupportedOperationException("the Canary checker sends one-number queries: " + promql);
        }
      };
    }

    PrometheusCanaryChecker checker(String defaultUrl) {
      return new PrometheusCanaryChecker(this::at, defaultUrl);
    }
  }

  /** Plenty of traffic, a healthy success rate and latency, 0.01 for anything else. */
  static QueryResult healthy(String promql) {
    if (promql.startsWith("sum(increase(" + IstioQueries.REQUESTS_TOTAL)) {
      return QueryResult.value(1200);
    }
    if (promql.startsWith("100 * ")) {
      return QueryResult.value(99.6);
    }
    if (promql.startsWith("histogram_quantile(")) {
      return QueryResult.value(120);
    }
    return QueryResult.value(0.01);
  }

  static Canary fraud() {
    Canary c = fraudRollout();
    c.getSpec().getAnalysis().setWindow("2m");
    return c;
  }

  @Test
  void builtInQueriesTargetTheCanaryWorkloadAndNamespaceWithTheWindow() {
    FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(fraud(), NOW);

    Duration w = Duration.ofMinutes(2);
    assertThat(p.queries).containsExactly(
        IstioQueries.requests("models", "fraud-v2", w),
        IstioQueries.successRate("models", "fraud-v2", w),
        IstioQueries.latencyP99("models", "fraud-v2", w));
    assertThat(p.queries).allSatisfy(q -> assertThat(q)
        .contains("reporter=\"destination\"", "destination_workload=\"fraud-v2\"",
            "destination_workload_namespace=\"models\"", "[2m]")
        .doesNotContain("fraud-v1"));
    assertThat(p.queries.get(2)).contains(IstioQueries.REQUEST_DURATION_BUCKET);
    assertThat(checks).extracting(CanaryCheck::getName).containsExactly("success-rate", "latency-p99");
    assertThat(checks).extracting(CanaryCheck::getResult).containsOnly(CheckResult.Pass);
    assertThat(checks).extracting(CanaryCheck::getValue).containsExactly(99.6, 120.0);
    assertThat(checks).extracting(CanaryCheck::getMin).containsExactly(99.0, null);
    assertThat(checks).extracting(CanaryCheck::getMax).containsExactly(null, 500.0);
    assertThat(checks).extracting(CanaryCheck::getTime).containsOnly("2026-03-02T10:00:00Z");
  }

  @Test
  void theWindowDefaultsToStepInterval() {
    Canary c = fraudRollout();
    c.getSpec().setStepInterval("90s");
    FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    p.checker(DEFAULT_URL).check(c, NOW);
    assertThat(p.queries).hasSize(3).allSatisfy(q -> assertThat(q).contains("[1m30s]"));
  }

  @Test
  void customQueryPlaceholdersAreFilledIn() {
    Canary c = fraud();
    c.getSpec().getAnalysis().setMetrics(List.of(
        custom("errors", "sum(rate(my_errors_total{namespace=\"{{namespace}}\",pod=~\"{{canary}}-.*\"}[{{window}}]))"
            + " / sum(rate(my_requests_total{pod=~\"{{ stable }}-.*\"}[{{window}}]))", null, 0.1),
        // A query wins over a built-in name.
        custom(CanaryMetric.SUCCESS_RATE, "my_success_ratio{workload=\"{{canary}}\"}", 0.9, null)));
    FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(c, NOW);

    assertThat(p.queries).containsExactly(
        IstioQueries.requests("models", "fraud-v2", Duration.ofMinutes(2)),
        "sum(rate(my_errors_total{namespace=\"models\",pod=~\"fraud-v2-.*\"}[2m]))"
            + " / sum(rate(my_requests_total{pod=~\"fraud-v1-.*\"}[2m]))",
        "my_success_ratio{workload=\"fraud-v2\"}");
    assertThat(checks).extracting(CanaryCheck::getResult).containsExactly(CheckResult.Pass, CheckResult.Fail);
  }

  @Test
  void tooFewRequestsSendsNoMetricQueryAndEveryCheckIsInconclusive() {
    FakePrometheus p = new FakePrometheus(q -> q.startsWith("sum(increase(") ? QueryResult.value(7)
        : QueryResult.value(0));
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(fraud(), NOW);

    assertThat(p.queries).containsExactly(IstioQueries.requests("models", "fraud-v2", Duration.ofMinutes(2)));
    assertThat(checks).hasSize(2).allSatisfy(k -> {
      assertThat(k.getResult()).isEqualTo(CheckResult.Inconclusive);
      assertThat(k.getValue()).isNull();
      assertThat(k.getMessage()).isEqualTo("the canary had 7 requests in the last 2m, fewer than minRequests 20");
    });
  }

  @Test
  void noSeriesYetIsZeroRequests() {
    FakePrometheus p = new FakePrometheus(q -> QueryResult.empty(DEFAULT_URL, q));
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(fraud(), NOW);
    assertThat(p.queries).hasSize(1);
    assertThat(checks).extracting(CanaryCheck::getResult).containsOnly(CheckResult.Inconclusive);
    assertThat(checks.get(0).getMessage()).startsWith("the canary had 0 requests in the last 2m");
  }

  @Test
  void zeroMinRequestsStillNeedsOneRequest() {
    Canary c = fraud();
    c.getSpec().getAnalysis().setMinRequests(0);
    FakePrometheus p = new FakePrometheus(q -> q.startsWith("sum(increase(") ? QueryResult.value(0) : healthy(q));
    assertThat(p.checker(DEFAULT_URL).check(c, NOW)).extracting(CanaryCheck::getResult)
        .containsOnly(CheckResult.Inconclusive);
    assertThat(p.queries).as("no metric query on no traffic").hasSize(1);
  }

  @Test
  void minRequestsDefaultsToOne() {
    Canary c = fraud();
    c.getSpec().getAnalysis().setMinRequests(null);
    FakePrometheus none = new FakePrometheus(q -> q.startsWith("sum(increase(") ? QueryResult.value(0)
        : healthy(q));
    assertThat(none.checker(DEFAULT_URL).check(c, NOW)).extracting(CanaryCheck::getResult)
        .containsOnly(CheckResult.Inconclusive);
    FakePrometheus one = new FakePrometheus(q -> q.startsWith("sum(increase(") ? QueryResult.value(1)
        : healthy(q));
    assertThat(one.checker(DEFAULT_URL).check(c, NOW)).extracting(CanaryCheck::getResult)
        .containsOnly(CheckResult.Pass);
  }

  @Test
  void aFailedRequestCountMakesEveryCheckAnErrorWithoutAskingMore() {
    QueryResult down = QueryResult.unreachable(DEFAULT_URL, "Connection refused");
    FakePrometheus p = new FakePrometheus(q -> down);
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(fraud(), NOW);

    assertThat(p.queries).hasSize(1);
    assertThat(checks).hasSize(2).allSatisfy(k -> {
      assertThat(k.getResult()).isEqualTo(CheckResult.Error);
      assertThat(k.getMessage()).isEqualTo("could not count the canary's requests: Prometheus at " + DEFAULT_URL
          + " is unreachable: Connection refused");
    });
  }

  @Test
  void oneMetricWithoutDataIsAnErrorTheOthersAreJudged() {
    FakePrometheus p = new FakePrometheus(q -> q.startsWith("histogram_quantile(")
        ? QueryResult.empty(DEFAULT_URL, q) : healthy(q));
    List<CanaryCheck> checks = p.checker(DEFAULT_URL).check(fraud(), NOW);
    assertThat(checks).extracting(CanaryCheck::getResult).containsExactly(CheckResult.Pass, CheckResult.Error);
    assertThat(checks.get(1).getMessage()).startsWith("no data: the query returned no series").contains(DEFAULT_URL);
  }

  @Test
  void withoutAnyUrlEveryCheckIsAnErrorNamingTheSetting() {
    for (String none : new String[] {null, "", "  "}) {
      FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
      List<CanaryCheck> checks = p.checker(none).check(fraud(), NOW);
      assertThat(p.urls).as("no client asked for").isEmpty();
      assertThat(checks).hasSize(2).allSatisfy(k -> {
        assertThat(k.getResult()).isEqualTo(CheckResult.Error);
        assertThat(k.getMessage()).contains("MLSERVING_PROMETHEUS_URL", "spec.analysis.prometheus.url");
        assertThat(k.getTime()).isEqualTo("2026-03-02T10:00:00Z");
      });
      assertThat(checks).extracting(CanaryCheck::getName).containsExactly("success-rate", "latency-p99");
    }
  }

  @Test
  void theSpecsUrlWinsOverTheDefault() {
    Canary c = fraud();
    c.getSpec().getAnalysis().setPrometheus(prometheus(SPEC_URL));
    FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    p.checker(DEFAULT_URL).check(c, NOW);
    assertThat(p.urls).containsOnly(SPEC_URL);

    FakePrometheus noDefault = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    assertThat(noDefault.checker(null).check(c, NOW)).extracting(CanaryCheck::getResult)
        .containsOnly(CheckResult.Pass);
    assertThat(noDefault.urls).containsOnly(SPEC_URL);
  }

  @Test
  void theDefaultIsAskedWhenTheSpecNamesNone() {
    FakePrometheus p = new FakePrometheus(PrometheusCanaryCheckerTest::healthy);
    p.checker(DEFAULT_URL).check(fraud(), NOW);
    assertThat(p.urls).containsOnly(DEFAULT_URL);
  }
}
