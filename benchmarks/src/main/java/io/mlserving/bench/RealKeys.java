package io.mlserving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserving.bench.real.RealMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The real_* keys: our operator's figure and the peer's from the same run, their ratio, the mock-mode figure
 * that measures the same thing (from the mock results in the same latest.json), and the target.
 */
final class RealKeys {
  private RealKeys() {}

  /** Adds the real_* keys for {@code runs} to {@code report}; {@code mock} is the mock results (may be null). */
  static void add(Report report, Map<String, List<Map<String, Object>>> runs, JsonNode mock) {
    List<Map<String, Object>> ours = runs.get(RealMode.OURS);
    List<Map<String, Object>> peer = runs.get(RealMode.PEER);
    time(report, "real_burst_ready_s", "burst", ours, peer, mockFigure(mock, "p4_drain_vs_floor",
        "operator_s", "p4: a burst of 400 (quick) on the mock, best of two, s"));
    writes(report, "real_burst_writes_per_resource", "burst", ours, peer, "≤ 3.0", 3.0, mockFigure(mock,
        "p2_write_amplification", "InferenceService.writes_per_create", "p2: writes per new InferenceService"));
    time(report, "real_change_ready_s", "change", ours, peer, mockFigure(mock, "p3_reconciles_per_change",
        "InferenceService_spec_change.seconds", "p3: image change of 30 (quick), s"));
    writes(report, "real_change_writes_per_resource", "change", ours, peer, "(report)", Double.NaN,
        mockFigure(mock, "p3_reconciles_per_change", "InferenceService_spec_change.operator_writes_per_resource",
            "p3: writes per image change (the mock's stub rewrites Deployment status)"));
    rollouts(report, "real_burst_rollouts_complete_s", "burst", ours, peer);
    rollouts(report, "real_change_rollouts_complete_s", "change", ours, peer);
    early(report, "real_change_ready_before_rollout_complete", "change", ours, peer);
    cpu(report, "real_burst_operator_cpu_s", "burst", ours, peer);
    cpu(report, "real_change_operator_cpu_s", "change", ours, peer);
    zero(report, "real_quiet_writes", "quiet", ours, peer, null);
    zero(report, "real_restart_writes", "restart", ours, peer, mockFigure(mock, "p1_writes_per_noop_resync", null,
        "p1: writes of a restarted operator over converged resources"));
  }

  private static void time(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer, Map<String, Object> mock) {
    Function<Map<String, Object>, Object> f = r -> figure(r, phase, "all_ready_s");
    double o = best(ours, f);
    double p = best(peer, f);
    double ratio = o / p;
    Map<String, Object> d = detail(phase, ours, peer, f, mock);
    d.put("value_is", "seconds from the first create (or image change) sent to the observer seeing the last of"
        + " them Ready for that generation; the best of the rounds for each operator");
    d.put("ratio_to_peer", Benchmark.round(ratio, 3));
    report.realKey(name, Benchmark.round(o, 2), Benchmark.round(p, 2), Benchmark.round(ratio, 3), "s",
        "ratio ≤ 1.0", ratio <= 1.0 && allReady(ours, phase), mock, d);
  }

  private static void writes(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer, String target, double max, Map<String, Object> mock) {
    Function<Map<String, Object>, Object> f = r -> figure(r, phase, "operator_writes_per_resource");
    double o = worst(ours, f);
    double p = worst(peer, f);
    Map<String, Object> d = detail(phase, ours, peer, f, mock);
    d.put("value_is", "the operator's writes (create, update, patch, delete; from the audit log, by its user)"
        + " from the first create until it had been quiet for 3 s, divided by the resources; the largest over"
        + " the rounds");
    boolean pass = Double.isNaN(max) || o <= max;
    report.realKey(name, Benchmark.round(o, 3), Benchmark.round(p, 3), Benchmark.round(o / p, 3), "writes",
        target, pass && allReady(ours, phase), mock, d);
  }

  /**
   * When the last Deployment's rollout was complete (kubectl rollout status's judgement, seen by the benchmark's
   * own informer): the controllers' part of the phase, whatever the operator says. Reported.
   */
  private static void rollouts(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer) {
    Function<Map<String, Object>, Object> f = r -> figure(r, phase, "all_rollouts_complete_s");
    double o = best(ours, f);
    double p = best(peer, f);
    Map<String, Object> d = detail(phase, ours, peer, f, null);
    d.put("value_is", "seconds from the first create (or image change) sent to the benchmark's informer seeing the"
        + " last Deployment rolled out with the phase's image (observed generation, every replica updated and"
        + " available, no old one left); the best of the rounds. Each round's last_ready_after_last_rollout_s is"
        + " in the phase detail");
    report.realKey(name, Benchmark.round(o, 2), Benchmark.round(p, 2), Benchmark.round(o / p, 3), "s",
        "(report)", true, null, d);
  }

