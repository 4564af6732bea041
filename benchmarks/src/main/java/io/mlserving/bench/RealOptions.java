package io.mlserving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserving.bench.real.PeerBuild;
import io.mlserving.bench.real.ProcessCpu;
import io.mlserving.bench.real.RealMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The command line of the real-server mode, and running it into the report. */
final class RealOptions {
  int rounds = 2;
  int isvcs = 200;
  Path peerDir = Path.of("..", "shared", "peers", "plain-josdk-operator");
  Path operatorJar = Path.of("operator", "target", "mlserving-operator.jar");
  boolean jfr;
  /** Which operators run (both for the keys; one alone for profiling). */
  List<String> subjects = List.of(RealMode.OURS, RealMode.PEER);
  /** Environment added to our operator's process (settings to try, for example MLSERVING_FIRST_STATUS_GRACE). */
  Map<String, String> oursEnv = new LinkedHashMap<>();
  /** Whether the InferenceServices load a model from S3 (model-load) or carry it in the image (model-in-image). */
  boolean model = true;
  /** The chart values whose {@code jvmOptions} our operator starts with, as the chart starts it. */
  Path chartValues = Path.of("charts", "mlserving-operator", "values.yaml");
  /** Our operator's JVM options instead of the chart's (null: the chart's). */
  List<String> oursJvm;
  /** The peer's JVM options (none by default: it is run as it comes). */
  List<String> peerJvm = List.of();

  /** The whitespace-separated {@code jvmOptions} of the chart's values file: the JVM options the chart starts with. */
  static List<String> chartJvmOptions(Path values) throws IOException {
    JsonNode options = new ObjectMapper(new YAMLFactory()).readTree(values.toFile()).path("jvmOptions");
    if (!options.isTextual()) {
      throw new IllegalArgumentException(values + ": no jvmOptions string (run from the project root, or pass"
          + " --ours-jvm)");
    }
    return split(options.asText());
  }

  /** JVM options given as one string, split at whitespace. */
  static List<String> split(String options) {
    String trimmed = options.trim();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }

  void run(Report report, Path out) throws Exception {
    Path work = Path.of("benchmarks", "target", "real");
    Files.createDirectories(work);
    String loadBefore = ProcessCpu.loadAverage();
    Path peerJar = PeerBuild.jar(peerDir, work.resolve("peer"));
    List<Path> peerCrds;
    try (Stream<Path> s = Files.list(work.resolve("peer").resolve("crds"))) {
      peerCrds = s.sorted().toList();
    }
    List<String> ours = oursJvm != null ? oursJvm : chartJvmOptions(chartValues);
    RealMode.Options options = new RealMode.Options(operatorJar.toAbsolutePath(),
        peerJar.toAbsolutePath(), peerCrds, rounds, isvcs, jfr, work.toAbsolutePath(), subjects, oursEnv,
        model, ours, peerJvm);
    long t0 = System.nanoTime();
    Map<String, List<Map<String, Object>>> runs = new RealMode(options).run();
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("summary", String.format("%d InferenceServices created in a burst over 10 namespaces (8 client"
        + " threads), kubelet stand-in marking pods Ready, then one image change on all; %d round(s), the peer"
        + " and ours alternating, each on a fresh control plane (kube-controller-manager --kube-api-qps=500"
        + " --kube-api-burst=1000); load average %s before, %s after; %.0f s.", isvcs, rounds, loadBefore,
        ProcessCpu.loadAverage(), (System.nanoTime() - t0) / 1e9));
    setup.put("server", "kube-apiserver and kube-controller-manager v1.20.2 (built from Debian's source package),"
        + " etcd 3.4 (Debian), on 127.0.0.1, audit log at level Metadata; no kubelet, no scheduler: a stand-in"
        + " in the benchmark marks pods Ready as they appear");
    setup.put("ours", "java " + String.join(" ", ours) + " -jar " + operatorJar + " run ("
        + (oursJvm != null ? "JVM options from --ours-jvm" : "the JVM options of " + chartValues + "'s jvmOptions")
        + "), under the chart's ServiceAccount bound to the chart's ClusterRole");
    setup.put("peer", "plain JOSDK 5.2.3 operator (Deployment, Service, Ready) built from " + peerDir
        + ", its own CRD, under the same ServiceAccount and ClusterRole"
        + (peerJvm.isEmpty() ? ", default JVM options" : ", JVM options " + String.join(" ", peerJvm)));
    setup.put("load_average_before", loadBefore);
    setup.put("load_average_after", ProcessCpu.loadAverage());
    setup.put("rounds", rounds);
    setup.put("ours_env", oursEnv);
    setup.put("ours_jvm_options", ours);
    setup.put("peer_jvm_options", peerJvm);
    setup.put("isvcs", isvcs);
    setup.put("measured", "times: first request sent until the benchmark's informer saw the last resource Ready"
        + " (Ready=True, status.observedGeneration = metadata.generation); requests: the kube-apiserver audit"
        + " log, by the operator's user; server latency: stageTimestamp - requestReceivedTimestamp of"
        + " ResponseComplete; CPU: /proc utime+stime of each process");
    setup.put("runs", runs);
    report.realSetup(setup);
    RealKeys.add(report, runs, report.resultsJson());
  }
}
