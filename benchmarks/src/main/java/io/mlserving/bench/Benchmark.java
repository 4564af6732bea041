package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's performance benchmark: each scenario starts a fresh fabric8 mock API server (CRUD mode, our
 * CRDs, Istio v1 discovery, a counting layer), the real operator in this JVM, the stub Deployment controller,
 * creates the load and measures. Run with {@code --quick} (under 3 minutes, scaled down) or {@code --full}
 * (the numbers). Writes {@code results/latest.json} and {@code results/latest.md}.
 */
public final class Benchmark {
  static final int LOAD_THREADS = 8;
  static final Duration QUIET = Duration.ofMillis(1000);

  private final Scale scale;
  private final Workload workload;
  private final Report report;
  private int reconcileThreads = -1;

  Benchmark(Scale scale, Report report) {
    this.scale = scale;
    this.workload = new Workload(scale.namespaces());
    this.report = report;
  }

  public static void main(String[] args) throws Exception {
    Logging.quiet();
    Scale scale = Scale.quick();
    Path out = Path.of("benchmarks", "results");
    Set<String> only = new TreeSet<>();
    boolean mock = false;
    boolean real = false;
    List<String> floor = null;
    RealOptions realOptions = new RealOptions();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> {
          scale = Scale.quick();
          mock = true;
        }
        case "--full" -> {
          scale = Scale.full();
          mock = true;
        }
        case "--out" -> out = Path.of(args[++i]);
        case "--only" -> {
          only.addAll(List.of(args[++i].split(",")));
          mock = true;
        }
        case "--real" -> real = true;
        case "--floor" -> floor = i + 1 < args.length && !args[i + 1].startsWith("--")
            ? List.of(args[++i].split(",")) : io.mlserving.bench.real.ControlPlaneFloor.TEMPLATES;
        case "--rounds" -> realOptions.rounds = Integer.parseInt(args[++i]);
        case "--isvcs" -> realOptions.isvcs = Integer.parseInt(args[++i]);
        case "--peer" -> realOptions.peerDir = Path.of(args[++i]);
        case "--operator-jar" -> realOptions.operatorJar = Path.of(args[++i]);
        case "--jfr" -> realOptions.jfr = true;
        case "--model" -> realOptions.model = switch (args[++i]) {
          case "s3" -> true;
          case "image" -> false;
          default -> throw new IllegalArgumentException("--model takes s3 or image, not " + args[i]);
        };
        case "--subjects" -> realOptions.subjects = List.of(args[++i].split(","));
        case "--ours-env" -> {
          String[] kv = args[++i].split("=", 2);
          realOptions.oursEnv.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        case "--ours-jvm" -> realOptions.oursJvm = RealOptions.split(args[++i]);
        case "--peer-jvm" -> realOptions.peerJvm = RealOptions.split(args[++i]);
        case "-h", "--help" -> {
          System.out.println("usage: java -jar mlserving-bench.jar [--quick|--full] [--out DIR]"
              + " [--only p1,p2,p4,p5,p6,p7]"
              + "\n       java -jar mlserving-bench.jar --real [--rounds 2] [--isvcs 200] [--peer DIR]"
              + " [--operator-jar JAR] [--jfr] [--model s3|image] [--subjects ours,peer] [--ours-env KEY=VALUE]"
              + " [--ours-jvm \"OPTIONS\"] [--peer-jvm \"OPTIONS\"] [--out DIR]"
              + "\n       java -jar mlserving-bench.jar --floor [TEMPLATE,...] [--rounds 2] [--isvcs 200] [--out DIR]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (floor != null) {
      // The control plane alone, no operator: its own files, nothing of latest.json touched.
      new io.mlserving.bench.real.ControlPlaneFloor(realOptions.isvcs, realOptions.rounds, floor).run(out);
      System.exit(0);
    }
    if (!real) {
      mock = true;
    }
    Report report = new Report(scale);
    long t0 = System.nanoTime();
    if (mock) {
      Benchmark b = new Benchmark(scale, report);
      b.run(only.isEmpty() ? Set.of("p1", "p2", "p4", "p5", "p6", "p7") : only);
      com.fasterxml.jackson.databind.JsonNode previous = RealKeys.previousMock(out);
      if (!only.isEmpty() && previous != null) {
        // A run of some scenarios keeps the other mock keys already in latest.json, marked with their run.
        report.keepUnmeasured(previous);
      }
      if (!real && previous != null) {
        // A mock-only run keeps the real-server figures already in latest.json (they take minutes to measure).
        report.keepReal(previous);
      }
    } else {
      com.fasterxml.jackson.databind.JsonNode previous = RealKeys.previousMock(out);
      if (previous != null) {
        report.keepMock(previous);
      }
    }
    if (real) {
      realOptions.run(report, out);
    }
    report.finish((System.nanoTime() - t0) / 1e9);
    report.write(out);
    System.out.println(report.markdown());
    System.out.println("Wrote " + out.resolve("latest.json") + " and " + out.resolve("latest.md"));
    System.exit(0);
  }

  void run(Set<String> which) {
    if (which.contains("p1")) {
      attempt("p1", this::p1);
    }
    if (which.contains("p2") || which.contains("p3")) {
      attempt("p2/p3", this::p2p3);
    }
    if (which.contains("p4")) {
      attempt("p4", this::p4);
    }
    if (which.contains("p6")) {
      attempt("p6", this::p6);
    }
    if (which.contains("p5")) {
      attempt("p5", this::p5);
    }
    if (which.contains("p7")) {
      attempt("p7", () -> new AnalysisScenario(scale, report).run());
    }
  }

  interface Scenario {
    void run() throws Exception;
  }

  private void attempt(String name, Scenario s) {
    long t0 = System.nanoTime();
    System.err.printf("[bench] %s ...%n", name);
    try {
      s.run();
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      report.error(name, e.toString());
    }
    System.err.printf("[bench] %s done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
  }

  // ---- p1 and p6: a forced full resync / cold start over converged resources

  private void p1() throws Exception {
    try (Env env = new Env()) {
      Map<String, Object> r = restartOverConverged(env, scale.resyncIsvcs(), scale.resyncAbTests());
      long writes = (long) r.get("operator_writes");
      long gets = (long) r.get("operator_point_gets");
      report.key("p1_writes_per_noop_resync", writes, "writes", "0", "0", writes == 0, r);
      report.key("p1_gets_per_noop_resync", gets, "GETs", "0", "0", gets == 0,
          Map.of("note", "GETs of single objects; the list and watch requests that fill the informer caches at"
              + " start are counted apart in p1_writes_per_noop_resync.detail (operator_lists, operator_watches)"));
    }
  }

  private void p6() throws Exception {
    try (Env env = new Env()) {
      Map<String, Object> r = restartOverConverged(env, scale.coldIsvcs(), scale.coldAbTests());
      double seconds = (double) r.get("start_to_zero_write_pass_s");
      boolean zero = (long) r.get("operator_writes") == 0;
      report.key("p6_cold_start_s", round(seconds, 2), "s", "≤ 10", "3", seconds <= 10 && zero, r);
    }
  }

  /**
   * Converges {@code isvcs} InferenceServices and {@code abTests} ABTests with one operator, stops it, and
   * starts a new operator process: the forced full resync. Measures start (create to caches synced), the
   * first pass over every resource, and every request the new operator sends meanwhile.
   */
  private Map<String, Object> restartOverConverged(Env env, int isvcs, int abTests) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    int total = isvcs + abTests;
    try (OperatorRun first = OperatorRun.start(env.cluster)) {
      reconcileThreads = first.reconcileThreads();
      long t0 = System.nanoTime();
      List<HasMetadata> all = new ArrayList<>();
      for (int i = 0; i < isvcs; i++) {
        all.add(workload.isvc("m", i));
      }
      for (int j = 0; j < abTests; j++) {
        all.add(workload.abTest("m", j, isvcs));
      }
      Workload.createAll(env.cluster.load, all, LOAD_THREADS, null);
      List<String> keys = all.stream().map(Workload::key).toList();
      awaitReady(env, keys, 1, Duration.ofSeconds(60 + total / 10), r, "converge");
      first.awaitQuiet(env.cluster, env.stub, QUIET, Duration.ofSeconds(120));
      r.put("converge_s", round((System.nanoTime() - t0) / 1e9, 2));
    }
    Counts before = env.counts();
    long t0 = System.nanoTime();
    try (OperatorRun second = OperatorRun.start(env.cluster)) {
      long deadline = t0 + Duration.ofSeconds(60 + total / 20).toNanos();
      while (second.metrics.finishedDistinct() < total && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long pass = System.nanoTime();
      second.awaitQuiet(env.cluster, env.stub, QUIET, Duration.ofSeconds(60));
      Counts d = env.counts().minus(before);
      r.put("resources", Map.of("InferenceService", isvcs, "ABTest", abTests));
      r.put("start_to_caches_synced_s", round(second.startNanos / 1e9, 3));
      r.put("start_to_zero_write_pass_s", round((pass - t0) / 1e9, 3));
      r.put("resources_reconciled", second.metrics.finishedDistinct());
      r.put("reconciles", Map.of("InferenceService", second.metrics.reconciles("InferenceService"),
          "ABTest", second.metrics.reconciles("ABTest"), "failed", second.metrics.failures()));
      r.put("operator_writes", d.operatorWrites());
      r.put("operator_point_gets", d.operatorPointReads());
      r.put("operator_lists", d.operator("list"));
      r.put("operator_watches", d.operator("watch"));
      r.put("operator_discovery", d.operator("discovery"));
      r.put("operator_requests", d.describeOperator());
    }
    return r;
  }

  // ---- p2 and p3: writes and reconciles per create and per spec change

  private void p2p3() throws Exception {
    int m = scale.changes();
    Map<String, Object> p2 = new LinkedHashMap<>();
    Map<String, Object> p3 = new LinkedHashMap<>();
    try (Env env = new Env(); OperatorRun op = OperatorRun.start(env.cluster)) {
      List<InferenceService> isvcs = new ArrayList<>();
      for (int i = 0; i < m; i++) {
        isvcs.add(workload.isvc("m", i));
      }
      List<ABTest> abs = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        abs.add(workload.abTest("m", j, m));
      }
      List<String> isvcKeys = isvcs.stream().map(Workload::key).toList();
      List<String> abKeys = abs.stream().map(Workload::key).toList();

      Phase createIsvc = phase(env, op, "InferenceService", isvcKeys, 1,
          () -> Workload.createAll(env.cluster.load, isvcs, LOAD_THREADS, null));
      Phase createAb = phase(env, op, "ABTest", abKeys, 1,
          () -> Workload.createAll(env.cluster.load, abs, LOAD_THREADS, null));
      Phase changeIsvc = phase(env, op, "InferenceService", isvcKeys, 2, () -> {
        for (InferenceService i : isvcs) {
          env.cluster.load.resources(InferenceService.class).inNamespace(i.getMetadata().getNamespace())
              .withName(i.getMetadata().getName())
              .edit(x -> {
                x.getSpec().getPredictor().setImage("ghcr.io/acme/onnx-server:1.5");
                return x;
              });
        }
      });
      Phase changeAb = phase(env, op, "ABTest", abKeys, 2, () -> {
        for (ABTest a : abs) {
          env.cluster.load.resources(ABTest.class).inNamespace(a.getMetadata().getNamespace())
              .withName(a.getMetadata().getName())
              .edit(x -> {
                x.getSpec().getVariants().get(0).setWeight(80);
                x.getSpec().getVariants().get(1).setWeight(20);
                return x;
              });
        }
      });

      double isvcAmp = createIsvc.writes / (3.0 * m);
      double abAmp = createAb.writes / (3.0 * m);
      double amp = Math.max(isvcAmp, abAmp);
      p2.put("InferenceService", Map.of("writes_per_create", round(createIsvc.writes / (double) m, 3),
          "minimum", 3, "amplification", round(isvcAmp, 3)));
      p2.put("ABTest", Map.of("writes_per_create", round(createAb.writes / (double) m, 3),
          "minimum", 3, "amplification", round(abAmp, 3)));
      p2.put("value_is", "the larger of the two amplifications");
      p2.put("creates_per_kind", m);
      p2.put("InferenceService_create_requests", createIsvc.requests);
      p2.put("ABTest_create_requests", createAb.requests);
      boolean allReady = createIsvc.ready == m && createAb.ready == m;
      report.key("p2_write_amplification", round(amp, 3), "x", "≤ 1.34", "1.00", amp <= 1.34 && allReady, p2);

      long own = createIsvc.own + createAb.own + changeIsvc.own + changeAb.own;
      double perChange = own / (4.0 * m);
      p3.put("InferenceService_create", createIsvc.describe(m));
      p3.put("ABTest_create", createAb.describe(m));
      p3.put("InferenceService_spec_change", changeIsvc.describe(m));
      p3.put("ABTest_spec_change", changeAb.describe(m));
      p3.put("value_is", "reconciles of the created or changed resource itself, per create or change, over the four"
          + " phases; reconciles of other resources it touches (an ABTest when its InferenceService changes) are"
          + " listed as other_reconciles");
      boolean converged = changeIsvc.ready == m && changeAb.ready == m && allReady;
      p3.put("all_ready", converged);
      report.key("p3_reconciles_per_change", round(perChange, 3), "reconciles", "≤ 2.0", "1.1",
          perChange <= 2.0 && converged, p3);
    }
  }

  /** What one phase of p2/p3 cost. */
  static final class Phase {
    long writes;
    int own;
    int other;
    int failed;
    int ready;
    double seconds;
    List<String> notReady = List.of();
    Map<String, Long> requests;

    Map<String, Object> describe(int n) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reconciles_per_resource", round(own / (double) n, 3));
      m.put("other_reconciles", other);
      m.put("failed_reconciles", failed);
      m.put("operator_writes_per_resource", round(writes / (double) n, 3));
      m.put("ready", ready + " of " + n);
      if (!notReady.isEmpty()) {
        m.put("never_ready", notReady.subList(0, Math.min(10, notReady.size())));
      }
      m.put("seconds", round(seconds, 2));
      return m;
    }
  }

  private Phase phase(Env env, OperatorRun op, String kind, List<String> keys, long generation, Scenario action)
      throws Exception {
    Phase p = new Phase();
    Counts before = env.counts();
    int ownBefore = op.metrics.reconciles(kind);
    int allBefore = op.metrics.total();
    int failedBefore = op.metrics.failures();
    long t0 = System.nanoTime();
    action.run();
    Map<String, Object> sink = new LinkedHashMap<>();
    awaitReady(env, keys, generation, Duration.ofSeconds(30 + keys.size() / 10), sink, "phase");
    op.awaitQuiet(env.cluster, env.stub, QUIET, Duration.ofSeconds(60));
    p.seconds = (System.nanoTime() - t0) / 1e9;
    Counts d = env.counts().minus(before);
    p.writes = d.operatorWrites();
    p.own = op.metrics.reconciles(kind) - ownBefore;
    p.other = op.metrics.total() - allBefore - p.own;
    p.failed = op.metrics.failures() - failedBefore;
    p.ready = env.tracker.countReady(keys, generation);
    p.notReady = keys.stream().filter(k -> env.tracker.readyAt(k, generation) == null).toList();
    p.requests = d.describe(k -> k.actor().equals(CountingDispatcher.OPERATOR) && k.isWrite());
    return p;
  }

  /** Waits until every key is Ready at {@code generation}; on a time-out, records who is not and goes on. */
  private static long awaitReady(Env env, List<String> keys, long generation, Duration timeout,
      Map<String, Object> into, String what) throws InterruptedException {
    try {
      return env.tracker.awaitAll(keys, generation, timeout);
    } catch (IllegalStateException e) {
      List<String> missing = keys.stream().filter(k -> env.tracker.readyAt(k, generation) == null).toList();
      into.put(what + "_not_ready", missing.size() + " of " + keys.size() + " never Ready within "
          + timeout.toSeconds() + " s, e.g. " + missing.subList(0, Math.min(5, missing.size())));
      System.err.println("[bench] " + what + ": " + into.get(what + "_not_ready"));
      return System.nanoTime();
    }
  }

  // ---- p4: drain of a burst against the floor, and readiness latency under a steady load

  private void p4() throws Exception {
    int threads = reconcileThreads > 0 ? reconcileThreads : probeReconcileThreads();
    Map<String, Object> d = new LinkedHashMap<>();
    List<Double> latencies = new ArrayList<>();
    Map<String, Object> steady = new LinkedHashMap<>();
    // Alternate floor and operator runs, each on a fresh mock, after a warm-up of each, and keep the best of
    // each kind: the mock and the JIT warm up during the run, and a single run of a few seconds is noisy.
    floorRun(threads, new LinkedHashMap<>(), "warmup", Math.min(100, scale.burst()));
    operatorBurst(new LinkedHashMap<>(), "warmup", Math.min(100, scale.burst()), null, null);
    double floor1 = floorRun(threads, d, "floor_run_1", scale.burst());
    double op1 = operatorBurst(d, "operator_run_1", scale.burst(), latencies, steady);
    double floor2 = floorRun(threads, d, "floor_run_2", scale.burst());
    double op2 = operatorBurst(d, "operator_run_2", scale.burst(), null, null);
    double floor = Math.min(floor1, floor2);
    double operatorSeconds = Math.min(op1, op2);
    double ratio = floor / operatorSeconds;
    d.put("floor_s", round(floor, 3));
    d.put("operator_s", round(operatorSeconds, 3));
    d.put("value_is", "floor_s / operator_s, each the faster of two runs (floor, operator, floor, operator, after a"
        + " warm-up run of each), from the first create sent to the observer seeing the last one Ready");
    d.put("floor_is", "on a fresh mock with the same stub and load: per InferenceService POST Deployment, POST"
        + " Service, and once the stub marked the Deployment available one merge patch of the status, with "
        + threads + " threads (JOSDK's reconcile pool)");
    d.put("burst", scale.burst());
    d.put("reconcile_threads", threads);
    report.key("p4_drain_vs_floor", round(ratio, 3), "ratio", "≥ 0.5", "0.8", ratio >= 0.5, d);

    latencies.sort(Double::compare);
    double p99 = latencies.isEmpty() ? Double.NaN : percentile(latencies, 0.99);
    steady.put("p50_ms", latencies.isEmpty() ? null : round(latencies.get(latencies.size() / 2), 1));
    steady.put("max_ms", latencies.isEmpty() ? null : round(latencies.get(latencies.size() - 1), 1));
    steady.put("measured_from", "the create request being sent to the mock accepting the operator's status write"
        + " with Ready=True for generation 1 (includes the stub marking the Deployment available)");
    report.key("p4_ready_p99_ms", round(p99, 1), "ms", "(report)", "(report)", true, steady);
  }

  /**
   * A burst of {@code count} new InferenceServices against a fresh mock and operator; seconds until all are
   * Ready. With {@code latencies}, then the steady load over the resident burst (p4_ready_p99_ms).
   */
  private double operatorBurst(Map<String, Object> into, String name, int count, List<Double> latencies,
      Map<String, Object> steady) throws Exception {
    try (Env env = new Env(); OperatorRun op = OperatorRun.start(env.cluster)) {
      List<InferenceService> burst = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        burst.add(workload.isvc("b", i));
      }
      List<String> keys = burst.stream().map(Workload::key).toList();
      Counts before = env.counts();
      int reconcilesBefore = op.metrics.total();
      long t0 = System.nanoTime();
      Workload.createAll(env.cluster.load, burst, LOAD_THREADS, null);
      long end = awaitReady(env, keys, 1, Duration.ofSeconds(60 + count / 5), into, name);
      double seconds = (end - t0) / 1e9;
      op.awaitQuiet(env.cluster, env.stub, QUIET, Duration.ofSeconds(60));
      Counts delta = env.counts().minus(before);
      into.put(name + "_s", round(seconds, 3));
      into.put(name + "_writes", delta.operatorWrites());
      into.put(name + "_reconciles", op.metrics.total() - reconcilesBefore);
      into.put(name + "_failed_reconciles", op.metrics.failures());
      into.put(name + "_write_requests",
          delta.describe(k -> k.actor().equals(CountingDispatcher.OPERATOR) && k.isWrite()));
      if (latencies != null) {
        steadyLoad(env, latencies, steady);
      }
      return seconds;
    }
  }

