package io.mlserving.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One p5 heap series, in a JVM of its own so that its baseline is not disturbed by earlier scenarios: a fresh
 * mock with the stub and the observer, with the operator ({@code operator}) or with the floor writer putting
 * the same objects into the mock ({@code mock}). A warm-up round (create, Ready, delete) first loads classes
 * and fills one-off caches; then the retained heap is measured at each step with every InferenceService
 * Ready, and once more after deleting them all (InferenceServices first, then their Deployments and Services,
 * as the garbage collector would). Prints one JSON object on stdout.
 */
public final class HeapSeries {
  private HeapSeries() {}

  /** Runs a series in a child JVM with this JVM's class path. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> inChildJvm(boolean operator, List<Integer> steps, int warmup, int namespaces)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        HeapSeries.class.getName(), operator ? "operator" : "mock",
        String.join(",", steps.stream().map(String::valueOf).toList()), String.valueOf(warmup),
        String.valueOf(namespaces)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String last = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        last = line;
      }
    }
    int code = p.waitFor();
    if (code != 0 || last == null) {
      throw new IllegalStateException("heap series (" + (operator ? "operator" : "mock") + ") exited " + code);
    }
    return new ObjectMapper().readValue(last, Map.class);
  }

  public static void main(String[] args) throws Exception {
    Logging.quiet();
    boolean operator = "operator".equals(args[0]);
    List<Integer> steps = Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList();
    int warmup = Integer.parseInt(args[2]);
    Workload workload = new Workload(Integer.parseInt(args[3]));
    Map<String, Object> out = new LinkedHashMap<>();
    List<Double> mib = new ArrayList<>();
    String label = operator ? "with_operator" : "mock_and_bench_only";
    try (Env env = new Env()) {
      OperatorRun op = operator ? OperatorRun.start(env.cluster) : null;
      Floor floor = operator ? null : new Floor(env.cluster, 50);
      try {
        cycle(env, op, floor, workload, "w", 0, warmup, out, label + "_warmup");
        deleteAll(env, op, workload, "w", warmup);
        List<String> keys = new ArrayList<>();
        int have = 0;
        for (int step : steps) {
          if (step > have) {
            keys.addAll(cycle(env, op, floor, workload, "h", have, step, out, label + "_" + step));
          }
          have = step;
          settle(env, op);
          mib.add(Heap.mib(Heap.retainedBytes()));
          histogram(label + "-" + have);
          System.err.printf("[bench] p5 %s %d: %.1f MiB%n", label, have, mib.get(mib.size() - 1));
        }
        deleteAll(env, op, workload, "h", have);
        Thread.sleep(1000);
        double after = Heap.mib(Heap.retainedBytes());
        histogram(label + "-after-delete");
        System.err.printf("[bench] p5 %s after delete: %.1f MiB%n", label, after);
        out.put("mib", mib);
        out.put("after_delete_mib", after);
        if (op != null) {
          out.put("reconciles", op.metrics.total());
          out.put("failed_reconciles", op.metrics.failures());
        }
      } finally {
        if (op != null) {
          op.close();
        }
        if (floor != null) {
          floor.close();
        }
      }
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
    System.exit(0);
  }

  /** For debugging: with BENCH_HISTO=<dir>, a class histogram of the live heap at each measurement. */
  private static void histogram(String name) {
    String dir = System.getenv("BENCH_HISTO");
    if (dir == null) {
      return;
    }
    try {
      Object text = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {null}, new String[] {String[].class.getName()});
      java.nio.file.Files.writeString(java.nio.file.Path.of(dir, name + ".histo"), String.valueOf(text));
    } catch (Exception e) {
      System.err.println("[bench] no histogram: " + e);
    }
  }

  /** Creates InferenceServices {@code from} to {@code to - 1} and waits until they are all Ready. */
  private static List<String> cycle(Env env, OperatorRun op, Floor floor, Workload workload, String prefix,
      int from, int to, Map<String, Object> out, String label) throws Exception {
    List<InferenceService> next = new ArrayList<>();
    for (int i = from; i < to; i++) {
      next.add(workload.isvc(prefix, i));
    }
    Workload.createAll(env.cluster.load, next, Benchmark.LOAD_THREADS, floor == null ? null : floor::created);
    List<String> keys = next.stream().map(Workload::key).toList();
    try {
      env.tracker.awaitAll(keys, 1, Duration.ofSeconds(60 + keys.size() / 5));
    } catch (IllegalStateException e) {
      out.put(label + "_not_ready", e.getMessage());
    }
    return keys;
  }

  private static void deleteAll(Env env, OperatorRun op, Workload workload, String prefix, int count)
      throws InterruptedException {
    for (int i = 0; i < count; i++) {
      InferenceService isvc = workload.isvc(prefix, i);
      env.cluster.load.resources(InferenceService.class).inNamespace(isvc.getMetadata().getNamespace())
          .withName(isvc.getMetadata().getName()).delete();
    }
    settle(env, op);
    for (int i = 0; i < count; i++) {
      InferenceService isvc = workload.isvc(prefix, i);
      env.cluster.load.resources(Deployment.class).inNamespace(isvc.getMetadata().getNamespace())
          .withName(isvc.getMetadata().getName()).delete();
      env.cluster.load.resources(Service.class).inNamespace(isvc.getMetadata().getNamespace())
          .withName(isvc.getMetadata().getName()).delete();
    }
    settle(env, op);
  }

  private static void settle(Env env, OperatorRun op) throws InterruptedException {
    if (op != null) {
      op.awaitQuiet(env.cluster, env.stub, Benchmark.QUIET, Duration.ofSeconds(60));
    } else {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (env.stub.busy() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(Benchmark.QUIET.toMillis());
    }
    env.cluster.drainRecorded();
  }
}
