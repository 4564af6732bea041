package io.mlserving.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.analysis.LiveQueries;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysisStatus;
import io.mlserving.operator.api.v1alpha1.ABTestStatus;
import io.mlserving.operator.api.v1alpha1.ABTestVerdict;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerAnalysisStatus;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerStatus;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysisStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTestStatus;
import io.mlserving.operator.api.v1alpha1.TrafficFigures;
import io.mlserving.operator.api.v1alpha1.Variant;
import io.mlserving.operator.api.v1alpha1.VariantAnalysis;
import io.mlserving.operator.desired.CircuitBreakerResources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What live analysis shows in status, from the last snapshot of Prometheus' answers: the figures (rounded as shown,
 * so that unchanged metrics give an unchanged status and no write), the kind's condition (Concluded,
 * ShadowHealthy, CircuitOpen) and AnalysisAvailable. Prometheus failing leaves the figures as they were and says so
 * in AnalysisAvailable; Ready is never touched. Pure: the snapshot and the time are passed in.
 */
public final class LiveStatus {
  /** The conditions live analysis owns. */
  public static final Set<String> CONDITION_TYPES = Set.of(Conditions.ANALYSIS_AVAILABLE, Conditions.CONCLUDED,
      Conditions.SHADOW_HEALTHY, Conditions.CIRCUIT_OPEN);
  /** AnalysisAvailable's reasons. */
  public static final String PROMETHEUS_ANSWERED = "PrometheusAnswered";
  public static final String PROMETHEUS_UNAVAILABLE = "PrometheusUnavailable";

  private LiveStatus() {}

  /** ABTest: each variant's requests, success rate, p99 and probability of being best; the verdict; Concluded. */
  public static void abTest(ABTest ab, ABTestStatus next,
      Optional<LiveAnalysis.Snapshot<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>>> snapshot,
      LiveAnalysis.Key key, Instant now) {
    Optional<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>> data = answered(ab.getMetadata().getGeneration(),
        next, snapshot, key, now);
    if (data.isEmpty()) {
      return;
    }
    ABTestAnalysis spec = ab.getSpec().getAnalysis();
    double confidence = spec == null || spec.getConfidence() == null ? ABTestAnalysis.DEFAULT_CONFIDENCE
        : spec.getConfidence();
    long minRequests = spec == null || spec.getMinRequests() == null ? ABTestAnalysis.DEFAULT_MIN_REQUESTS
        : spec.getMinRequests();
    List<Variant> variants = ab.getSpec().getVariants();
    List<AbVerdict.VariantStats> stats = new ArrayList<>();
    long[] successes = new long[variants.size()];
    long[] failures = new long[variants.size()];
    for (int i = 0; i < variants.size(); i++) {
      LiveQueries.WorkloadStats w = workload(data.get(), ab.getMetadata().getNamespace(),
          variants.get(i).getInferenceService());
      successes[i] = w.successes();
      failures[i] = Math.max(0, w.requests() - w.successes());
      stats.add(new AbVerdict.VariantStats(variants.get(i).getName(), w.requests(), w.successes(), w.latencyP99Ms()));
    }
    double[] best = BayesianBest.probabilityBest(successes, failures);
    AbVerdict.Verdict verdict = AbVerdict.verdict(stats, best, confidence, minRequests);
    List<VariantAnalysis> shown = new ArrayList<>();
    for (int i = 0; i < variants.size(); i++) {
      AbVerdict.VariantStats v = stats.get(i);
      VariantAnalysis a = new VariantAnalysis();
      a.setName(v.name());
      a.setRequests(v.requests());
      a.setSuccessRate(successRate(v.requests(), v.successes()));
      a.setLatencyP99Ms(ms(v.latencyP99Ms()));
      a.setProbabilityBest(Rounding.probability(best[i]));
      shown.add(a);
    }
    ABTestVerdict shownVerdict = new ABTestVerdict();
    shownVerdict.setWinner(verdict.winner());
    shownVerdict.setProbability(Rounding.probability(verdict.probability()));
    shownVerdict.setReason(verdict.reason().name());
    ABTestAnalysisStatus analysis = new ABTestAnalysisStatus();
    analysis.setVariants(shown);
    analysis.setVerdict(shownVerdict);
    next.setAnalysis(analysis);
    put(next, ab.getMetadata().getGeneration(), Conditions.CONCLUDED,
        verdict.winner() != null ? Conditions.TRUE : Conditions.FALSE, verdict.reason().name(), verdict.message(), now);
  }

  /** ShadowTest: primary and shadow side by side; ShadowHealthy with its two bounds. */
  public static void shadowTest(ShadowTest st, ShadowTestStatus next,
      Optional<LiveAnalysis.Snapshot<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>>> snapshot,
      LiveAnalysis.Key key, Instant now) {
    Optional<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>> data = answered(st.getMetadata().getGeneration(),
        next, snapshot, key, now);
    if (data.isEmpty()) {
      return;
    }
    ShadowTestAnalysis spec = st.getSpec().getAnalysis();
    double maxDrop = spec == null || spec.getMaxSuccessRateDrop() == null
        ? ShadowTestAnalysis.DEFAULT_MAX_SUCCESS_RATE_DROP : spec.getMaxSuccessRateDrop();
    double maxRatio = spec == null || spec.getMaxLatencyRatio() == null
        ? ShadowTestAnalysis.DEFAULT_MAX_LATENCY_RATIO : spec.getMaxLatencyRatio();
    String ns = st.getMetadata().getNamespace();
    TrafficFigures primary = figures(workload(data.get(), ns, st.getSpec().getPrimary()));
    TrafficFigures shadow = figures(workload(data.get(), ns, st.getSpec().getShadow()));
    ShadowTestAnalysisStatus analysis = new ShadowTestAnalysisStatus();
    analysis.setPrimary(primary);
    analysis.setShadow(shadow);
    next.setAnalysis(analysis);
    // Judged on the figures as shown, so the condition and the numbers next to it always agree.
    ShadowHealth.Result health = ShadowHealth.healthy(side(primary), side(shadow), maxDrop, maxRatio);
    put(next, st.getMetadata().getGeneration(), Conditions.SHADOW_HEALTHY,
        health.healthy() == null ? Conditions.UNKNOWN : health.healthy() ? Conditions.TRUE : Conditions.FALSE,
        health.reason(), health.message(), now);
  }

