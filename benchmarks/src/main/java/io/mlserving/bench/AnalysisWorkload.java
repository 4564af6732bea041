package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerAnalysis;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.PrometheusRef;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.desired.Names;
import io.mlserving.operator.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The analysed resources of p7 and the fixed series the Prometheus stub answers for them. {@code total} analysed
 * resources are 40 % ABTests, 30 % ShadowTests and 30 % CircuitBreakers over {@code namespaces} namespaces, on as
 * many InferenceServices as there are CircuitBreakers (each breaker protects a service of its own; two breakers on
 * one host would conflict). InferenceService {@code i} ({@code a-%05d}) lives in namespace {@code i % namespaces};
 * ABTest {@code j} splits between InferenceServices {@code j} and {@code j + namespaces}, ShadowTest {@code k}
 * mirrors {@code k}'s traffic to {@code k + 2 * namespaces}, CircuitBreaker {@code c} protects {@code c} (indices
 * modulo the InferenceServices, so always within one namespace). Every one has {@code spec.analysis} with the
 * stub's URL and a 10 s window.
 *
 * <p>The series are chosen so the statuses are varied (winners, no winner yet, too few requests; healthy and
 * unhealthy shadows; open and closed breakers) but never change between queries.
 */
public final class AnalysisWorkload {
  /** The analysis window of every resource: the shortest allowed, so the refresh is the most frequent (10 s). */
  public static final String WINDOW = "10s";
  /** Workloads in the answer that no analysed resource reads (other teams' services): the parsers skip them. */
  static final int UNRELATED_WORKLOADS = 100;
  private static final double[] SUCCESS_RATES = {0.99, 0.99, 0.97};

  private final int namespaces;
  private final int abTests;
  private final int shadowTests;
  private final int breakers;
  private final int isvcs;

  public AnalysisWorkload(int namespaces, int total) {
    this.namespaces = namespaces;
    this.abTests = total * 4 / 10;
    this.shadowTests = total * 3 / 10;
    this.breakers = total - abTests - shadowTests;
    // Room for ShadowTest k's shadow k + 2n in the same namespace, and one service per breaker.
    this.isvcs = Math.max(breakers, 3 * namespaces);
  }

  public int abTests() {
    return abTests;
  }

  public int shadowTests() {
    return shadowTests;
  }

  public int breakers() {
    return breakers;
  }

  public int analysed() {
    return abTests + shadowTests + breakers;
  }

  public String namespace(int i) {
    return String.format(Locale.ROOT, "bench-%02d", i % namespaces);
  }

  static String isvcName(int i) {
    return String.format(Locale.ROOT, "a-%05d", i);
  }

  /** The InferenceServices every analysed resource reads. */
  public List<InferenceService> inferenceServices() {
    List<InferenceService> out = new ArrayList<>();
    for (int i = 0; i < isvcs; i++) {
      out.add(Fixtures.isvc(namespace(i), isvcName(i), "ghcr.io/acme/onnx-server:1.4"));
    }
    return out;
  }

  /** The ABTests, ShadowTests and CircuitBreakers, each with {@code spec.analysis} on {@code prometheusUrl}. */
  public List<HasMetadata> analysedResources(String prometheusUrl) {
    PrometheusRef prometheus = new PrometheusRef();
    prometheus.setUrl(prometheusUrl);
    List<HasMetadata> out = new ArrayList<>();
    for (int j = 0; j < abTests; j++) {
      int a = j % isvcs;
      ABTest ab = Fixtures.abTest(namespace(a), String.format(Locale.ROOT, "ab-%05d", j),
          String.format(Locale.ROOT, "ab-host-%05d", j), isvcName(a), 50, isvcName(variantB(j)), 50);
      ABTestAnalysis analysis = new ABTestAnalysis();
      analysis.setPrometheus(prometheus);
      analysis.setWindow(WINDOW);
      ab.getSpec().setAnalysis(analysis);
      out.add(ab);
    }
    for (int k = 0; k < shadowTests; k++) {
      int p = k % isvcs;
      ShadowTest st = Fixtures.shadowTest(namespace(p), String.format(Locale.ROOT, "st-%05d", k),
          String.format(Locale.ROOT, "st-host-%05d", k), isvcName(p), isvcName(shadowOf(k)));
      ShadowTestAnalysis analysis = new ShadowTestAnalysis();
      analysis.setPrometheus(prometheus);
      analysis.setWindow(WINDOW);
      st.getSpec().setAnalysis(analysis);
      out.add(st);
    }
    for (int c = 0; c < breakers; c++) {
      int t = c % isvcs;
      CircuitBreaker cb = Fixtures.circuitBreaker(namespace(t), String.format(Locale.ROOT, "cb-%05d", c),
          isvcName(t));
      CircuitBreakerAnalysis analysis = new CircuitBreakerAnalysis();
      analysis.setPrometheus(prometheus);
      analysis.setWindow(WINDOW);
      cb.getSpec().setAnalysis(analysis);
      out.add(cb);
    }
    return out;
  }

