package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.analysis.LiveAnalysis.Key;
import io.mlserving.operator.analysis.LiveAnalysis.Snapshot;
import io.mlserving.operator.analysis.LiveAnalysis.Source;
import io.mlserving.operator.analysis.LiveQueries.BreakerStats;
import io.mlserving.operator.analysis.LiveQueries.WorkloadKey;
import io.mlserving.operator.analysis.LiveQueries.WorkloadStats;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ABTestStatus;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerStatus;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ShadowTestStatus;
import io.mlserving.operator.api.v1alpha1.TrafficFigures;
import io.mlserving.operator.api.v1alpha1.VariantAnalysis;
import io.mlserving.operator.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What live analysis puts in status, on plain objects and a fixed time: each kind's figures rounded as shown and its
 * condition; a variant, side or target Prometheus has no series of; Prometheus failing (AnalysisAvailable False, the
 * figures and the other conditions kept); no snapshot yet; the same snapshot twice (no churn). Ready is never touched.
 */
class LiveStatusTest {
  private static final String NS = "models";
  private static final String URL = "http://prometheus.istio-system:9090";
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00.750Z");
  private static final String NOW_SHOWN = "2024-05-01T12:00:00Z";
  private static final Instant EARLIER = Instant.parse("2024-04-30T08:00:00Z");
  private static final Key WORKLOADS = new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5));
  private static final Key BREAKERS = new Key(Source.BREAKERS, URL, Duration.ofSeconds(30));
  private static final Long GENERATION = 3L;
  private static final String ANSWERED_5M = "Figures over the last 5m from Prometheus at " + URL + ".";
  private static final String FQDN = "fraud-v1.models.svc.cluster.local";

  // ---- ABTest

  /** A variant as status shows it. */
  record Shown(String name, long requests, Double successRate, Double latencyP99Ms) {}

  static Arguments ab(String what, Consumer<ABTestAnalysis> spec, Map<String, WorkloadStats> workloads,
      List<Shown> shown, String winner, String reason, String concluded, String message) {
    return Arguments.of(what, spec, workloads, shown, winner, reason, concluded, message);
  }

  static Stream<Arguments> abTests() {
    return Stream.of(
        ab("a clear winner", null,
            Map.of("fraud-v1", stats(1000, 950, 123.456), "fraud-v2", stats(1000, 990, 87.04)),
            List.of(new Shown("a", 1000, 95.0, 123.5), new Shown("b", 1000, 99.0, 87.0)),
            "b", "Winner", Conditions.TRUE, "b is best with probability 1.000 (≥ 0.95) after 2000 requests"),
        ab("equal variants", null,
            Map.of("fraud-v1", stats(500, 490, 40.0), "fraud-v2", stats(500, 490, 40.0)),
            List.of(new Shown("a", 500, 98.0, 40.0), new Shown("b", 500, 98.0, 40.0)),
            null, "NoWinnerYet", Conditions.FALSE, "after 1000 requests"),
        ab("too few requests", null,
            Map.of("fraud-v1", stats(50, 50, 10.0), "fraud-v2", stats(40, 39, 12.25)),
            List.of(new Shown("a", 50, 100.0, 10.0), new Shown("b", 40, 97.5, 12.3)),
            null, "InsufficientData", Conditions.FALSE,
            "a has 50 requests and b has 40 requests, fewer than minRequests 100"),
        ab("a variant Prometheus has no series of", null,
            Map.of("fraud-v1", stats(300, 299, 20.0)),
            List.of(new Shown("a", 300, 99.67, 20.0), new Shown("b", 0, null, null)),
            null, "InsufficientData", Conditions.FALSE, "b has 0 requests, fewer than minRequests 100"),
        ab("no series at all", null, Map.of(),
            List.of(new Shown("a", 0, null, null), new Shown("b", 0, null, null)),
            null, "InsufficientData", Conditions.FALSE,
            "a has 0 requests and b has 0 requests, fewer than minRequests 100"),
        ab("rounded as shown", a -> a.setMinRequests(1L),
            Map.of("fraud-v1", stats(3, 2, 0.04), "fraud-v2", stats(7, 7, 1234.5678)),
            List.of(new Shown("a", 3, 66.67, 0.0), new Shown("b", 7, 100.0, 1234.6)),
            null, "NoWinnerYet", Conditions.FALSE, "b leads with probability"),
        ab("the spec's confidence and minRequests", a -> {
          a.setConfidence(0.6);
          a.setMinRequests(10L);
        }, Map.of("fraud-v1", stats(100, 90, 50.0), "fraud-v2", stats(100, 95, 55.55)),
            List.of(new Shown("a", 100, 90.0, 50.0), new Shown("b", 100, 95.0, 55.6)),
            "b", "Winner", Conditions.TRUE, "(≥ 0.6) after 200 requests"),
        ab("another namespace's workload of the same name is not this one's", null,
            Map.of("fraud-v1", stats(200, 200, 5.0), "fraud-v2", stats(200, 200, 5.0),
                "other/fraud-v1", stats(9000, 0, 999.0)),
            List.of(new Shown("a", 200, 100.0, 5.0), new Shown("b", 200, 100.0, 5.0)),
            null, "NoWinnerYet", Conditions.FALSE, "after 400 requests"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("abTests")
  void abTestFiguresVerdictAndConcluded(String what, Consumer<ABTestAnalysis> spec,
      Map<String, WorkloadStats> workloads, List<Shown> shown, String winner, String reason, String concluded,
      String message) {
    ABTest ab = abTest(spec);
    ABTestStatus next = abStatus();
    JsonNode before = json(next);

    LiveStatus.abTest(ab, next, answered(workloads), WORKLOADS, NOW);

    List<VariantAnalysis> variants = next.getAnalysis().getVariants();
    assertThat(variants).extracting(v -> new Shown(v.getName(), v.getRequests(), v.getSuccessRate(),
        v.getLatencyP99Ms())).containsExactlyElementsOf(shown);
    // probabilityBest under Beta(1 + successes, 1 + failures), as BayesianBest computes it, rounded to 3 decimals.
    long[] successes = new long[2];
    long[] failures = new long[2];
    for (int i = 0; i < 2; i++) {
      WorkloadStats w = workloads.getOrDefault(i == 0 ? "fraud-v1" : "fraud-v2", WorkloadStats.NONE);
      successes[i] = w.successes();
      failures[i] = w.requests() - w.successes();
    }
    double[] best = BayesianBest.probabilityBest(successes, failures);
    assertThat(variants).extracting(VariantAnalysis::getProbabilityBest)
        .containsExactly(Rounding.probability(best[0]), Rounding.probability(best[1]));
    assertThat(next.getAnalysis().getVerdict().getWinner()).isEqualTo(winner);
    assertThat(next.getAnalysis().getVerdict().getReason()).isEqualTo(reason);
    double leader = Math.max(best[0], best[1]);
    assertThat(next.getAnalysis().getVerdict().getProbability()).isCloseTo(leader,
        org.assertj.core.data.Offset.offset(0.001));

    assertCondition(next, Conditions.CONCLUDED, concluded, reason, message);
    assertCondition(next, Conditions.ANALYSIS_AVAILABLE, Conditions.TRUE, LiveStatus.PROMETHEUS_ANSWERED,
        ANSWERED_5M);
    assertUntouched(before, next);
  }

  @Test
  void equalVariantsAreLevelAtOneHalf() {
    ABTestStatus next = abStatus();
    LiveStatus.abTest(abTest(null), next, answered(Map.of("fraud-v1", stats(500, 490, 40.0), "fraud-v2",
        stats(500, 490, 40.0))), WORKLOADS, NOW);
    assertThat(next.getAnalysis().getVariants()).extracting(VariantAnalysis::getProbabilityBest)
        .containsExactly(0.5, 0.5);
    assertThat(next.getAnalysis().getVerdict().getProbability()).isEqualTo(0.5);
  }

  // ---- ShadowTest

  static Arguments shadow(String what, Consumer<ShadowTestAnalysis> spec, Map<String, WorkloadStats> workloads,
      TrafficFigures primary, TrafficFigures shadow, String status, String reason, String message) {
    return Arguments.of(what, spec, workloads, primary, shadow, status, reason, message);
  }

  static Stream<Arguments> shadowTests() {
    TrafficFigures primary = figures(1000, 99.9, 100.0);
    Map<String, WorkloadStats> none = Map.of();
    return Stream.of(
        shadow("a healthy shadow", null, sides(stats(1000, 999, 100.0), stats(1000, 995, 120.04)),
            primary, figures(1000, 99.5, 120.0), Conditions.TRUE, "ShadowHealthy",
            "shadow success rate 99.5 % is within 1 point of the primary's 99.9 %; shadow p99 latency 120 ms is"
                + " within 1.5 × the primary's 100 ms"),
        shadow("the success rate dropped", null, sides(stats(1000, 999, 100.0), stats(1000, 950, 100.0)),
            primary, figures(1000, 95.0, 100.0), Conditions.FALSE, "SuccessRateDropped",
            "shadow success rate 95 % is more than 1 point below the primary's 99.9 % (bound 98.9 %)"),
        shadow("the latency is too high", null, sides(stats(1000, 999, 100.0), stats(1000, 999, 150.06)),
            primary, figures(1000, 99.9, 150.1), Conditions.FALSE, "LatencyTooHigh",
            "shadow p99 latency 150.1 ms is more than 1.5 × the primary's 100 ms (bound 150 ms)"),
        shadow("the spec's bounds", s -> {
          s.setMaxSuccessRateDrop(10.0);
          s.setMaxLatencyRatio(2.0);
        }, sides(stats(1000, 999, 100.0), stats(1000, 950, 199.0)), primary, figures(1000, 95.0, 199.0),
            Conditions.TRUE, "ShadowHealthy", "within 10 points of the primary's 99.9 %"),
        shadow("a shadow Prometheus has no series of", null, Map.of("fraud-v1", stats(1000, 999, 100.0)),
            primary, figures(0, null, null), Conditions.UNKNOWN, "InsufficientData",
            "the shadow has no requests in the analysis window"),
        shadow("a primary Prometheus has no series of", null, Map.of("fraud-v2", stats(10, 10, 1.0)),
            figures(0, null, null), figures(10, 100.0, 1.0), Conditions.UNKNOWN, "InsufficientData",
            "the primary has no requests in the analysis window"),
        shadow("no series at all", null, none, figures(0, null, null), figures(0, null, null),
            Conditions.UNKNOWN, "InsufficientData", "neither the primary nor the shadow has requests"),
        shadow("a shadow without a latency histogram", null, sides(stats(1000, 999, 100.0), stats(100, 100, null)),
            primary, figures(100, 100.0, null), Conditions.UNKNOWN, "InsufficientData",
            "no p99 latency for the shadow in the analysis window"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shadowTests")
  void shadowTestSidesAndShadowHealthy(String what, Consumer<ShadowTestAnalysis> spec,
      Map<String, WorkloadStats> workloads, TrafficFigures primary, TrafficFigures shadow, String status,
      String reason, String message) {
    ShadowTest st = shadowTest(spec);
    ShadowTestStatus next = shadowStatus();
    JsonNode before = json(next);

    LiveStatus.shadowTest(st, next, answered(workloads), WORKLOADS, NOW);

    assertThat(json(next.getAnalysis().getPrimary())).isEqualTo(json(primary));
    assertThat(json(next.getAnalysis().getShadow())).isEqualTo(json(shadow));
    assertCondition(next, Conditions.SHADOW_HEALTHY, status, reason, message);
    assertCondition(next, Conditions.ANALYSIS_AVAILABLE, Conditions.TRUE, LiveStatus.PROMETHEUS_ANSWERED,
        ANSWERED_5M);
    assertUntouched(before, next);
  }

  // ---- CircuitBreaker

  static Arguments breaker(String what, Map<String, BreakerStats> services, Long overflowing, Long noHealthy,
      Long ejections, String status, String reason, String message) {
    return Arguments.of(what, services, overflowing, noHealthy, ejections, status, reason, message);
  }

  static Stream<Arguments> breakers() {
    return Stream.of(
        breaker("closed, the ejection gauge exported", Map.of(FQDN, new BreakerStats(0, 0, 0L)), 0L, 0L, 0L,
            Conditions.FALSE, "Closed", "0 requests refused by the connection pool (UO) and 0 requests with no"
                + " healthy upstream (UH) in the analysis window; 0 endpoints ejected by outlier detection"),
        breaker("overflowing", Map.of(FQDN, new BreakerStats(5, 0, 0L)), 5L, 0L, 0L, Conditions.TRUE,
            "Overflowing", "5 requests refused by the connection pool (UO)"),
        breaker("no healthy upstream, no gauge", Map.of(FQDN, new BreakerStats(0, 3, null)), 0L, 3L, null,
            Conditions.TRUE, "NoHealthyUpstream", "proxyStatsMatcher"),
        breaker("ejecting", Map.of(FQDN, new BreakerStats(0, 0, 2L)), 0L, 0L, 2L, Conditions.TRUE, "Ejecting",
            "2 endpoints ejected by outlier detection"),
        breaker("a target Prometheus has no series of", Map.of("fraud-v1.other.svc.cluster.local",
            new BreakerStats(9, 9, 9L)), 0L, 0L, null, Conditions.FALSE, "Closed",
            BreakerState.ENABLE_OUTLIER_STATS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakers")
  void circuitBreakerCountsAndCircuitOpen(String what, Map<String, BreakerStats> services, Long overflowing,
      Long noHealthy, Long ejections, String status, String reason, String message) {
    CircuitBreaker cb = Fixtures.circuitBreaker(NS, "fraud-breaker", "fraud-v1");
    cb.getMetadata().setGeneration(GENERATION);
    CircuitBreakerStatus next = breakerStatus();
    JsonNode before = json(next);

    LiveStatus.circuitBreaker(cb, next, Optional.of(new Snapshot<>(NOW, Optional.of(services), null)), BREAKERS,
        NOW);

    assertThat(next.getAnalysis().getOverflowing()).isEqualTo(overflowing);
    assertThat(next.getAnalysis().getNoHealthyUpstream()).isEqualTo(noHealthy);
    assertThat(next.getAnalysis().getEjectionsActive()).isEqualTo(ejections);
    assertCondition(next, Conditions.CIRCUIT_OPEN, status, reason, message);
    assertCondition(next, Conditions.ANALYSIS_AVAILABLE, Conditions.TRUE, LiveStatus.PROMETHEUS_ANSWERED,
        "Figures over the last 30s from Prometheus at " + URL + ".");
    assertUntouched(before, next);
  }

  // ---- across the kinds

  /** One kind: its analysis put into a status of its own. */
  interface Kind {
    MlServingStatus fresh();

    void apply(MlServingStatus next, boolean failed, Instant now);

    String condition();
  }

  static Stream<Arguments> kinds() {
    Map<String, WorkloadStats> ab = Map.of("fraud-v1", stats(1000, 950, 10.0), "fraud-v2", stats(1000, 999, 9.0));
    Map<String, WorkloadStats> sides = sides(stats(1000, 999, 100.0), stats(1000, 900, 100.0));
    Map<String, BreakerStats> cb = Map.of(FQDN, new BreakerStats(5, 0, null));
    Kind abKind = new Kind() {
      public MlServingStatus fresh() {
        return abStatus();
      }

      public void apply(MlServingStatus next, boolean failed, Instant now) {
        LiveStatus.abTest(abTest(null), (ABTestStatus) next, failed ? failed(now) : answered(ab, now), WORKLOADS,
            now);
      }

      public String condition() {
        return Conditions.CONCLUDED;
      }
    };
    Kind shadowKind = new Kind() {
      public MlServingStatus fresh() {
        return shadowStatus();
      }

      public void apply(MlServingStatus next, boolean failed, Instant now) {
        LiveStatus.shadowTest(shadowTest(null), (ShadowTestStatus) next, failed ? failed(now) : answered(sides, now),
            WORKLOADS, now);
      }

      public String condition() {
        return Conditions.SHADOW_HEALTHY;
      }
    };
    Kind breakerKind = new Kind() {
      public MlServingStatus fresh() {
        return breakerStatus();
      }

      public void apply(MlServingStatus next, boolean failed, Instant now) {
        CircuitBreaker breaker = Fixtures.circuitBreaker(NS, "fraud-breaker", "fraud-v1");
        breaker.getMetadata().setGeneration(GENERATION);
        LiveStatus.circuitBreaker(breaker, (CircuitBreakerStatus) next, failed ? failed(now)
            : Optional.of(new Snapshot<>(now, Optional.of(cb), null)), BREAKERS, now);
      }

      public String condition() {
        return Conditions.CIRCUIT_OPEN;
      }
    };
    return Stream.of(Arguments.of("ABTest", abKind), Arguments.of("ShadowTest", shadowKind),
        Arguments.of("CircuitBreaker", breakerKind));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void prometheusFailingKeepsTheFiguresAndTheOtherConditions(String kind, Kind k) {
    MlServingStatus shown = k.fresh();
    k.apply(shown, false, NOW);
    JsonNode figures = json(shown).get("analysis");
    Condition verdict = Conditions.find(shown.getConditions(), k.condition()).orElseThrow();
    JsonNode ready = json(Conditions.find(shown.getConditions(), Conditions.READY).orElseThrow());

    MlServingStatus next = copy(shown);
    Instant later = NOW.plusSeconds(60);
    k.apply(next, true, later);

    assertThat(json(next).get("analysis")).as("the figures shown stay").isEqualTo(figures);
    assertThat(json(Conditions.find(next.getConditions(), k.condition()).orElseThrow()))
        .as("the kind's condition stays").isEqualTo(json(verdict));
    assertThat(json(Conditions.find(next.getConditions(), Conditions.READY).orElseThrow())).isEqualTo(ready);
    Condition available = Conditions.find(next.getConditions(), Conditions.ANALYSIS_AVAILABLE).orElseThrow();
    assertThat(available.getStatus()).isEqualTo(Conditions.FALSE);
    assertThat(available.getReason()).isEqualTo(LiveStatus.PROMETHEUS_UNAVAILABLE);
    assertThat(available.getMessage()).contains(URL, "Connection refused", "Ready is not affected");
    assertThat(available.getMessage()).as("the URL once: the error names it already")
        .containsOnlyOnce(URL);
    assertThat(available.getLastTransitionTime()).isEqualTo("2024-05-01T12:01:00Z");
    assertThat(available.getObservedGeneration()).isEqualTo(GENERATION);
    assertThat(next.getConditions()).extracting(Condition::getType)
        .containsExactly(Conditions.READY, Conditions.ANALYSIS_AVAILABLE, k.condition());

    // Failing again changes nothing; answering again turns AnalysisAvailable back, from that time.
    MlServingStatus again = copy(next);
    k.apply(again, true, later.plusSeconds(60));
    assertThat(json(again)).isEqualTo(json(next));
    MlServingStatus back = copy(next);
    k.apply(back, false, later.plusSeconds(120));
    Condition recovered = Conditions.find(back.getConditions(), Conditions.ANALYSIS_AVAILABLE).orElseThrow();
    assertThat(recovered.getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(recovered.getLastTransitionTime()).isEqualTo("2024-05-01T12:03:00Z");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void prometheusFailingBeforeItEverAnsweredShowsNoFigures(String kind, Kind k) {
    MlServingStatus next = k.fresh();
    k.apply(next, true, NOW);
    assertThat(json(next).has("analysis")).isFalse();
    assertThat(next.getConditions()).extracting(Condition::getType)
        .containsExactly(Conditions.READY, Conditions.ANALYSIS_AVAILABLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void theSameSnapshotTwiceGivesTheSameStatus(String kind, Kind k) {
    MlServingStatus first = k.fresh();
    k.apply(first, false, NOW);
    MlServingStatus second = copy(first);
    k.apply(second, false, NOW.plus(Duration.ofHours(1)));

    assertThat(json(second)).as("no churn: nothing to write").isEqualTo(json(first));
    assertThat(Conditions.find(second.getConditions(), k.condition()).orElseThrow().getLastTransitionTime())
        .isEqualTo(NOW_SHOWN);
    assertThat(Conditions.find(second.getConditions(), Conditions.ANALYSIS_AVAILABLE).orElseThrow()
        .getLastTransitionTime()).isEqualTo(NOW_SHOWN);
  }

  @Test
  void noSnapshotYetChangesNothing() {
    ABTestStatus ab = abStatus();
    JsonNode before = json(ab);
    LiveStatus.abTest(abTest(null), ab, Optional.empty(), WORKLOADS, NOW);
    assertThat(json(ab)).isEqualTo(before);

    ShadowTestStatus st = shadowStatus();
    before = json(st);
    LiveStatus.shadowTest(shadowTest(null), st, Optional.empty(), WORKLOADS, NOW);
    assertThat(json(st)).isEqualTo(before);

    CircuitBreakerStatus cb = breakerStatus();
    before = json(cb);
    LiveStatus.circuitBreaker(Fixtures.circuitBreaker(NS, "fraud-breaker", "fraud-v1"), cb, Optional.empty(),
        BREAKERS, NOW);
    assertThat(json(cb)).isEqualTo(before);
  }

  @Test
  void aVerdictThatChangesMovesItsTransitionTimeOnly() {
    ABTestStatus first = abStatus();
    LiveStatus.abTest(abTest(null), first, answered(Map.of("fraud-v1", stats(50, 50, 1.0), "fraud-v2",
        stats(50, 50, 1.0))), WORKLOADS, NOW);
    ABTestStatus second = copy(first);
    Instant later = NOW.plusSeconds(3600);
    LiveStatus.abTest(abTest(null), second, answered(Map.of("fraud-v1", stats(1000, 900, 1.0), "fraud-v2",
        stats(1000, 999, 1.0)), later), WORKLOADS, later);

    assertThat(second.getAnalysis().getVerdict().getWinner()).isEqualTo("b");
    assertThat(Conditions.find(second.getConditions(), Conditions.CONCLUDED).orElseThrow().getLastTransitionTime())
        .isEqualTo("2024-05-01T13:00:00Z");
    assertThat(Conditions.find(second.getConditions(), Conditions.ANALYSIS_AVAILABLE).orElseThrow()
        .getLastTransitionTime()).as("still answered since the first").isEqualTo(NOW_SHOWN);
  }

  // ---- helpers

  private static WorkloadStats stats(long requests, long successes, Double p99) {
    return new WorkloadStats(requests, successes, p99);
  }

  private static Map<String, WorkloadStats> sides(WorkloadStats primary, WorkloadStats shadow) {
    Map<String, WorkloadStats> out = new LinkedHashMap<>();
    out.put("fraud-v1", primary);
    out.put("fraud-v2", shadow);
    return out;
  }

  private static TrafficFigures figures(long requests, Double successRate, Double p99) {
    TrafficFigures f = new TrafficFigures();
    f.setRequests(requests);
    f.setSuccessRate(successRate);
    f.setLatencyP99Ms(p99);
    return f;
  }

  /** A snapshot of the workloads query: keys {@code workload} (in {@value #NS}) or {@code namespace/workload}. */
  private static Optional<Snapshot<Map<WorkloadKey, WorkloadStats>>> answered(Map<String, WorkloadStats> byName) {
    return answered(byName, NOW);
  }

  private static Optional<Snapshot<Map<WorkloadKey, WorkloadStats>>> answered(Map<String, WorkloadStats> byName,
      Instant at) {
    Map<WorkloadKey, WorkloadStats> data = new LinkedHashMap<>();
    byName.forEach((name, stats) -> {
      String[] parts = name.contains("/") ? name.split("/") : new String[] {NS, name};
      data.put(new WorkloadKey(parts[0], parts[1]), stats);
    });
    return Optional.of(new Snapshot<>(at, Optional.of(data), null));
  }

  private static <T> Optional<Snapshot<T>> failed(Instant at) {
    return Optional.of(new Snapshot<>(at, Optional.empty(), "Prometheus at " + URL
        + " is unreachable: Connection refused"));
  }

  private static ABTest abTest(Consumer<ABTestAnalysis> spec) {
    ABTest ab = Fixtures.abTest(NS, "fraud-ab", "fraud", "fraud-v1", 50, "fraud-v2", 50);
    ab.getMetadata().setGeneration(GENERATION);
    if (spec != null) {
      ABTestAnalysis analysis = new ABTestAnalysis();
      spec.accept(analysis);
      ab.getSpec().setAnalysis(analysis);
    }
    return ab;
  }

  private static ShadowTest shadowTest(Consumer<ShadowTestAnalysis> spec) {
    ShadowTest st = Fixtures.shadowTest(NS, "fraud-shadow", "fraud", "fraud-v1", "fraud-v2");
    st.getMetadata().setGeneration(GENERATION);
    if (spec != null) {
      ShadowTestAnalysis analysis = new ShadowTestAnalysis();
      spec.accept(analysis);
      st.getSpec().setAnalysis(analysis);
    }
    return st;
  }

  /** A status as the reconciler builds it before analysis: its own fields and a Ready condition of long ago. */
  private static ABTestStatus abStatus() {
    ABTestStatus s = new ABTestStatus();
    s.setHost("fraud");
    s.setUrl("http://fraud.models.svc.cluster.local");
    s.setWeights(Map.of("a", 50, "b", 50));
    s.setWeightSummary("a=50,b=50");
    return withReady(s);
  }

  private static ShadowTestStatus shadowStatus() {
    ShadowTestStatus s = new ShadowTestStatus();
    s.setHost("fraud");
    s.setUrl("http://fraud.models.svc.cluster.local");
    return withReady(s);
  }

  private static CircuitBreakerStatus breakerStatus() {
    CircuitBreakerStatus s = new CircuitBreakerStatus();
    s.setHost(FQDN);
    return withReady(s);
  }

  private static <S extends MlServingStatus> S withReady(S s) {
    s.setObservedGeneration(GENERATION);
    s.setConditions(new ArrayList<>(Conditions.put(List.of(), Conditions.of(Conditions.READY, Conditions.TRUE,
        "Ready", "Every variant is Ready.", GENERATION), EARLIER)));
    return s;
  }

  private static void assertCondition(MlServingStatus s, String type, String status, String reason,
      String message) {
    Condition c = Conditions.find(s.getConditions(), type).orElseThrow();
    assertThat(c.getStatus()).as("%s status", type).isEqualTo(status);
    assertThat(c.getReason()).as("%s reason", type).isEqualTo(reason);
    assertThat(c.getMessage()).as("%s message", type).contains(message);
    assertThat(c.getObservedGeneration()).isEqualTo(GENERATION);
    assertThat(c.getLastTransitionTime()).isEqualTo(NOW_SHOWN);
    assertThat(s.getConditions()).filteredOn(x -> type.equals(x.getType())).hasSize(1);
  }

  /** Everything but status.analysis and the analysis conditions is as it was: Ready above all. */
  private static void assertUntouched(JsonNode before, MlServingStatus after) {
    JsonNode now = json(after).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) now).remove("analysis");
    com.fasterxml.jackson.databind.node.ArrayNode kept = Serialization.jsonMapper().createArrayNode();
    now.get("conditions").forEach(c -> {
      if (!LiveStatus.CONDITION_TYPES.contains(c.get("type").asText())) {
        kept.add(c);
      }
    });
    ((com.fasterxml.jackson.databind.node.ObjectNode) now).set("conditions", kept);
    assertThat(now).isEqualTo(before);
  }

  private static JsonNode json(Object o) {
    return Serialization.jsonMapper().valueToTree(o);
  }

  @SuppressWarnings("unchecked")
  private static <S extends MlServingStatus> S copy(S s) {
    return (S) Serialization.jsonMapper().convertValue(s, s.getClass());
  }
}