  /** CircuitBreaker: overflowing, no healthy upstream, ejected endpoints; CircuitOpen. */
  public static void circuitBreaker(CircuitBreaker cb, CircuitBreakerStatus next,
      Optional<LiveAnalysis.Snapshot<Map<String, LiveQueries.BreakerStats>>> snapshot, LiveAnalysis.Key key,
      Instant now) {
    Optional<Map<String, LiveQueries.BreakerStats>> data = answered(cb.getMetadata().getGeneration(), next, snapshot,
        key, now);
    if (data.isEmpty()) {
      return;
    }
    LiveQueries.BreakerStats b = data.get().getOrDefault(CircuitBreakerResources.host(cb),
        new LiveQueries.BreakerStats(0, 0, null));
    CircuitBreakerAnalysisStatus analysis = new CircuitBreakerAnalysisStatus();
    analysis.setOverflowing(b.overflowing());
    analysis.setNoHealthyUpstream(b.noHealthyUpstream());
    analysis.setEjectionsActive(b.ejectionsActive());
    next.setAnalysis(analysis);
    BreakerState.Result open = BreakerState.open(new BreakerState.Observed(b.overflowing(), b.noHealthyUpstream(),
        b.ejectionsActive()));
    put(next, cb.getMetadata().getGeneration(), Conditions.CIRCUIT_OPEN,
        open.open() ? Conditions.TRUE : Conditions.FALSE, open.reason(), open.message(), now);
  }

  /**
   * The snapshot's data when Prometheus answered (AnalysisAvailable True); empty when it did not (AnalysisAvailable
   * False naming the URL and the error, the figures left as they were) or has not been asked yet (nothing changes).
   */
  private static <T> Optional<T> answered(Long generation, MlServingStatus next,
      Optional<LiveAnalysis.Snapshot<T>> snapshot, LiveAnalysis.Key key, Instant now) {
    if (snapshot.isEmpty()) {
      return Optional.empty();
    }
    if (snapshot.get().data().isEmpty()) {
      String error = snapshot.get().error();
      // The client's messages name the URL already ("Prometheus at <url> is unreachable: ..."): once is enough.
      String what = error != null && error.contains(key.url()) ? error
          : "Prometheus at " + key.url() + " did not answer: " + error;
      put(next, generation, Conditions.ANALYSIS_AVAILABLE, Conditions.FALSE, PROMETHEUS_UNAVAILABLE,
          what + ". The figures shown are the last it gave; Ready is not affected.", now);
      return Optional.empty();
    }
    put(next, generation, Conditions.ANALYSIS_AVAILABLE, Conditions.TRUE, PROMETHEUS_ANSWERED,
        "Figures over the last " + IstioQueries.window(key.window()) + " from Prometheus at " + key.url() + ".", now);
    return snapshot.get().data();
  }

  /**
   * A resource with {@code spec.analysis} but no Prometheus to ask (none in its spec, no operator setting):
   * AnalysisAvailable False saying how to give one, rather than silence.
   */
  public static void notConfigured(MlServingStatus next, Long generation, Instant now) {
    put(next, generation, Conditions.ANALYSIS_AVAILABLE, Conditions.FALSE, PROMETHEUS_UNAVAILABLE,
        "No Prometheus to ask: set spec.analysis.prometheus.url, or the operator's MLSERVING_PROMETHEUS_URL (chart"
            + " value prometheus.url). Ready is not affected.", now);
  }

  private static void put(MlServingStatus next, Long generation, String type, String status, String reason,
      String message, Instant now) {
    Condition c = Conditions.of(type, status, reason, message, generation);
    next.setConditions(Conditions.put(next.getConditions(), c, now));
  }

  private static LiveQueries.WorkloadStats workload(Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats> data,
      String namespace, String workload) {
    return data.getOrDefault(new LiveQueries.WorkloadKey(namespace, workload),
        new LiveQueries.WorkloadStats(0, 0, null));
  }

  private static TrafficFigures figures(LiveQueries.WorkloadStats w) {
    TrafficFigures f = new TrafficFigures();
    f.setRequests(w.requests());
    f.setSuccessRate(successRate(w.requests(), w.successes()));
    f.setLatencyP99Ms(ms(w.latencyP99Ms()));
    return f;
  }

  private static ShadowHealth.Side side(TrafficFigures f) {
    return new ShadowHealth.Side(f.getRequests() == null ? 0 : f.getRequests(), f.getSuccessRate(),
        f.getLatencyP99Ms());
  }

  /** Percent of requests that succeeded, rounded as shown; null without requests. */
  private static Double successRate(long requests, long successes) {
    return requests <= 0 ? null : Rounding.percent(100.0 * successes / requests);
  }

  private static Double ms(Double ms) {
    return ms == null || ms.isNaN() || ms.isInfinite() ? null : Rounding.ms(ms);
  }
}