  private int variantB(int j) {
    return (j % isvcs + namespaces) % isvcs;
  }

  private int shadowOf(int k) {
    return (k % isvcs + 2 * namespaces) % isvcs;
  }

  // ---- the fixed series: what InferenceService i served, and what its clients' sidecars saw

  /** Requests InferenceService {@code i} served in the window: every 13th too few for a verdict (default 100). */
  public static long requests(int i) {
    return i % 13 == 0 ? 40 : 2000 + 100L * (i % 7);
  }

  /** Of them, those not answered 5xx: 99 %, 99 % or 97 % by tens of InferenceServices. */
  public static long successes(int i) {
    return Math.round(requests(i) * SUCCESS_RATES[(i / 10) % SUCCESS_RATES.length]);
  }

  /** Its p99 latency in milliseconds. */
  public static double p99Ms(int i) {
    return 40 + 5 * (i % 9) + 0.25;
  }

  /** Requests its clients' sidecars refused because the pool overflowed (UO). */
  public static long overflowing(int i) {
    return i % 4 == 0 ? 5 : 0;
  }

  /** Requests refused for want of a healthy endpoint (UH). */
  public static long noHealthyUpstream(int i) {
    return i % 7 == 0 ? 2 : 0;
  }

  /** Endpoints Envoy's outlier detection holds ejected. */
  public static long ejections(int i) {
    return i % 6 == 0 ? 1 : 0;
  }

  /**
   * The answer to the batched workloads query: per InferenceService (and per unrelated workload) the series
   * tagged requests, successes and p99, as Prometheus gives them (counts extrapolated by increase(), so not
   * whole numbers).
   */
  public String workloadSeries() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < isvcs; i++) {
      workload(sb, namespace(i), isvcName(i), requests(i), successes(i), p99Ms(i));
    }
    for (int u = 0; u < UNRELATED_WORKLOADS; u++) {
      workload(sb, String.format(Locale.ROOT, "other-%02d", u % namespaces), String.format(Locale.ROOT,
          "svc-%03d", u), 500 + u, 495 + u, 12.5);
    }
    return sb.append(']').toString();
  }

  private static void workload(StringBuilder sb, String ns, String name, long requests, long successes, double p99) {
    String labels = "\"destination_workload_namespace\":\"" + ns + "\",\"destination_workload\":\"" + name + "\"";
    // increase() extrapolates to the window's edges: a little off whole numbers, rounded by the parser.
    series(sb, labels + ",\"metric\":\"requests\"", requests + 0.3);
    series(sb, labels + ",\"metric\":\"successes\"", successes - 0.2);
    series(sb, labels + ",\"metric\":\"p99\"", p99);
  }

  /** The answer to the batched breakers query: UO and UH counts per service, the ejections gauge per cluster. */
  public String breakerSeries() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < isvcs; i++) {
      String fqdn = Names.fqdn(isvcName(i), namespace(i));
      if (overflowing(i) > 0) {
        series(sb, "\"destination_service\":\"" + fqdn + "\",\"metric\":\"overflowing\"", overflowing(i));
      }
      if (noHealthyUpstream(i) > 0) {
        series(sb, "\"destination_service\":\"" + fqdn + "\",\"metric\":\"noHealthyUpstream\"",
            noHealthyUpstream(i));
      }
      series(sb, "\"cluster_name\":\"outbound|80||" + fqdn + "\",\"metric\":\"ejections\"", ejections(i));
    }
    return sb.append(']').toString();
  }

  private static void series(StringBuilder sb, String labels, double value) {
    if (sb.length() > 1) {
      sb.append(',');
    }
    sb.append("{\"metric\":{").append(labels).append("},\"value\":[1764590400.000,\"")
        .append(Double.toString(value)).append("\"]}");
  }

  /** The index of InferenceService {@code name} ({@code a-%05d}). */
  static int indexOf(String name) {
    return Integer.parseInt(name.substring(2));
  }
}
