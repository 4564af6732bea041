package io.mlserving.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryAnalysis;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.PrometheusRef;
import java.util.ArrayList;
import java.util.List;

/** Canaries for the pure tests: the contract's example and the parts to vary it with. */
public final class CanaryTestCrs {
  public static final String NS = "models";

  private CanaryTestCrs() {}

  /**
   * A Canary with only what the schema requires (stable, canary, steps): every default left to the code, in
   * namespace {@code models}, generation 1, with a uid.
   */
  public static Canary canary(String name, String stable, String canary, Integer... steps) {
    Canary c = new Canary();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name)
        .withGeneration(1L).build());
    CanarySpec spec = new CanarySpec();
    spec.setStable(stable);
    spec.setCanary(canary);
    spec.setSteps(new ArrayList<>(List.of(steps)));
    c.setSpec(spec);
    return c;
  }

  /**
   * The contract's example: host fraud, fraud-v1 to fraud-v2 in steps 5, 25, 50, stepInterval 1m,
   * progressDeadline 10m, success-rate min 99 and latency-p99 max 500, failureThreshold 2, minRequests 20.
   */
  public static Canary fraudRollout() {
    Canary c = canary("fraud-rollout", "fraud-v1", "fraud-v2", 5, 25, 50);
    c.getSpec().setHost("fraud");
    c.getSpec().setStepInterval("1m");
    c.getSpec().setProgressDeadline("10m");
    CanaryAnalysis a = analysis(metric(CanaryMetric.SUCCESS_RATE, 99.0, null),
        metric(CanaryMetric.LATENCY_P99, null, 500.0));
    a.setFailureThreshold(2);
    a.setMinRequests(20);
    c.getSpec().setAnalysis(a);
    return c;
  }

  /** Metric gates with every default left to the code. */
  public static CanaryAnalysis analysis(CanaryMetric... metrics) {
    CanaryAnalysis a = new CanaryAnalysis();
    a.setMetrics(new ArrayList<>(List.of(metrics)));
    return a;
  }

  /** A built-in metric (or one whose query is set later) with its bounds; null for no bound. */
  public static CanaryMetric metric(String name, Double min, Double max) {
    CanaryMetric m = new CanaryMetric();
    m.setName(name);
    m.setMin(min);
    m.setMax(max);
    return m;
  }

  /** A custom-query metric. */
  public static CanaryMetric custom(String name, String query, Double min, Double max) {
    CanaryMetric m = metric(name, min, max);
    m.setQuery(query);
    return m;
  }

  /** {@code spec.analysis.prometheus} naming {@code url}. */
  public static PrometheusRef prometheus(String url) {
    PrometheusRef p = new PrometheusRef();
    p.setUrl(url);
    return p;
  }
}
