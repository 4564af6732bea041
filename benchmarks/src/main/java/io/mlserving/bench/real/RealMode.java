package io.mlserving.bench.real;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real-server mode ({@code --real}): our operator (the real jar) and the plain JOSDK peer, each on a fresh
 * kube-apiserver v1.20 control plane, in alternating order within one run, with the same workload; their
 * figures side by side as the real_* keys.
 */
public final class RealMode {
  /**
   * What the mode is told: the two jars, the peer's CRDs (ours come from crds/ with the control plane), how
   * many rounds, whether to record JFR, which operators run, and the JVM options each starts with.
   */
  public record Options(Path operatorJar, Path peerJar, List<Path> peerCrds, int rounds,
      int isvcs, boolean jfr, Path workDir, List<String> subjects, Map<String, String> oursEnv,
      boolean model, List<String> oursJvm, List<String> peerJvm) {}

  public static final String OURS = "ours";
  public static final String PEER = "peer";

  private final Options options;

  public RealMode(Options options) {
    this.options = options;
  }

  /** Runs every round (peer then ours in odd rounds, ours then peer in even ones); every run's figures. */
  public Map<String, List<Map<String, Object>>> run() throws Exception {
    for (Path p : List.of(options.operatorJar(), options.peerJar())) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("no jar at " + p + " (see benchmarks/README.md, real-server mode)");
      }
    }
    RealRun.Plan plan = new RealRun.Plan(options.isvcs(), 10, 8, Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(3), options.model());
    RealRun runner = new RealRun(plan, options.workDir().resolve("logs"));
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    runs.put(OURS, new ArrayList<>());
    runs.put(PEER, new ArrayList<>());
    for (int round = 1; round <= options.rounds(); round++) {
      List<String> order = round % 2 == 1 ? List.of(PEER, OURS) : List.of(OURS, PEER);
      for (String who : order) {
        if (!options.subjects().contains(who)) {
          continue;
        }
        RealRun.Subject subject = subject(who, round);
        System.err.printf("[bench] real: round %d, %s ...%n", round, who);
        long t0 = System.nanoTime();
        Map<String, Object> r = runner.run(subject, round);
        runs.get(who).add(r);
        System.err.printf("[bench] real: round %d, %s: burst %s s (%s writes/resource), change %s s, in %.0f s%n",
            round, who, get(r, "burst", "all_ready_s"), get(r, "burst", "operator_writes_per_resource"),
            get(r, "change", "all_ready_s"), (System.nanoTime() - t0) / 1e9);
      }
    }
    return runs;
  }

  private RealRun.Subject subject(String who, int round) throws Exception {
    List<String> jvm = new ArrayList<>(OURS.equals(who) ? options.oursJvm() : options.peerJvm());
    if (options.jfr()) {
      Path dir = options.workDir().resolve("jfr");
      Files.createDirectories(dir);
      // Deep stacks: the default 64 frames cut Jackson's recursion off above the operator's own frames.
      jvm.add("-XX:FlightRecorderOptions=stackdepth=512");
      jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve(who + "-round" + round + "-{start}.jfr")
          + ",settings=profile,dumponexit=true");
    }
    return OURS.equals(who)
        ? new RealRun.Subject(OURS, options.operatorJar(), List.of(), jvm, options.oursEnv())
        : new RealRun.Subject(PEER, options.peerJar(), options.peerCrds(), jvm, Map.of());
  }

  @SuppressWarnings("unchecked")
  static Object get(Map<String, Object> run, String phase, String key) {
    Object p = run.get(phase);
    return p instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
  }
}