  /** {@code ratePerSecond} new InferenceServices a second for {@code rateSeconds} over the resident ones. */
  private void steadyLoad(Env env, List<Double> latencies, Map<String, Object> steady) throws Exception {
    int count = scale.ratePerSecond() * scale.rateSeconds();
    Counts before = env.counts();
    Map<String, Long> sent = new ConcurrentHashMap<>();
    List<String> steadyKeys = new ArrayList<>();
    Map<String, Long> slow = new java.util.TreeMap<>();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
    AtomicInteger failedCreates = new AtomicInteger();
    long periodNanos = 1_000_000_000L / scale.ratePerSecond();
    for (int i = 0; i < count; i++) {
      InferenceService isvc = workload.isvc("s", i);
      steadyKeys.add(Workload.key(isvc));
      timer.schedule(() -> {
        sent.put(Workload.key(isvc), System.nanoTime());
        try {
          env.cluster.load.resource(isvc).create();
        } catch (RuntimeException e) {
          failedCreates.incrementAndGet();
        }
      }, i * periodNanos, TimeUnit.NANOSECONDS);
    }
    timer.shutdown();
    timer.awaitTermination(scale.rateSeconds() + 30L, TimeUnit.SECONDS);
    awaitReady(env, steadyKeys, 1, Duration.ofSeconds(60), steady, "steady");
    List<Double> observed = new ArrayList<>();
    for (String k : steadyKeys) {
      Long written = env.cluster.dispatcher.readyWriteNanos(k, 1);
      ReadyTracker.Ready r = env.tracker.readyAt(k, 1);
      if (written != null && sent.containsKey(k)) {
        double ms = (written - sent.get(k)) / 1e6;
        latencies.add(ms);
        if (ms > 1000) {
          slow.put(k, Math.round(ms));
        }
      }
      if (r != null && sent.containsKey(k)) {
        observed.add((r.nanos() - sent.get(k)) / 1e6);
      }
    }
    if (!slow.isEmpty()) {
      steady.put("slower_than_1s", slow);
    }
    observed.sort(Double::compare);
    if (!observed.isEmpty()) {
      steady.put("observer_p50_ms", round(observed.get(observed.size() / 2), 1));
      steady.put("observer_p99_ms", round(percentile(observed, 0.99), 1));
      steady.put("observer_is", "the same, until the benchmark's own informer saw Ready (adds watch delivery)");
    }
    steady.put("new_resources", count);
    steady.put("resident", scale.burst());
    steady.put("measured", latencies.size());
    steady.put("failed_creates", failedCreates.get());
    Counts delta = env.counts().minus(before);
    steady.put("requests", delta.describe(k -> true));
  }

