package io.mlserving.operator.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The Canary's metric gates against a real Prometheus (Debian's 2.42, scraping a test-side exporter of Istio's
 * standard metrics every second): the operator (on the mock API server, with its own Prometheus checker and the
 * operator setting for the URL) promotes a healthy canary, rolls back on 5xx and on latency, holds and then rolls
 * back on too little traffic, and makes no promotion on missing evidence when Prometheus stops.
 */
class CanaryPrometheusIT extends OperatorWithPrometheusTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  @Test
  void aHealthyCanaryPromotesThroughEveryStep() {
    String ns = namespace();
    drive(ns, "fraud-v2", 200, 20, 40);
    Canary c = canary(ns, "healthy", "4s", "60s", 10, 50);
    gate(c, 2, 1, CanaryMetric.SUCCESS_RATE, 99.0, null);
    gate(c, 2, 1, CanaryMetric.LATENCY_P99, null, 500.0);
    awaitScraped(ns);
    h.create(c);

    awaitStatus(ns, "healthy", s -> s.getStep() != null && s.getStep() == 1);
    Canary promoted = awaitStatus(ns, "healthy", s -> s.getPhase() == CanaryPhase.Promoted);
    assertThat(promoted.getStatus().getCanaryWeight()).isEqualTo(100);
    assertThat(promoted.getStatus().getFailedChecks()).isZero();
    assertThat(promoted.getStatus().getChecks()).extracting(CanaryCheck::getName)
        .containsExactly(CanaryMetric.SUCCESS_RATE, CanaryMetric.LATENCY_P99);
    CanaryCheck success = promoted.getStatus().getChecks().get(0);
    assertThat(success.getResult()).isEqualTo(CheckResult.Pass);
    assertThat(success.getValue()).isEqualTo(100.0);
    CanaryCheck latency = promoted.getStatus().getChecks().get(1);
    assertThat(latency.getResult()).isEqualTo(CheckResult.Pass);
    // 40 ms requests fall in Istio's (25, 50] bucket: histogram_quantile interpolates inside it.
    assertThat(latency.getValue()).isBetween(25.0, 50.0);
    assertThat(Conditions.isReady(promoted.getStatus().getConditions())).isTrue();
  }

  @Test
  void aRisingFiveHundredRateRollsBackAfterFailureThresholdFailedChecks() {
    String ns = namespace();
    drive(ns, "fraud-v2", 200, 10, 20);
    drive(ns, "fraud-v2", 503, 5, 20);
    Canary c = canary(ns, "errors", "3s", "60s", 10, 50, 90);
    gate(c, 2, 1, CanaryMetric.SUCCESS_RATE, 99.0, null);
    awaitScraped(ns);
    h.create(c);

    Canary rolledBack = awaitStatus(ns, "errors", s -> s.getPhase() == CanaryPhase.RolledBack);
    assertThat(rolledBack.getStatus().getFailedChecks()).isEqualTo(2);
    assertThat(rolledBack.getStatus().getCanaryWeight()).isZero();
    CanaryCheck check = rolledBack.getStatus().getChecks().get(0);
    assertThat(check.getResult()).isEqualTo(CheckResult.Fail);
    // 10 good of 15 a second: about 66.7 %.
    assertThat(check.getValue()).isBetween(55.0, 75.0);
    assertThat(ready(rolledBack).getReason()).isEqualTo(Reason.RolledBack.name());
    assertThat(ready(rolledBack).getMessage()).contains("success-rate").contains("success-rate 6").contains("< 99 Fail")
        .contains("failed check 2/2");
  }

  @Test
  void latencyOverTheBoundRollsBack() {
    String ns = namespace();
    drive(ns, "fraud-v2", 200, 20, 800);
    Canary c = canary(ns, "slow", "3s", "60s", 25, 50);
    gate(c, 1, 1, CanaryMetric.LATENCY_P99, null, 500.0);
    awaitScraped(ns);
    h.create(c);

    Canary rolledBack = awaitStatus(ns, "slow", s -> s.getPhase() == CanaryPhase.RolledBack);
    CanaryCheck check = rolledBack.getStatus().getChecks().get(0);
    assertThat(check.getName()).isEqualTo(CanaryMetric.LATENCY_P99);
    assertThat(check.getResult()).isEqualTo(CheckResult.Fail);
    assertThat(check.getValue()).isBetween(500.0, 1000.0);
    assertThat(ready(rolledBack).getMessage()).contains("latency-p99").contains("> 500 Fail");
  }

  @Test
  void tooLittleTrafficHoldsTheStepThenRollsBackAtTheDeadlineNamingWhy() {
    String ns = namespace();
    drive(ns, "fraud-v2", 200, 0.5, 20);
    Canary c = canary(ns, "quiet", "2s", "12s", 10, 50);
    gate(c, 2, 100, CanaryMetric.SUCCESS_RATE, 99.0, null);
    awaitScraped(ns);
    h.create(c);

    Canary held = awaitStatus(ns, "quiet", s -> s.getChecks().stream()
        .anyMatch(k -> k.getResult() == CheckResult.Inconclusive));
    assertThat(held.getStatus().getPhase()).isEqualTo(CanaryPhase.Progressing);
    assertThat(held.getStatus().getStep()).isZero();
    assertThat(held.getStatus().getFailedChecks()).isZero();
    assertThat(held.getStatus().getChecks().get(0).getMessage()).contains("fewer than minRequests 100");

    Canary rolledBack = awaitStatus(ns, "quiet", s -> s.getPhase() == CanaryPhase.RolledBack);
    assertThat(rolledBack.getStatus().getStep()).isZero();
    assertThat(ready(rolledBack).getMessage()).contains("did not advance within progressDeadline 12s")
        .contains("inconclusive").contains("minRequests 100");
  }

  @Test
  void prometheusStoppedInTheMiddleGivesErrorChecksNamingTheUrlAndNoPromotion() {
    String ns = namespace();
    drive(ns, "fraud-v2", 200, 20, 20);
    Canary c = canary(ns, "blind", "3s", "60s", 10, 40, 70);
    gate(c, 2, 1, CanaryMetric.SUCCESS_RATE, 99.0, null);
    awaitScraped(ns);
    h.create(c);
    awaitStatus(ns, "blind", s -> s.getStep() != null && s.getStep() == 1);

    prometheus.stop();
    Canary erred = awaitStatus(ns, "blind", s -> s.getChecks().stream()
        .anyMatch(k -> k.getResult() == CheckResult.Error));
    assertThat(erred.getStatus().getChecks().get(0).getMessage()).contains(prometheus.url());
    assertThat(erred.getStatus().getPhase()).isEqualTo(CanaryPhase.Progressing);
    assertThat(erred.getStatus().getStep()).isEqualTo(1);

    Canary rolledBack = awaitStatus(ns, "blind", s -> s.getPhase() == CanaryPhase.RolledBack);
    assertThat(rolledBack.getStatus().getStep()).isEqualTo(1);
    assertThat(rolledBack.getStatus().getFailedChecks()).isEqualTo(2);
    assertThat(ready(rolledBack).getMessage()).contains("Error").contains(prometheus.url());
  }

  private String namespace() {
    String ns = "canary-prom-" + NAMESPACES.incrementAndGet();
    h.readyInferenceService(ns, "fraud-v1");
    h.readyInferenceService(ns, "fraud-v2");
    return ns;
  }

  /** A steady stream of requests answered by {@code workload} with {@code code}, each taking {@code ms}. */
  private void drive(String ns, String workload, int code, double perSecond, double ms) {
    traffic.add(exporter.traffic(IstioExporter.Requests.to(ns, workload).code(code)).latencyMs(ms).rate(perSecond));
  }

  /** Waits until Prometheus has enough of the canary's traffic for rate() over the window. */
  private void awaitScraped(String ns) {
    prometheus.awaitValue(IstioQueries.requests(ns, "fraud-v2", Duration.ofSeconds(5)), v -> v > 0, DEADLINE);
  }

  private static Canary canary(String ns, String name, String stepInterval, String deadline, Integer... steps) {
    return Fixtures.canary(ns, name, "fraud-v1", "fraud-v2", stepInterval, deadline, steps);
  }

  /** Adds a built-in metric gate; a window of 5 s gives rate() five 1 s scrapes to work with. */
  private static void gate(Canary c, int failureThreshold, int minRequests, String metric, Double min, Double max) {
    if (c.getSpec().getAnalysis() == null) {
      Fixtures.withAnalysis(c, failureThreshold);
      c.getSpec().getAnalysis().setWindow("5s");
      c.getSpec().getAnalysis().setMinRequests(minRequests);
    }
    c.getSpec().getAnalysis().getMetrics().add(Fixtures.metric(metric, min, max));
  }

  private Canary awaitStatus(String ns, String name, Predicate<CanaryStatus> p) {
    return await().atMost(DEADLINE).until(() -> h.get(Canary.class, ns, name).orElse(null),
        c -> c != null && c.getStatus() != null && p.test(c.getStatus()));
  }

  private static Condition ready(Canary c) {
    return Conditions.find(c.getStatus().getConditions(), Conditions.READY).orElseThrow();
  }
}
