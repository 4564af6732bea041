package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.CustomResource;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.analysis.LiveQueries;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ABTestStatus;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerAnalysis;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.PrometheusRef;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.VariantAnalysis;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.status.AnalysisEvents;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.LiveStatus;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.MutableClock;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.StubPrometheus;
import io.mlserving.operator.testing.StubPrometheus.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live analysis in the real operator on the mock API server, Prometheus a stub with canned answers and the clock
 * driven by the test: the figures appear, follow a changed answer only once the refresh interval has passed, cost no
 * write while unchanged, survive Prometheus going away, and go away with spec.analysis; Ready is never affected.
 * The test runs the refresh rounds itself ({@code live().refreshDue()}): the background refresher is stopped so that
 * no round of its own races the counts.
 */
class LiveAnalysisOperatorTest {
  private static final String NS = "models";
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
  private StubPrometheus prometheus;
  private OperatorHarness h;

  @BeforeEach
  void startPrometheus() {
    prometheus = StubPrometheus.start();
  }

  @AfterEach
  void stopAll() {
    try {
      if (h != null) {
        h.close();
      }
    } finally {
      prometheus.close();
    }
  }

  @Test
  void theFiguresAppearFollowTheAnswerAtTheRefreshIntervalAndCostNoWriteWhileUnchanged() {
    operator(prometheus.url());
    answer(stats(1000, 950, 120.04), stats(1000, 990, 80.0));
    h.create(abTest("ab", "10s", null));

    ABTest ab = awaitFirstRefresh("ab", s -> "Winner".equals(s.getAnalysis().getVerdict().getReason()));
    assertThat(ab.getStatus().getAnalysis().getVariants())
        .extracting(VariantAnalysis::getName, VariantAnalysis::getRequests, VariantAnalysis::getSuccessRate,
            VariantAnalysis::getLatencyP99Ms)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 1000L, 95.0, 120.0),
            org.assertj.core.groups.Tuple.tuple("b", 1000L, 99.0, 80.0));
    assertThat(ab.getStatus().getAnalysis().getVerdict().getWinner()).isEqualTo("b");
    assertThat(ab.getStatus().getAnalysis().getVariants().get(1).getProbabilityBest()).isEqualTo(1.0);
    assertThat(condition(ab, Conditions.CONCLUDED).getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(condition(ab, Conditions.ANALYSIS_AVAILABLE).getMessage())
        .isEqualTo("Figures over the last 10s from Prometheus at " + prometheus.url() + ".");
    assertReady(ab);
    assertThat(prometheus.queries()).containsExactly(LiveQueries.workloads(TEN_SECONDS));
    await().atMost(OperatorHarness.DEADLINE).until(() -> eventReasons("ab").contains(AnalysisEvents.WINNER_FOUND));

    // A changed answer shows only once the refresh interval (10 s for a 10 s window) has passed.
    answer(stats(1000, 950, 120.04), stats(1000, 950, 80.0));
    assertThat(live().refreshDue()).isZero();
    clock.advance(Duration.ofMillis(9_999));
    assertThat(live().refreshDue()).isZero();
    assertThat(prometheus.queries()).hasSize(1);
    assertThat(h.get(ABTest.class, NS, "ab").orElseThrow().getStatus().getAnalysis().getVerdict().getWinner())
        .isEqualTo("b");
    clock.advance(Duration.ofMillis(1));
    assertThat(live().refreshDue()).isEqualTo(1);
    ab = h.awaitStatus(ABTest.class, NS, "ab", s -> "NoWinnerYet".equals(s.getAnalysis().getVerdict().getReason()));
    assertThat(ab.getStatus().getAnalysis().getVerdict().getWinner()).isNull();
    assertThat(ab.getStatus().getAnalysis().getVariants().get(1).getSuccessRate()).isEqualTo(95.0);
    assertThat(condition(ab, Conditions.CONCLUDED).getStatus()).isEqualTo(Conditions.FALSE);
    assertReady(ab);

    // Unchanged answers: rounds that query but write nothing.
    String path = "/namespaces/" + NS + "/abtests/ab";
    int writesBefore = writes(path);
    for (int round = 0; round < 3; round++) {
      clock.advance(TEN_SECONDS);
      assertThat(live().refreshDue()).as("round %d", round).isEqualTo(1);
    }
    assertThat(prometheus.queries()).hasSize(5);
    // Then one change: exactly one write for it, so none came of the three unchanged rounds before it (a reconcile
    // of the same resource runs after the ones queued before it).
    answer(stats(1000, 950, 120.04), stats(1000, 999, 80.0));
    clock.advance(TEN_SECONDS);
    assertThat(live().refreshDue()).isEqualTo(1);
    ab = h.awaitStatus(ABTest.class, NS, "ab", s -> "b".equals(s.getAnalysis().getVerdict().getWinner()));
    assertThat(writes(path)).as("writes of the ABTest over 3 unchanged rounds and 1 change").isEqualTo(writesBefore + 1);
    assertReady(ab);
    await().atMost(OperatorHarness.DEADLINE).until(() -> eventReasons("ab").stream()
        .filter(AnalysisEvents.WINNER_FOUND::equals).count() == 2);
  }

  @Test
  void prometheusGoneKeepsTheFiguresSaysSoAndLeavesReadyAlone() {
    operator(prometheus.url());
    answer(stats(300, 297, 12.0), stats(300, 298, 11.0));
    h.create(abTest("ab", "10s", null));
    ABTest before = awaitFirstRefresh("ab", s -> true);

    prometheus.close();
    clock.advance(TEN_SECONDS);
    assertThat(live().refreshDue()).isEqualTo(1);
    ABTest blind = h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.find(s.getConditions(),
        Conditions.ANALYSIS_AVAILABLE).map(c -> Conditions.FALSE.equals(c.getStatus())).orElse(false));
    Condition available = condition(blind, Conditions.ANALYSIS_AVAILABLE);
    assertThat(available.getReason()).isEqualTo(LiveStatus.PROMETHEUS_UNAVAILABLE);
    assertThat(available.getMessage()).contains(prometheus.url(), "unreachable");
    assertThat(blind.getStatus().getAnalysis().getVariants()).extracting(VariantAnalysis::getRequests)
        .containsExactly(300L, 300L);
    assertThat(condition(blind, Conditions.CONCLUDED).getReason())
        .isEqualTo(condition(before, Conditions.CONCLUDED).getReason());
    assertReady(blind);
  }

  @Test
  void removingSpecAnalysisWithoutTheOperatorSettingRemovesTheAnalysis() {
    operator(null);
    answer(stats(500, 499, 10.0), stats(500, 498, 10.0));
    h.create(abTest("ab", "10s", prometheus.url()));
    awaitFirstRefresh("ab", s -> true);
    LiveAnalysis.Key key = new LiveAnalysis.Key(LiveAnalysis.Source.WORKLOADS, prometheus.url(), TEN_SECONDS);
    assertThat(live().workloads(key)).isPresent();

    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("ab").edit(ab -> {
      ab.getSpec().setAnalysis(null);
      return ab;
    });

    ABTest off = h.awaitStatus(ABTest.class, NS, "ab", s -> s.getAnalysis() == null);
    assertThat(off.getStatus().getConditions()).extracting(Condition::getType).containsExactly(Conditions.READY);
    assertReady(off);
    assertThat(off.getStatus().getWeightSummary()).isEqualTo("a=50,b=50");
    // Nobody needs the key any more: no query, and its snapshot is dropped.
    clock.advance(TEN_SECONDS);
    assertThat(live().refreshDue()).isZero();
    assertThat(live().workloads(key)).isEmpty();
    assertThat(prometheus.queries()).hasSize(1);
  }

  @Test
  void specAnalysisWithNoPrometheusToAskSaysSoAndLeavesReadyAlone() {
    operator(null);
    h.create(abTest("ab", "10s", null));
    ABTest ab = h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.find(s.getConditions(),
        Conditions.ANALYSIS_AVAILABLE).isPresent());
    Condition available = condition(ab, Conditions.ANALYSIS_AVAILABLE);
    assertThat(available.getStatus()).isEqualTo(Conditions.FALSE);
    assertThat(available.getReason()).isEqualTo(LiveStatus.PROMETHEUS_UNAVAILABLE);
    assertThat(available.getMessage()).contains("No Prometheus to ask").contains("spec.analysis.prometheus.url")
        .contains("MLSERVING_PROMETHEUS_URL");
    assertThat(ab.getStatus().getAnalysis()).isNull();
    assertThat(Conditions.isReady(ab.getStatus().getConditions())).isTrue();
    assertThat(prometheus.queries()).isEmpty();
  }

  @Test
  void removingSpecAnalysisWithTheOperatorSettingFallsBackToTheDefaults() {
    operator(prometheus.url());
    answer(stats(500, 499, 10.0), stats(500, 498, 10.0));
    h.create(abTest("ab", "10s", null));
    awaitFirstRefresh("ab", s -> true);

    h.cluster.client.resources(ABTest.class).inNamespace(NS).withName("ab").edit(ab -> {
      ab.getSpec().setAnalysis(null);
      return ab;
    });
    await().atMost(OperatorHarness.DEADLINE).until(() -> live().refreshDue() == 1);

    ABTest defaults = h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.find(s.getConditions(),
        Conditions.ANALYSIS_AVAILABLE).map(c -> c.getMessage().contains("last 5m")).orElse(false));
    assertThat(defaults.getStatus().getAnalysis().getVariants()).extracting(VariantAnalysis::getRequests)
        .containsExactly(500L, 500L);
    assertThat(prometheus.queries()).containsExactly(LiveQueries.workloads(TEN_SECONDS),
        LiveQueries.workloads(Duration.ofMinutes(5)));
    assertReady(defaults);
  }

  @Test
  void anAnalysisAdmissionWouldRefuseIsInvalidSpecAndSpoilsNobodyElsesAnalysis() {
    operator(prometheus.url());
    answer(stats(500, 499, 10.0), stats(500, 498, 10.0));
    // The mock API server does not check the CRD schema: as a resource from before the CRD had the rule.
    ABTest bad = abTest("bad", "10s", null);
    bad.getSpec().getAnalysis().setConfidence(1.5);
    h.create(bad);

    // Invalid elsewhere than in spec.analysis, with analysis on by the operator setting.
    ABTest oneVariant = abTest("one-variant", "10s", null);
    oneVariant.getSpec().getVariants().remove(1);
    h.create(oneVariant);
    ABTest noTarget = abTest("no-target", "10s", null);
    noTarget.getSpec().getVariants().get(1).setInferenceService(null);
    h.create(noTarget);
    h.create(abTest("good", "10s", null));

    Map<String, String> fields = Map.of("bad", "spec.analysis.confidence", "one-variant", "spec.variants",
        "no-target", "spec.variants[1].inferenceService");
    fields.forEach((name, field) -> {
      ABTest invalid = h.awaitReason(ABTest.class, NS, name, Reason.InvalidSpec.name());
      assertThat(condition(invalid, Conditions.READY).getMessage()).as(name).contains(field);
    });
    awaitFirstRefresh("good", s -> true);
    clock.advance(TEN_SECONDS);
    assertThat(live().refreshDue()).isEqualTo(1);
    for (String name : fields.keySet()) {
      ABTest invalid = h.get(ABTest.class, NS, name).orElseThrow();
      assertThat(invalid.getStatus().getAnalysis()).as(name).isNull();
      assertThat(invalid.getStatus().getConditions()).as(name).extracting(Condition::getType)
          .containsExactly(Conditions.READY);
      assertThat(condition(invalid, Conditions.READY).getReason()).isEqualTo(Reason.InvalidSpec.name());
    }
    assertThat(h.metrics.failures()).as("no reconcile failed").isZero();
  }

  @Test
  void theThreeKindsShareTheirQueries() {
    operator(prometheus.url());
    prometheus.answer(q -> q.contains("destination_workload") ? workloads(stats(1000, 999, 100.0),
        stats(1000, 990, 250.0)) : List.of(new Series(Map.of(LiveQueries.METRIC, LiveQueries.OVERFLOWING,
        "destination_service", "fraud-v1." + NS + ".svc.cluster.local"), 7)));
    h.create(abTest("ab", "10s", null));
    ShadowTest st = Fixtures.shadowTest(NS, "shadow", "fraud-shadow", "fraud-v1", "fraud-v2");
    st.getSpec().setAnalysis(new io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis());
    st.getSpec().getAnalysis().setWindow("10s");
    h.create(st);
    CircuitBreaker cb = Fixtures.circuitBreaker(NS, "breaker", "fraud-v1");
    cb.getSpec().setAnalysis(new CircuitBreakerAnalysis());
    cb.getSpec().getAnalysis().setWindow("10s");
    h.create(cb);
    for (Class<? extends CustomResource<?, ? extends MlServingStatus>> kind : List.of(ABTest.class,
        ShadowTest.class, CircuitBreaker.class)) {
      await().atMost(OperatorHarness.DEADLINE).until(() -> h.cluster.client.resources(kind).inNamespace(NS).list()
          .getItems().stream().allMatch(r -> r.getStatus() != null && Conditions.isReady(r.getStatus()
              .getConditions())));
    }
    // One round for all three once they are all in the caches: one workloads query, one breakers query.
    await().atMost(OperatorHarness.DEADLINE).until(() -> {
      live().refreshDue();
      return prometheus.queries().size() >= 2;
    });

    ShadowTest unhealthy = h.awaitStatus(ShadowTest.class, NS, "shadow", s -> s.getAnalysis() != null);
    assertThat(condition(unhealthy, Conditions.SHADOW_HEALTHY).getReason()).isEqualTo("LatencyTooHigh");
    CircuitBreaker open = h.awaitStatus(CircuitBreaker.class, NS, "breaker", s -> s.getAnalysis() != null);
    assertThat(open.getStatus().getAnalysis().getOverflowing()).isEqualTo(7);
    assertThat(condition(open, Conditions.CIRCUIT_OPEN).getStatus()).isEqualTo(Conditions.TRUE);
    h.awaitStatus(ABTest.class, NS, "ab", s -> s.getAnalysis() != null);
    assertThat(prometheus.queries()).containsExactlyInAnyOrder(LiveQueries.workloads(TEN_SECONDS),
        LiveQueries.breakers(TEN_SECONDS));
    assertReady(unhealthy);
    assertReady(open);
  }

  // ---- helpers

  private void operator(String operatorUrl) {
    OperatorSettings settings = OperatorSettings.defaults().withFirstStatusGrace(Duration.ZERO);
    if (operatorUrl != null) {
      settings = settings.withPrometheusUrl(operatorUrl);
    }
    h = new OperatorHarness(MockCluster.start().withIstio("v1"), settings, null, clock);
    // The test runs the rounds; closing stops only the background refresher, refreshDue() still works.
    live().close();
    h.readyInferenceService(NS, "fraud-v1");
    h.readyInferenceService(NS, "fraud-v2");
  }

  private LiveAnalysis live() {
    return h.built.live();
  }

  /**
   * Waits for the ABTest to be Ready, runs the first round once the reconciler's cache has it, and waits for the
   * figures it gives.
   */
  private ABTest awaitFirstRefresh(String name, Predicate<ABTestStatus> then) {
    h.awaitStatus(ABTest.class, NS, name, s -> Conditions.isReady(s.getConditions()));
    int before = prometheus.queries().size();
    await().atMost(OperatorHarness.DEADLINE).until(() -> live().refreshDue() == 1 || prometheus.queries().size()
        > before);
    return h.awaitStatus(ABTest.class, NS, name, s -> s.getAnalysis() != null && then.test(s));
  }

  private static ABTest abTest(String name, String window, String url) {
    ABTest ab = Fixtures.abTest(NS, name, name + "-host", "fraud-v1", 50, "fraud-v2", 50);
    ABTestAnalysis analysis = new ABTestAnalysis();
    analysis.setWindow(window);
    if (url != null) {
      PrometheusRef ref = new PrometheusRef();
      ref.setUrl(url);
      analysis.setPrometheus(ref);
    }
    ab.getSpec().setAnalysis(analysis);
    return ab;
  }

  /** What a workload served in the window: requests, of them successes, and the p99 in ms. */
  private record Stats(double requests, double successes, double p99) {}

  private static Stats stats(double requests, double successes, double p99) {
    return new Stats(requests, successes, p99);
  }

  /** The workloads query answers with fraud-v1 and fraud-v2 of {@value #NS}; the breakers query with nothing. */
  private void answer(Stats v1, Stats v2) {
    List<Series> series = workloads(v1, v2);
    prometheus.answer(q -> q.contains("destination_workload") ? series : List.of());
  }

  private static List<Series> workloads(Stats v1, Stats v2) {
    List<Series> out = new ArrayList<>();
    for (var e : Map.of("fraud-v1", v1, "fraud-v2", v2).entrySet()) {
      out.add(series(e.getKey(), LiveQueries.REQUESTS, e.getValue().requests()));
      out.add(series(e.getKey(), LiveQueries.SUCCESSES, e.getValue().successes()));
      out.add(series(e.getKey(), LiveQueries.P99, e.getValue().p99()));
    }
    return out;
  }

  private static Series series(String workload, String metric, double value) {
    return new Series(Map.of("destination_workload_namespace", NS, "destination_workload", workload,
        LiveQueries.METRIC, metric), value);
  }

  private int writes(String pathPart) {
    return (int) h.cluster.dispatcher.writes().stream().filter(r -> r.path().contains(pathPart)).count();
  }

  private List<String> eventReasons(String name) {
    return h.cluster.client.resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .map(Event::getReason).toList();
  }

  private static Condition condition(CustomResource<?, ? extends MlServingStatus> r, String type) {
    return Conditions.find(r.getStatus().getConditions(), type).orElseThrow();
  }

  private static void assertReady(CustomResource<?, ? extends MlServingStatus> r) {
    Condition ready = condition(r, Conditions.READY);
    assertThat(ready.getStatus()).as("Ready of %s", r.getMetadata().getName()).isEqualTo(Conditions.TRUE);
    assertThat(ready.getReason()).isEqualTo(Reason.Ready.name());
  }
}
