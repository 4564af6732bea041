package io.mlserving.bench.real;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.bench.ReadyTracker;
import io.mlserving.bench.Workload;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.real.AuditLog;
import io.mlserving.operator.real.AuditLog.Entry;
import io.mlserving.operator.real.AuditLog.Mark;
import io.mlserving.operator.real.ChartServiceAccount;
import io.mlserving.operator.real.KubeletStandIn;
import io.mlserving.operator.real.OperatorProcess;
import io.mlserving.operator.real.RealControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One operator's run on one fresh real control plane: a burst of new InferenceServices to all Ready, one
 * image change on all of them to all Ready, a quiet window and a restart, each timed and its requests counted
 * from the audit log under the operator's user.
 */
public final class RealRun {
  /** Which operator: its name in the results, its jar, the CRDs it needs and its extra JVM arguments. */
  public record Subject(String name, Path jar, List<Path> crds, List<String> jvmArgs, Map<String, String> env) {}

  /** The sizes and windows of a run. */
  public record Plan(int isvcs, int namespaces, int loadThreads, Duration quietWindow, Duration restartWindow,
      Duration settle, boolean model) {}

  static final String NEW_IMAGE = "ghcr.io/acme/onnx-server:1.5";
  /** The predictor image of the burst's InferenceServices (the workload's fixture). */
  static final String FIRST_IMAGE = "ghcr.io/acme/onnx-server:1.4";
  /** kube-controller-manager's client limits: high enough that the controllers are not the bottleneck. */
  static final int KUBE_API_QPS = 500;
  static final int KUBE_API_BURST = 1000;

  private final Plan plan;
  private final Workload workload;
  private final Path logDir;

  public RealRun(Plan plan, Path logDir) {
    this.plan = plan;
    this.workload = new Workload(plan.namespaces());
    this.logDir = logDir;
  }