  private double floorRun(int threads, Map<String, Object> into, String name, int count) throws Exception {
    try (Env env = new Env(); Floor floor = new Floor(env.cluster, threads)) {
      List<InferenceService> burst = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        burst.add(workload.isvc("b", i));
      }
      List<String> keys = burst.stream().map(Workload::key).toList();
      Counts before = env.counts();
      long t0 = System.nanoTime();
      Workload.createAll(env.cluster.load, burst, LOAD_THREADS, floor::created);
      long end = awaitReady(env, keys, 1, Duration.ofSeconds(60 + scale.burst() / 5), into, name);
      double seconds = (end - t0) / 1e9;
      Counts delta = env.counts().minus(before);
      into.put(name + "_s", round(seconds, 3));
      into.put(name + "_writes", delta.sum(k -> k.actor().equals("floor") && k.isWrite()));
      into.put(name + "_errors", floor.errors());
      return seconds;
    }
  }

  private int probeReconcileThreads() throws Exception {
    try (Env env = new Env(); OperatorRun op = OperatorRun.start(env.cluster)) {
      return op.reconcileThreads();
    }
  }

  // ---- p5: retained heap per 1,000 InferenceServices

  @SuppressWarnings("unchecked")
  private void p5() throws Exception {
    List<Integer> steps = scale.heapSteps();
    Map<String, Object> d = new LinkedHashMap<>();
    int warmup = Math.max(50, steps.get(steps.size() - 1) / 4);
    Map<String, Object> mockRun = HeapSeries.inChildJvm(false, steps, warmup, scale.namespaces());
    Map<String, Object> opRun = HeapSeries.inChildJvm(true, steps, warmup, scale.namespaces());
    double[] mockOnly = ((List<Number>) mockRun.get("mib")).stream().mapToDouble(Number::doubleValue).toArray();
    double[] withOperator = ((List<Number>) opRun.get("mib")).stream().mapToDouble(Number::doubleValue).toArray();
    int n = steps.size();
    double[] x = new double[n];
    double[] share = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = steps.get(i);
      share[i] = (withOperator[i] - withOperator[0]) - (mockOnly[i] - mockOnly[0]);
    }
    double[] fit = linearFit(x, share);
    double perThousand = fit[0] * 1000;
    double[] totalFit = linearFit(x, sub(withOperator, withOperator[0]));
    double[] mockFit = linearFit(x, sub(mockOnly, mockOnly[0]));
    Map<String, Object> series = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      series.put(String.valueOf(steps.get(i)), Map.of(
          "with_operator_mib", round(withOperator[i], 2),
          "mock_and_bench_only_mib", round(mockOnly[i], 2),
          "operator_share_mib", round(share[i], 2)));
    }
    d.put("retained_heap", series);
    d.put("warmup_inferenceservices", warmup);
    d.put("operator_slope_mib_per_1000", round(perThousand, 2));
    d.put("operator_fit_r2", round(fit[2], 4));
    d.put("with_operator_slope_mib_per_1000", round(totalFit[0] * 1000, 2));
    d.put("with_operator_fit_r2", round(totalFit[2], 4));
    d.put("mock_and_bench_only_slope_mib_per_1000", round(mockFit[0] * 1000, 2));
    double baseline = withOperator[0];
    double after = ((Number) opRun.get("after_delete_mib")).doubleValue();
    double mockAfter = ((Number) mockRun.get("after_delete_mib")).doubleValue();
    double residual = after - baseline;
    double peakGrowth = withOperator[n - 1] - baseline;
    d.put("with_operator_after_delete_mib", round(after, 2));
    d.put("mock_and_bench_only_after_delete_mib", round(mockAfter, 2));
    d.put("residual_after_delete_mib", round(residual, 2));
    d.put("residual_pct_of_baseline", round(100 * residual / baseline, 2));
    d.put("residual_pct_of_peak_growth", round(peakGrowth == 0 ? 0 : 100 * residual / peakGrowth, 2));
    d.put("with_operator_run", opRun);
    d.put("mock_and_bench_only_run", mockRun);
    // Linear: the total with the operator (the larger, less noisy signal) fits a line through the steps.
    boolean linear = totalFit[2] >= 0.95;
    boolean backToBaseline = residual <= 0.05 * baseline;
    d.put("linear", linear);
    d.put("back_to_baseline_within_5pct", backToBaseline);
    report.key("p5_heap_mib_per_1000_isvc", round(perThousand, 2), "MiB", "≤ 50", "20",
        perThousand <= 50 && linear && backToBaseline, d);
  }

  // ---- helpers

  /** The nearest-rank percentile of sorted values. */
  static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  /** Least squares y = a x + b: returns {a, b, r²}. */
  static double[] linearFit(double[] x, double[] y) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i] / n;
      my += y[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    double a = sxx == 0 ? 0 : sxy / sxx;
    double r2 = sxx == 0 || syy == 0 ? 1 : (sxy * sxy) / (sxx * syy);
    return new double[] {a, my - a * mx, r2};
  }

  private static double[] sub(double[] v, double c) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] - c;
    }
    return out;
  }

  static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