  /** How many resources an operator called Ready before their own Deployment's rollout was complete. Reported. */
  private static void early(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer) {
    Function<Map<String, Object>, Object> f = r -> figure(r, phase, "ready_before_own_rollout_complete");
    double o = worst(ours, f);
    double p = worst(peer, f);
    Map<String, Object> d = detail(phase, ours, peer, f, null);
    d.put("value_is", "resources first seen Ready for the phase's generation before the benchmark saw their"
        + " Deployment rolled out (old pods still there); the largest over the rounds. Our contract is Ready once"
        + " the rollout is complete; the peer checks the new pods only");
    report.realKey(name, (long) o, (long) p, null, "resources", "(report)", true, null, d);
  }

  /** CPU seconds of the operator process in a phase (reported: on 2 shared cores it is what costs time). */
  @SuppressWarnings("unchecked")
  private static void cpu(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer) {
    Function<Map<String, Object>, Object> f = r -> {
      Object cpu = figure(r, phase, "cpu_s_to_quiet");
      return cpu instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("operator") : null;
    };
    double o = best(ours, f);
    double p = best(peer, f);
    Map<String, Object> d = detail(phase, ours, peer, f, null);
    d.put("value_is", "CPU seconds (utime + stime) of the operator process from the first request of the phase"
        + " until it was quiet; the smallest over the rounds; every process's share is in the phase detail");
    report.realKey(name, Benchmark.round(o, 2), Benchmark.round(p, 2), Benchmark.round(o / p, 3), "s",
        "(report)", true, null, d);
  }

  private static void zero(Report report, String name, String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer, Map<String, Object> mock) {
    Function<Map<String, Object>, Object> f = r -> figure(r, phase, "operator_writes");
    double o = worst(ours, f);
    double p = worst(peer, f);
    Map<String, Object> d = detail(phase, ours, peer, f, mock);
    report.realKey(name, (long) o, (long) p, null, "writes", "0", o == 0, mock, d);
  }

  private static Map<String, Object> detail(String phase, List<Map<String, Object>> ours,
      List<Map<String, Object>> peer, Function<Map<String, Object>, Object> f, Map<String, Object> mock) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("ours_by_round", ours.stream().map(f).toList());
    d.put("peer_by_round", peer.stream().map(f).toList());
    d.put("ours_" + phase, ours.stream().map(r -> r.get(phase)).toList());
    d.put("peer_" + phase, peer.stream().map(r -> r.get(phase)).toList());
    if (mock != null) {
      d.put("mock", mock);
    }
    return d;
  }

  private static boolean allReady(List<Map<String, Object>> runs, String phase) {
    return !runs.isEmpty() && runs.stream().noneMatch(r -> figure(r, phase, "not_ready") != null);
  }

  @SuppressWarnings("unchecked")
  private static Object figure(Map<String, Object> run, String phase, String key) {
    Object p = run.get(phase);
    return p instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
  }

  private static double best(List<Map<String, Object>> runs, Function<Map<String, Object>, Object> f) {
    return runs.stream().map(f).filter(Number.class::isInstance).mapToDouble(o -> ((Number) o).doubleValue())
        .min().orElse(Double.NaN);
  }

  private static double worst(List<Map<String, Object>> runs, Function<Map<String, Object>, Object> f) {
    return runs.stream().map(f).filter(Number.class::isInstance).mapToDouble(o -> ((Number) o).doubleValue())
        .max().orElse(Double.NaN);
  }

  /** The mock results of an earlier run in {@code dir}/latest.json, or null. */
  static JsonNode previousMock(Path dir) {
    Path f = dir.resolve("latest.json");
    if (!Files.exists(f)) {
      return null;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(f.toFile());
      return root.has("results") ? root : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** One mock figure: {@code key}'s value, or a field of its detail given as a dotted path. */
  private static Map<String, Object> mockFigure(JsonNode mock, String key, String detailPath, String what) {
    if (mock == null || !mock.path("results").has(key)) {
      return null;
    }
    JsonNode k = mock.path("results").path(key);
    JsonNode v = k.path("value");
    if (detailPath != null) {
      v = k.path("detail");
      for (String part : detailPath.split("\\.")) {
        v = v.path(part);
      }
    }
    if (v.isMissingNode()) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("value", v.isNumber() ? v.numberValue() : v.asText());
    m.put("is", what);
    m.put("mock_run", mock.path("mode").asText() + " mode, " + mock.path("date").asText());
    return m;
  }
}
