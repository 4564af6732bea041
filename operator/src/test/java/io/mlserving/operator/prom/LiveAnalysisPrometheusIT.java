package io.mlserving.operator.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.CustomResource;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerAnalysis;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.api.v1alpha1.VariantAnalysis;
import io.mlserving.operator.status.AnalysisEvents;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Live analysis in status against a real Prometheus (Debian's 2.42 scraping a test-side exporter of Istio's metrics
 * every second), the operator on the mock API server with the operator setting for the Prometheus URL: an A/B winner
 * is found, equal variants have none, too few requests are InsufficientData, a shadow turns unhealthy and healthy
 * again, a breaker opens and closes, Prometheus stopped gives AnalysisAvailable=False with the figures kept, and a
 * converged resource with unchanged metrics gets no write over several refreshes. Windows of 10 s (the shortest):
 * refreshes every 10 s.
 */
class LiveAnalysisPrometheusIT extends OperatorWithPrometheusTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String WINDOW = "10s";
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  @Test
  void aClearWinnerIsFoundWithAnEvent() {
    String ns = namespace();
    drive(ns, "fraud-v1", 200, 20);
    drive(ns, "fraud-v1", 500, 5);
    drive(ns, "fraud-v2", 200, 25);
    h.create(abTest(ns, "ab", 50));

    ABTest ab = awaitStatus(ABTest.class, ns, "ab", s -> s.getAnalysis() != null
        && "Winner".equals(s.getAnalysis().getVerdict().getReason()));
    assertThat(ab.getStatus().getAnalysis().getVerdict().getWinner()).isEqualTo("b");
    assertThat(ab.getStatus().getAnalysis().getVerdict().getProbability()).isGreaterThanOrEqualTo(0.95);
    VariantAnalysis a = ab.getStatus().getAnalysis().getVariants().get(0);
    VariantAnalysis b = ab.getStatus().getAnalysis().getVariants().get(1);
    assertThat(a.getName()).isEqualTo("a");
    assertThat(a.getRequests()).isPositive();
    assertThat(a.getSuccessRate()).isBetween(70.0, 90.0);
    assertThat(b.getSuccessRate()).isEqualTo(100.0);
    assertThat(b.getLatencyP99Ms()).isPositive();
    assertThat(a.getProbabilityBest() + b.getProbabilityBest()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.002));
    assertThat(condition(ab, Conditions.CONCLUDED).getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(condition(ab, Conditions.ANALYSIS_AVAILABLE).getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(Conditions.isReady(ab.getStatus().getConditions())).isTrue();
    await().atMost(DEADLINE).until(() -> eventReasons(ns, "ab").contains(AnalysisEvents.WINNER_FOUND));
  }

  @Test
  void equalVariantsHaveNoWinnerYet() {
    String ns = namespace();
    for (String w : List.of("fraud-v1", "fraud-v2")) {
      drive(ns, w, 200, 20);
      drive(ns, w, 500, 2);
    }
    h.create(abTest(ns, "ab", 50));

    ABTest ab = awaitStatus(ABTest.class, ns, "ab", s -> s.getAnalysis() != null
        && s.getAnalysis().getVariants().stream().allMatch(v -> v.getRequests() >= 50));
    assertThat(ab.getStatus().getAnalysis().getVerdict().getReason()).isEqualTo("NoWinnerYet");
    assertThat(ab.getStatus().getAnalysis().getVerdict().getWinner()).isNull();
    assertThat(condition(ab, Conditions.CONCLUDED).getStatus()).isEqualTo(Conditions.FALSE);
  }

  @Test
  void tooFewRequestsAreInsufficientData() {
    String ns = namespace();
    drive(ns, "fraud-v1", 200, 5);
    drive(ns, "fraud-v2", 200, 5);
    h.create(abTest(ns, "ab", 100_000));

    ABTest ab = awaitStatus(ABTest.class, ns, "ab", s -> s.getAnalysis() != null
        && s.getAnalysis().getVariants().stream().allMatch(v -> v.getRequests() > 0));
    assertThat(ab.getStatus().getAnalysis().getVerdict().getReason()).isEqualTo("InsufficientData");
    assertThat(condition(ab, Conditions.CONCLUDED).getMessage()).contains("100000");
  }

  @Test
  void anUnhealthyShadowFlipsShadowHealthyAndBack() {
    String ns = namespace();
    drive(ns, "fraud-v1", 200, 20);
    IstioExporter.Traffic shadowOk = drive(ns, "fraud-v2", 200, 20);
    ShadowTest st = Fixtures.shadowTest(ns, "shadow", "fraud-shadow", "fraud-v1", "fraud-v2");
    ShadowTestAnalysis analysis = new ShadowTestAnalysis();
    analysis.setWindow(WINDOW);
    st.getSpec().setAnalysis(analysis);
    h.create(st);
    awaitCondition(ShadowTest.class, ns, "shadow", Conditions.SHADOW_HEALTHY, Conditions.TRUE);

    IstioExporter.Traffic failing = drive(ns, "fraud-v2", 500, 20);
    ShadowTest unhealthy = awaitCondition(ShadowTest.class, ns, "shadow", Conditions.SHADOW_HEALTHY,
        Conditions.FALSE);
    assertThat(condition(unhealthy, Conditions.SHADOW_HEALTHY).getReason()).isEqualTo("SuccessRateDropped");
    assertThat(unhealthy.getStatus().getAnalysis().getShadow().getSuccessRate()).isLessThan(90.0);
    assertThat(unhealthy.getStatus().getAnalysis().getPrimary().getSuccessRate()).isEqualTo(100.0);
    assertThat(Conditions.isReady(unhealthy.getStatus().getConditions())).as("Ready is not analysis'").isTrue();
    await().atMost(DEADLINE).until(() -> eventReasons(ns, "shadow").contains(AnalysisEvents.SHADOW_UNHEALTHY));

    failing.stop();
    traffic.remove(failing);
    awaitCondition(ShadowTest.class, ns, "shadow", Conditions.SHADOW_HEALTHY, Conditions.TRUE);
    await().atMost(DEADLINE).until(() -> eventReasons(ns, "shadow").contains(AnalysisEvents.SHADOW_HEALTHY_AGAIN));
    assertThat(shadowOk).isNotNull();
  }

  @Test
  void overflowAndEjectionsOpenTheBreakerAndItClosesAgain() {
    String ns = namespace();
    String fqdn = "fraud-v1." + ns + ".svc.cluster.local";
    CircuitBreaker cb = Fixtures.circuitBreaker(ns, "cb", "fraud-v1");
    CircuitBreakerAnalysis analysis = new CircuitBreakerAnalysis();
    analysis.setWindow(WINDOW);
    cb.getSpec().setAnalysis(analysis);
    h.create(cb);
    CircuitBreaker closed = awaitCondition(CircuitBreaker.class, ns, "cb", Conditions.CIRCUIT_OPEN, Conditions.FALSE);
    assertThat(condition(closed, Conditions.CIRCUIT_OPEN).getMessage()).contains("proxyStatsMatcher");

    IstioExporter.Traffic refused = exporter.traffic(IstioExporter.Requests.from(ns, "fraud-v1").refused("UO"))
        .latencyMs(-1).rate(10);
    traffic.add(refused);
    CircuitBreaker open = awaitCondition(CircuitBreaker.class, ns, "cb", Conditions.CIRCUIT_OPEN, Conditions.TRUE);
    assertThat(condition(open, Conditions.CIRCUIT_OPEN).getReason()).isEqualTo("Overflowing");
    assertThat(open.getStatus().getAnalysis().getOverflowing()).isPositive();
    await().atMost(DEADLINE).until(() -> eventReasons(ns, "cb").contains(AnalysisEvents.CIRCUIT_OPENED));

    refused.stop();
    traffic.remove(refused);
    exporter.ejections(80, fqdn, 2);
    CircuitBreaker ejecting = awaitStatus(CircuitBreaker.class, ns, "cb", s -> s.getAnalysis() != null
        && Long.valueOf(2).equals(s.getAnalysis().getEjectionsActive())
        && s.getAnalysis().getOverflowing() == 0);
    assertThat(condition(ejecting, Conditions.CIRCUIT_OPEN).getReason()).isEqualTo("Ejecting");

    exporter.ejections(80, fqdn, 0);
    CircuitBreaker closedAgain = awaitCondition(CircuitBreaker.class, ns, "cb", Conditions.CIRCUIT_OPEN,
        Conditions.FALSE);
    assertThat(closedAgain.getStatus().getAnalysis().getEjectionsActive()).isZero();
    await().atMost(DEADLINE).until(() -> eventReasons(ns, "cb").contains(AnalysisEvents.CIRCUIT_CLOSED));
  }

  @Test
  void prometheusStoppedGivesAnalysisUnavailableAndKeepsTheFigures() {
    String ns = namespace();
    drive(ns, "fraud-v1", 200, 10);
    drive(ns, "fraud-v2", 200, 10);
    h.create(abTest(ns, "ab", 10));
    ABTest before = awaitStatus(ABTest.class, ns, "ab", s -> s.getAnalysis() != null
        && s.getAnalysis().getVariants().stream().allMatch(v -> v.getRequests() > 0));

    prometheus.stop();
    ABTest blind = awaitCondition(ABTest.class, ns, "ab", Conditions.ANALYSIS_AVAILABLE, Conditions.FALSE);
    assertThat(condition(blind, Conditions.ANALYSIS_AVAILABLE).getMessage()).contains(prometheus.url());
    assertThat(blind.getStatus().getAnalysis()).as("the figures shown stay").isNotNull();
    assertThat(blind.getStatus().getAnalysis().getVariants()).extracting(VariantAnalysis::getName)
        .containsExactly("a", "b");
    assertThat(blind.getStatus().getAnalysis().getVariants().get(0).getRequests()).isPositive();
    assertThat(Conditions.isReady(blind.getStatus().getConditions())).isTrue();
    assertThat(before.getStatus().getAnalysis()).isNotNull();
  }

  @Test
  void unchangedMetricsCostNoWriteOverSeveralRefreshes() {
    String ns = namespace();
    // No traffic at all: the figures (0 requests, InsufficientData) stay what they are.
    h.create(abTest(ns, "quiet", 100));
    awaitCondition(ABTest.class, ns, "quiet", Conditions.CONCLUDED, Conditions.FALSE);
    String path = "/namespaces/" + ns + "/abtests/quiet";
    long queriesBefore = h.built.live().queries();
    int writesBefore = writes(path);
    // Three refreshes (every 10 s): the status is unchanged, so none of them writes it.
    await().during(Duration.ofSeconds(32)).atMost(Duration.ofSeconds(40)).until(() -> writes(path) == writesBefore);
    long sent = h.built.live().queries() - queriesBefore;
    // One query per source and window for every analysed resource of every namespace: this class's resources
    // share the workloads query of the 10 s window (and the breakers', from the breaker test).
    assertThat(sent).as("queries in 32 s of 10 s refreshes").isBetween(3L, 8L);
  }

  private int writes(String pathPart) {
    return (int) h.cluster.dispatcher.writes().stream().filter(r -> r.path().contains(pathPart)).count();
  }

  private String namespace() {
    String ns = "live-" + NAMESPACES.incrementAndGet();
    h.readyInferenceService(ns, "fraud-v1");
    h.readyInferenceService(ns, "fraud-v2");
    return ns;
  }

  private IstioExporter.Traffic drive(String ns, String workload, int code, double perSecond) {
    IstioExporter.Traffic t = exporter.traffic(IstioExporter.Requests.to(ns, workload).code(code)).latencyMs(30)
        .rate(perSecond);
    traffic.add(t);
    prometheus.awaitValue(IstioQueries.requests(ns, workload, Duration.ofSeconds(5)), v -> v > 0, DEADLINE);
    return t;
  }

  private static ABTest abTest(String ns, String name, long minRequests) {
    ABTest ab = Fixtures.abTest(ns, name, name + "-host", "fraud-v1", 50, "fraud-v2", 50);
    ABTestAnalysis analysis = new ABTestAnalysis();
    analysis.setWindow(WINDOW);
    analysis.setMinRequests(minRequests);
    ab.getSpec().setAnalysis(analysis);
    return ab;
  }

  private <S extends MlServingStatus, T extends CustomResource<?, S>> T awaitStatus(Class<T> type, String ns,
      String name, Predicate<S> p) {
    return await().atMost(DEADLINE).until(() -> h.get(type, ns, name).orElse(null),
        r -> r != null && r.getStatus() != null && p.test(r.getStatus()));
  }

  private <S extends MlServingStatus, T extends CustomResource<?, S>> T awaitCondition(Class<T> type, String ns,
      String name, String condition, String status) {
    return awaitStatus(type, ns, name, s -> Conditions.find(s.getConditions(), condition)
        .map(c -> status.equals(c.getStatus())).orElse(false));
  }

  private static Condition condition(CustomResource<?, ? extends MlServingStatus> r, String type) {
    return Conditions.find(r.getStatus().getConditions(), type).orElseThrow();
  }

  private List<String> eventReasons(String ns, String name) {
    return h.cluster.client.resources(Event.class).inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .map(Event::getReason).toList();
  }
}