  /**
   * Runs {@code subject} on a fresh control plane (our CRDs and Istio's for ours, the peer's own CRD for the
   * peer), stopped at the end; the figures and their details.
   */
  public Map<String, Object> run(Subject subject, int round) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("round", round);
    r.put("load_average_before", ProcessCpu.loadAverage());
    boolean ours = subject.crds().isEmpty();
    try (RealControlPlane cp = RealControlPlane.start(RealControlPlane.Options.defaults()
        .withKubeApi(KUBE_API_QPS, KUBE_API_BURST).withCrdsBeforeControllers(ours));
        KubernetesClient load = RealControlPlane.clientFor(cp.adminKubeconfig());
        KubernetesClient observer = RealControlPlane.clientFor(cp.adminKubeconfig())) {
      r.put("control_plane_start_s", round(cp.startupTime().toMillis() / 1000.0, 1));
      installOwnCrds(load, subject.crds());
      for (int n = 0; n < plan.namespaces(); n++) {
        load.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(workload.namespace(n))
            .endMetadata().build()).create();
      }
      ChartServiceAccount account = ChartServiceAccount.of(cp);
      AuditLog audit = cp.auditLog();
      String user = account.user();
      r.put("operator_user", user);
      try (KubeletStandIn kubelet = new KubeletStandIn(cp.adminClient());
          ReadyTracker tracker = ReadyTracker.inferenceServicesOnly(observer);
          RolloutTracker rollouts = new RolloutTracker(observer)) {
        OperatorProcess op = OperatorProcess.start(account, subject.jar(), jvmArgs(subject, "first"),
            subject.env(), List.of());
        try {
          r.put("operator_started_s", round(awaitStarted(audit, user, op, Duration.ofSeconds(90)), 2));
          List<InferenceService> isvcs = new ArrayList<>();
          for (int i = 0; i < plan.isvcs(); i++) {
            isvcs.add(workload.isvc("b", i, plan.model()));
          }
          List<String> keys = isvcs.stream().map(Workload::key).toList();

          // The burst: all created by the load as fast as it can, to all Ready.
          r.put("burst", phase(audit, user, op, tracker, rollouts, isvcs, FIRST_IMAGE, 1,
              () -> Workload.createAll(load, isvcs, plan.loadThreads(), null)));

          // One image change on every one of them.
          r.put("change", phase(audit, user, op, tracker, rollouts, isvcs, NEW_IMAGE, 2,
              () -> changeImages(load, isvcs)));

          // A quiet window: everything converged, nothing changes; the operator must send no write. The
          // window is the measurement itself (a fixed time to watch), not a wait for a condition.
          Mark quietMark = audit.mark();
          Thread.sleep(plan.quietWindow().toMillis());
          r.put("quiet", window(audit.entries(quietMark), user, plan.quietWindow()));
          r.put("operator_cpu_s_first_process", round(ProcessCpu.seconds(op.pid()), 2));
        } finally {
          op.stop();
        }

        // A restart over the converged resources: a new process, empty caches, every resource reconciled.
        Mark restartMark = audit.mark();
        OperatorProcess second = OperatorProcess.start(account, subject.jar(), jvmArgs(subject, "restart"),
            subject.env(), List.of());
        try {
          double startedAfter = awaitStarted(audit, user, second, Duration.ofSeconds(90));
          // As the quiet window: watch the restarted operator for a fixed time once its caches are filled.
          Thread.sleep(plan.restartWindow().toMillis());
          Map<String, Object> restart = window(audit.entries(restartMark), user, plan.restartWindow());
          restart.put("started_in_s", round(startedAfter, 2));
          restart.put("window_is", "from the new process's start until " + plan.restartWindow().toSeconds()
              + " s after it had listed what it informs on");
          r.put("restart", restart);
        } finally {
          second.stop();
        }
        r.put("kubelet_stand_in_patches", kubelet.patches());
      }
    }
    r.put("load_average_after", ProcessCpu.loadAverage());
    return r;
  }

  /** Installs the peer's own CRD files (ours come with the control plane: {@code crds} is then empty). */
  private static void installOwnCrds(KubernetesClient admin, List<Path> crds) throws Exception {
    for (Path f : crds) {
      JsonNode doc = Serialization.yamlMapper().readTree(Files.readString(f));
      CustomResourceDefinition crd = Serialization.jsonMapper().convertValue(doc, CustomResourceDefinition.class);
      admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
          .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
              && c.getStatus().getConditions().stream()
                  .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
              30, TimeUnit.SECONDS);
    }
  }

  /** The subject's JVM arguments with {@code {start}} (in a JFR file name) replaced by which start it is. */
  private static List<String> jvmArgs(Subject subject, String start) {
    return subject.jvmArgs().stream().map(a -> a.replace("{start}", start)).toList();
  }

  interface Action {
    void run() throws Exception;
  }

  /** Runs {@code action}, waits for every key Ready at {@code generation}, then for the operator to be quiet. */
  private Map<String, Object> phase(AuditLog audit, String user, OperatorProcess op, ReadyTracker tracker,
      RolloutTracker rollouts, List<InferenceService> isvcs, String image, long generation, Action action)
      throws Exception {
    List<String> keys = isvcs.stream().map(Workload::key).toList();
    Map<String, Object> p = new LinkedHashMap<>();
    Mark mark = audit.mark();
    Map<String, Double> cpu0 = ProcessCpu.snapshot(op.pid());
    long t0 = System.nanoTime();
    action.run();
    long sent = System.nanoTime();
    long end = awaitReady(tracker, keys, generation, op, Duration.ofSeconds(120 + keys.size() / 5), p);
    Map<String, Double> cpuReady = ProcessCpu.snapshot(op.pid());
    List<Entry> mine = awaitQuiet(audit, user, mark, plan.settle(), Duration.ofSeconds(120));
    Map<String, Double> cpuQuiet = ProcessCpu.snapshot(op.pid());
    List<Double> readyAt = new ArrayList<>();
    for (String k : keys) {
      ReadyTracker.Ready ready = tracker.readyAt(k, generation);
      if (ready != null) {
        readyAt.add((ready.nanos() - t0) / 1e9);
      }
    }
    readyAt.sort(Comparator.naturalOrder());
    p.put("all_ready_s", round((end - t0) / 1e9, 3));
    rollouts(rollouts, tracker, isvcs, image, generation, t0, end, p);
    p.put("load_sent_s", round((sent - t0) / 1e9, 3));
    p.put("ready", readyAt.size() + " of " + keys.size());
    if (!readyAt.isEmpty()) {
      p.put("ready_p50_s", round(readyAt.get(readyAt.size() / 2), 3));
      p.put("ready_p90_s", round(readyAt.get((int) Math.ceil(0.9 * readyAt.size()) - 1), 3));
    }
    long writes = mine.stream().filter(Entry::isWrite).count();
    p.put("operator_writes", writes);
    p.put("operator_writes_per_resource", round(writes / (double) keys.size(), 3));
    p.put("operator_writes_by_request", count(mine, Entry::isWrite));
    p.put("operator_reads_by_request", count(mine, e -> !e.isWrite()));
    p.put("operator_conflicts_409", mine.stream().filter(e -> e.code() == 409).count());
    p.put("operator_errors_by_code", AuditLog.countBy(mine.stream().filter(e -> e.code() >= 400).toList(),
        e -> e.code() + " " + e.verb() + " " + e.fullResource()));
    p.put("server_latency_ms_by_write", latencies(mine));
    p.put("cpu_s_to_all_ready", ProcessCpu.minus(cpuReady, cpu0));
    p.put("cpu_s_to_quiet", ProcessCpu.minus(cpuQuiet, cpu0));
    return p;
  }

  /**
   * The controllers' share of a phase: when the last Deployment's rollout of {@code image} was complete (waiting
   * for it, up to a minute, if the operator called everything Ready sooner), how long the last Ready came after
   * that, and how many resources were called Ready before their own rollout was complete.
   */
  private static void rollouts(RolloutTracker rollouts, ReadyTracker tracker, List<InferenceService> isvcs,
      String image, long generation, long t0, long allReady, Map<String, Object> into) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long last = 0;
    int early = 0;
    int missing = 0;
    for (InferenceService i : isvcs) {
      String ns = i.getMetadata().getNamespace();
      String name = i.getMetadata().getName();
      Long done = rollouts.completeAt(ns, name, image);
      while (done == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
        done = rollouts.completeAt(ns, name, image);
      }
      if (done == null) {
        missing++;
        continue;
      }
      last = Math.max(last, done);
      ReadyTracker.Ready ready = tracker.readyAt(Workload.key(i), generation);
      if (ready != null && ready.nanos() < done) {
        early++;
      }
    }
    if (missing > 0) {
      into.put("rollouts_not_complete", missing);
      return;
    }
    into.put("all_rollouts_complete_s", round((last - t0) / 1e9, 3));
    into.put("last_ready_after_last_rollout_s", round((allReady - last) / 1e9, 3));
    into.put("ready_before_own_rollout_complete", early);
  }

  /**
   * Waits until every key is Ready at {@code generation}; returns when the last one was. On a time-out notes
   * who is not in {@code into} and returns now; fails at once if the operator process exits meanwhile.
   */
  private static long awaitReady(ReadyTracker tracker, List<String> keys, long generation, OperatorProcess op,
      Duration timeout, Map<String, Object> into) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return tracker.awaitAll(keys, generation, Duration.ofSeconds(1));
      } catch (IllegalStateException notYet) {
        if (!op.isAlive()) {
          throw new IllegalStateException("the operator process exited during the phase; its log " + op.log()
              + " ends:\n" + op.logTail(30));
        }
        if (System.nanoTime() > deadline) {
          List<String> missing = keys.stream().filter(k -> tracker.readyAt(k, generation) == null).toList();
          into.put("not_ready", missing.size() + " of " + keys.size() + ", e.g. "
              + missing.subList(0, Math.min(5, missing.size())));
          return System.nanoTime();
        }
      }
    }
  }

  private static Map<String, Object> window(List<Entry> entries, String user, Duration length) {
    List<Entry> mine = entries.stream().filter(e -> user.equals(e.user())).toList();
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("seconds", length.toSeconds());
    w.put("operator_writes", mine.stream().filter(Entry::isWrite).count());
    w.put("operator_writes_by_request", count(mine, Entry::isWrite));
    w.put("operator_point_gets", mine.stream().filter(e -> "get".equals(e.verb())).count());
    w.put("operator_requests_by_request", count(mine, e -> true));
    return w;
  }

  private static Map<String, Long> count(List<Entry> entries, Predicate<Entry> which) {
    return AuditLog.countBy(entries.stream().filter(which).toList(),
        e -> e.verb() + " " + e.fullResource() + " -> " + e.code());
  }

  /** Server time per write kind: count, mean, p50, p99 and max in ms, from the audit timestamps. */
  private static Map<String, Object> latencies(List<Entry> mine) {
    Map<String, List<Double>> by = new TreeMap<>();
    for (Entry e : mine) {
      if (e.isWrite() && !Double.isNaN(e.latencyMs())) {
        by.computeIfAbsent(e.verb() + " " + e.fullResource(), k -> new ArrayList<>()).add(e.latencyMs());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    by.forEach((k, v) -> {
      v.sort(Comparator.naturalOrder());
      double sum = v.stream().mapToDouble(Double::doubleValue).sum();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("count", v.size());
      s.put("mean", round(sum / v.size(), 1));
      s.put("p50", round(v.get(v.size() / 2), 1));
      s.put("p99", round(v.get(Math.max(0, (int) Math.ceil(0.99 * v.size()) - 1)), 1));
      s.put("max", round(v.get(v.size() - 1), 1));
      s.put("total", round(sum, 0));
      out.put(k, s);
    });
    return out;
  }

  /**
   * Waits until the operator process has listed InferenceServices, Deployments and Services and then sent no
   * new list for a second (its informers have filled their caches); returns the seconds it took. Fails early
   * if the process exits. Lists, not watches: the audit log records a watch only when it ends.
   */
  private static double awaitStarted(AuditLog audit, String user, OperatorProcess op, Duration timeout)
      throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    Mark next = audit.mark();
    Set<String> needed = Set.of("inferenceservices", "deployments", "services");
    Set<String> listed = new java.util.HashSet<>();
    long lastNew = System.nanoTime();
    while (System.nanoTime() < deadline) {
      if (!op.isAlive()) {
        throw new IllegalStateException("the operator process exited before it started; its log " + op.log()
            + " ends:\n" + op.logTail(30));
      }
      AuditLog.Read read = audit.read(next);
      next = read.next();
      for (Entry e : read.entries()) {
        if (user.equals(e.user()) && "list".equals(e.verb()) && listed.add(e.fullResource())) {
          lastNew = System.nanoTime();
        }
      }
      if (listed.containsAll(needed) && System.nanoTime() - lastNew > 1_000_000_000L) {
        return (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the operator (" + user + ") did not list " + needed + " within "
        + timeout.toSeconds() + " s; its log " + op.log() + " ends:\n" + op.logTail(30));
  }

  /**
   * Waits until {@code user} has sent no write for {@code quiet} (after {@code mark}); returns every request
   * of that user since the mark.
   */
  private static List<Entry> awaitQuiet(AuditLog audit, String user, Mark mark, Duration quiet, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    List<Entry> mine = new ArrayList<>();
    Mark next = mark;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      AuditLog.Read read = audit.read(next);
      next = read.next();
      for (Entry e : read.entries()) {
        if (user.equals(e.user())) {
          mine.add(e);
          if (e.isWrite()) {
            since = System.nanoTime();
          }
        }
      }
      if (System.nanoTime() - since >= quiet.toNanos()) {
        return mine;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(user + " kept writing for " + max.toSeconds() + " s");
  }

  private void changeImages(KubernetesClient admin, List<InferenceService> isvcs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(plan.loadThreads());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (InferenceService i : isvcs) {
        futures.add(pool.submit(() -> admin.resources(InferenceService.class)
            .inNamespace(i.getMetadata().getNamespace()).withName(i.getMetadata().getName())
            .edit(x -> {
              x.getSpec().getPredictor().setImage(NEW_IMAGE);
              return x;
            })));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
