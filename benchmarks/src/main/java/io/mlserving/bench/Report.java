package io.mlserving.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The results: {@code latest.json} (every key with target and pass/fail, the machine, notes) and a table. */
final class Report {
  /** Keys in the order the issue lists them, with what the table says of each. */
  private static final List<String> ORDER = List.of("p1_writes_per_noop_resync", "p1_gets_per_noop_resync",
      "p2_write_amplification", "p3_reconciles_per_change", "p4_drain_vs_floor", "p4_ready_p99_ms",
      "p5_heap_mib_per_1000_isvc", "p6_cold_start_s", "p7_prometheus_queries_per_refresh",
      "p7_status_writes_per_refresh");

  private final Scale scale;
  private final Map<String, Object> root = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
  private final Map<String, String> errors = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> realKeys = new LinkedHashMap<>();
  private final Map<String, Object> realSetup = new LinkedHashMap<>();
  /** Keys kept from an earlier run by {@link #keepUnmeasured}, with that run's date and mode. */
  private final Map<String, String> keptKeys = new LinkedHashMap<>();

  Report(Scale scale) {
    this.scale = scale;
    root.put("mode", scale.mode());
    root.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    root.put("machine", machine());
  }

  void key(String name, Object value, String unit, String target, String aim, boolean pass,
      Map<String, Object> detail) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("value", value);
    k.put("unit", unit);
    k.put("target", target);
    k.put("aim", aim);
    k.put("pass", pass);
    k.put("detail", detail);
    keys.put(name, k);
  }

  /**
   * A real-server key: our figure, the peer's from the same run, their ratio (null where it means nothing),
   * the mock-mode figure that measures the same thing (null if none) and the target.
   */
  void realKey(String name, Object ours, Object peer, Object ratio, String unit, String target, boolean pass,
      Map<String, Object> mock, Map<String, Object> detail) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("value", ours);
    k.put("peer", peer);
    k.put("ratio_to_peer", ratio);
    k.put("unit", unit);
    k.put("target", target);
    k.put("pass", pass);
    k.put("mock", mock == null ? null : mock.get("value"));
    k.put("detail", detail);
    realKeys.put(name, k);
  }

  /** How the real-server mode ran (server, workload, load on the machine), for latest.json. */
  void realSetup(Map<String, Object> setup) {
    realSetup.putAll(setup);
  }

  /**
   * Keeps the mock-mode results of an earlier run (when this run is real-server only), so latest.json holds
   * both; they keep the date and mode of the run that measured them.
   */
  @SuppressWarnings("unchecked")
  void keepMock(com.fasterxml.jackson.databind.JsonNode previous) {
    Map<String, Object> old = new ObjectMapper().convertValue(previous, Map.class);
    Map<String, Object> results = (Map<String, Object>) old.get("results");
    if (results != null) {
      results.forEach((k, v) -> keys.put(k, (Map<String, Object>) v));
      root.put("mode", old.get("mode"));
      root.put("mock_measured", Map.of("date", String.valueOf(old.get("date")), "mode", String.valueOf(old.get("mode")),
          "duration_s", String.valueOf(old.get("duration_s"))));
      if (old.get("scale") != null) {
        root.put("scale", old.get("scale"));
      }
      if (old.get("notes") != null) {
        root.put("notes", old.get("notes"));
      }
    }
  }

  /**
   * Keeps the real-server keys of an earlier run (when this run is mock-mode only), so latest.json holds both;
   * their setup says when and under which load they were measured. They are computed again from that run's
   * recorded rounds, so that their mock column shows this run's mock figures.
   */
  @SuppressWarnings("unchecked")
  void keepReal(com.fasterxml.jackson.databind.JsonNode previous) {
    Map<String, Object> old = new ObjectMapper().convertValue(previous, Map.class);
    Object real = old.get("real_server");
    if (real instanceof Map<?, ?> keysByName && realKeys.isEmpty()) {
      Object setup = old.get("real_server_setup");
      if (setup instanceof Map<?, ?> m) {
        realSetup.putAll((Map<String, Object>) m);
        realSetup.putIfAbsent("measured_on", String.valueOf(old.get("date")));
      }
      if (realSetup.get("runs") instanceof Map<?, ?> runs) {
        // The keys again from the runs they were measured in, with this run's mock figures beside them.
        RealKeys.add(this, (Map<String, List<Map<String, Object>>>) runs, resultsJson());
      } else {
        ((Map<String, Map<String, Object>>) keysByName).forEach(realKeys::put);
      }
    }
  }

  /**
   * Keeps the mock-mode keys of an earlier run that this run did not measure (a run of some scenarios with
   * {@code --only}), each marked with the date and mode of the run that measured it.
   */
  @SuppressWarnings("unchecked")
  void keepUnmeasured(com.fasterxml.jackson.databind.JsonNode previous) {
    Map<String, Object> old = new ObjectMapper().convertValue(previous, Map.class);
    Map<String, Object> results = (Map<String, Object>) old.get("results");
    if (results == null) {
      return;
    }
    // A real-server-only run kept the mock keys of an earlier one: they are that run's.
    Object measured = old.get("mock_measured");
    String run = measured instanceof Map<?, ?> m ? m.get("date") + " (" + m.get("mode") + " mode)"
        : old.get("date") + " (" + old.get("mode") + " mode)";
    results.forEach((name, v) -> {
      Map<String, Object> k = (Map<String, Object>) v;
      if (keys.containsKey(name) || "not measured".equals(k.get("value"))) {
        return;
      }
      String from = k.get("kept_from") != null ? String.valueOf(k.get("kept_from")) : run;
      Map<String, Object> copy = new LinkedHashMap<>(k);
      copy.put("kept_from", from);
      keys.put(name, copy);
      keptKeys.put(name, from);
    });
  }

  /** The mock-mode results held so far (measured now or kept from an earlier run), as latest.json has them. */
  com.fasterxml.jackson.databind.JsonNode resultsJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("results", keys);
    Object measured = root.get("mock_measured");
    m.put("mode", measured instanceof Map<?, ?> mm ? mm.get("mode") : root.get("mode"));
    m.put("date", measured instanceof Map<?, ?> mm ? mm.get("date") : root.get("date"));
    return new ObjectMapper().valueToTree(m);
  }

  void error(String scenario, String message) {
    errors.put(scenario, message);
  }

  void finish(double seconds) {
    root.put("duration_s", Benchmark.round(seconds, 1));
    root.putIfAbsent("scale", scale.describe());
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (String k : ORDER) {
      ordered.put(k, keys.getOrDefault(k, Map.of("value", "not measured", "pass", false)));
    }
    keys.forEach(ordered::putIfAbsent);
    root.put("results", ordered);
    boolean allPass = ordered.values().stream().allMatch(v -> Boolean.TRUE.equals(((Map<?, ?>) v).get("pass")));
    if (!realKeys.isEmpty()) {
      root.put("real_server", realKeys);
      root.put("real_server_setup", realSetup);
      allPass &= realKeys.values().stream().allMatch(v -> Boolean.TRUE.equals(v.get("pass")));
    }
    root.put("all_pass", allPass);
    if (!errors.isEmpty()) {
      root.put("errors", errors);
    }
    root.putIfAbsent("notes", notes());
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    Runtime rt = Runtime.getRuntime();
    m.put("cores", rt.availableProcessors());
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("jvm_vendor", System.getProperty("java.vendor"));
    m.put("max_heap_mib", rt.maxMemory() / (1024 * 1024));
    m.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", ")));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("physical_memory_mib", physicalMemoryMib());
    return m;
  }

  private static Object physicalMemoryMib() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024 * 1024);
    }
    return "unknown";
  }

  private static List<String> notes() {
    return List.of(
        "Everything runs in one JVM on loopback: the fabric8 KubernetesMockServer in CRUD mode (with the operator"
            + " tests' RecordingDispatcher: server-side apply answered as create-or-merge, Istio"
            + " networking.istio.io/v1 discovery served, our CRDs registered so status is a subresource), the real"
            + " operator built by MlServingOperator.create with default settings, a stub Deployment controller and"
            + " the load. Each scenario starts a fresh mock.",
        "Requests are counted by a counting layer on the mock (CountingDispatcher) by actor, method, verb and"
            + " path template. The benchmark's own clients send User-Agent mlserving-bench/<actor> (load, stub,"
            + " observer, floor); every other request is the operator's. 'Writes' are POST, PUT, PATCH and"
            + " DELETE; 'GETs' are GETs of one object (lists and watches, which fill the informer caches, are"
            + " counted apart).",
        "The stub Deployment controller is an informer on Deployments that writes status (observedGeneration,"
            + " all replicas updated/ready/available, Available=True) whenever a Deployment is not available for its"
            + " generation; the mock keeps no status subresource for Deployments, so it re-marks after each"
            + " operator update. Readiness is timed by a separate informer (observer) on InferenceServices and"
            + " ABTests: Ready=True with status.observedGeneration equal to metadata.generation. p4_ready_p99_ms"
            + " instead uses the moment the mock accepted the operator's status write saying Ready=True for the"
            + " generation (no watch delivery in it); the observer's figure is in its detail.",
        "Reconciles are counted with the operator tests' CountingMetrics (JOSDK Metrics), wrapped to also know"
            + " when a reconcile is in flight; 'quiet' means no operator request and no reconcile for 1 s.",
        "p1 and p6 force a full resync the way the operator tests do: converge with one operator, stop it, start"
            + " a new operator process (new client, empty caches) and count what it sends until every resource"
            + " has been reconciled once and it is quiet.",
        "p4 floor: on a fresh mock with the same stub and observer, the same burst is created by the same load"
            + " (8 threads); each created InferenceService is handed straight to a pool of as many threads as the"
            + " operator's reconcile pool, which POSTs the Deployment and the Service the operator would generate"
            + " and, once its own Deployment informer sees the stub's mark, sends one JSON merge patch of the"
            + " status. The floor is the faster of two such runs (one before and one after the operator's run);"
            + " p4_drain_vs_floor = floor time / operator time, both until the observer saw every one Ready.",
        "p5 heap: MemoryMXBean used heap after System.gc() repeated until two readings agree within 256 KiB."
            + " The mock server, the stub and the observer live in the same JVM and their storage grows with the"
            + " resources too, so the same series is measured twice on fresh mocks: once with the operator, and"
            + " once without it, with the floor writer putting the same objects (InferenceService with its"
            + " status, Deployment with its status, Service) into the mock. The operator's share at each step is"
            + " (with operator - its baseline) - (without operator - its baseline); the key is the least-squares"
            + " slope of that share, in MiB per 1,000 InferenceServices. After the last step all"
            + " InferenceServices are deleted, then their Deployments and Services (the mock has no garbage"
            + " collector), and the heap must come back within 5 % of the baseline measured with the operator"
            + " running and no resources.",
        "p7 live analysis: 1,000 ABTests, ShadowTests and CircuitBreakers (40/30/30 %) with spec.analysis"
            + " (window 10s, refresh every 10 s) on Ready InferenceServices, and a Prometheus stub (a JDK"
            + " HttpServer on loopback) answering the two batched queries of LiveQueries with the same series every"
            + " time and counting every query. After the resources converged with the background refresher (every"
            + " one Ready with status.analysis, the figures checked against the stub), the refresher is stopped and"
            + " each refresh is driven by hand: the operator's clock (system time plus an offset) is stepped by the"
            + " refresh interval, LiveAnalysis.refreshDue() is called, and the stub's queries and the operator's"
            + " requests are counted until it is quiet. The peer is not run for p7: it has no analysis.",
        "The mock web server keeps every request it received, with its body, for takeRequest(); the"
            + " benchmark empties that queue every second and before each heap measurement, so it is counted"
            + " neither as the mock's storage nor as the operator's.",
        "The mock is not an API server: no managedFields, no admission, no garbage collection, one process"
            + " and one lock for everything. Absolute times are this mock's, not a cluster's; the ratios and counts"
            + " are what the keys are about.");
  }

  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(dir.resolve("latest.json"), json.writeValueAsString(root) + "\n");
    Files.writeString(dir.resolve("latest.md"), markdown());
  }

  @SuppressWarnings("unchecked")
  String markdown() {
    StringBuilder sb = new StringBuilder();
    Map<String, Object> machine = (Map<String, Object>) root.get("machine");
    sb.append("# mlserving-operator benchmark (").append(root.get("mode")).append(" mode)\n\n");
    sb.append(root.get("date")).append(" · ").append(machine.get("cores")).append(" cores · ")
        .append(machine.get("jvm")).append(" · max heap ").append(machine.get("max_heap_mib")).append(" MiB · ")
        .append(root.get("duration_s")).append(" s\n\n");
    if (root.get("mock_measured") instanceof Map<?, ?> kept) {
      sb.append("Mock-mode figures kept from the run of ").append(kept.get("date")).append(" (")
          .append(kept.get("mode")).append(" mode); this run measured the real server only.\n\n");
    }
    sb.append("| key | value | target | aim | result |\n|---|---|---|---|---|\n");
    Map<String, Object> results = (Map<String, Object>) root.get("results");
    results.forEach((name, v) -> {
      Map<String, Object> k = (Map<String, Object>) v;
      sb.append("| ").append(name).append(" | ").append(k.get("value"));
      if (k.get("unit") != null && !"x".equals(k.get("unit")) && !"ratio".equals(k.get("unit"))) {
        sb.append(' ').append(k.get("unit"));
      }
      sb.append(" | ").append(k.getOrDefault("target", "")).append(" | ").append(k.getOrDefault("aim", ""))
          .append(" | ").append(Boolean.TRUE.equals(k.get("pass")) ? "pass" : "**MISS**").append(" |\n");
    });
    Map<String, Object> scaleMap = (Map<String, Object>) root.get("scale");
    if (scaleMap != null && scaleMap.get("scaled_down") != null) {
      sb.append("\n").append(scaleMap.get("scaled_down")).append("\n");
    }
    if (!keptKeys.isEmpty()) {
      Map<String, List<String>> byRun = new LinkedHashMap<>();
      keptKeys.forEach((name, from) -> byRun.computeIfAbsent(from, f -> new java.util.ArrayList<>()).add(name));
      byRun.forEach((from, names) -> sb.append("\nNot measured in this run, kept from the run of ").append(from)
          .append(": ").append(String.join(", ", names)).append(".\n"));
    }
    if (!realKeys.isEmpty()) {
      realMarkdown(sb);
    }
    if (root.get("errors") != null) {
      sb.append("\nErrors: ").append(root.get("errors")).append("\n");
    }
    sb.append("\nDetails, method and notes: latest.json.\n");
    return sb.toString();
  }

  private void realMarkdown(StringBuilder sb) {
    sb.append("\n## Real server (kube-apiserver v1.20.2, side by side with the plain JOSDK peer)\n\n");
    if (realSetup.get("summary") != null) {
      sb.append(realSetup.get("summary")).append("\n\n");
    }
    sb.append("| key | ours | peer | ours / peer | mock (same measure) | target | result |\n")
        .append("|---|---|---|---|---|---|---|\n");
    realKeys.forEach((name, k) -> {
      String unit = "s".equals(k.get("unit")) ? " s" : "";
      sb.append("| ").append(name).append(" | ").append(k.get("value")).append(unit).append(" | ")
          .append(k.get("peer")).append(unit).append(" | ")
          .append(k.get("ratio_to_peer") == null ? "" : k.get("ratio_to_peer")).append(" | ")
          .append(k.get("mock") == null ? "" : k.get("mock")).append(" | ").append(k.get("target")).append(" | ")
          .append("(report)".equals(k.get("target")) ? "reported"
              : Boolean.TRUE.equals(k.get("pass")) ? "pass" : "**MISS**").append(" |\n");
    });
  }
}
