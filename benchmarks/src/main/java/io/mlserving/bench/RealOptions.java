package io.mlserving.bench;

import io.mlserving.bench.real.PeerBuild;
import io.mlserving.bench.real.ProcessCpu;
import io.mlserving.bench.real.RealMode;
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

  void run(Report report, Path out) throws Exception {
    Path work = Path.of("benchmarks", "target", "real");
    Files.createDirectories(work);
    String loadBefore = ProcessCpu.loadAverage();
    Path peerJar = PeerBuild.jar(peerDir, work.resolve("peer"));
    List<Path> peerCrds;
    try (Stream<Path> s = Files.list(work.resolve("peer").resolve("crds"))) {
      peerCrds = s.sorted().toList();
    }
    RealMode.Options options = new RealMode.Options(operatorJar.toAbsolutePath(),
        peerJar.toAbsolutePath(), peerCrds, rounds, isvcs, jfr, work.toAbsolutePath(), subjects, oursEnv,
        model);
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
    setup.put("ours", "java -jar " + operatorJar + " run, under the chart's ServiceAccount bound to the chart's"
        + " ClusterRole");
    setup.put("peer", "plain JOSDK 5.2.3 operator (Deployment, Service, Ready) built from " + peerDir
        + ", its own CRD, under the same ServiceAccount and ClusterRole");
    setup.put("load_average_before", loadBefore);
    setup.put("load_average_after", ProcessCpu.loadAverage());
    setup.put("rounds", rounds);
    setup.put("ours_env", oursEnv);
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
