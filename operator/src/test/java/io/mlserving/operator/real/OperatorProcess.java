package io.mlserving.operator.real;

import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.reconcile.isvc.InferenceServiceReconciler;
import io.mlserving.operator.reconcile.traffic.ABTestReconciler;
import io.mlserving.operator.reconcile.traffic.CanaryReconciler;
import io.mlserving.operator.reconcile.traffic.CircuitBreakerReconciler;
import io.mlserving.operator.reconcile.traffic.ShadowTestReconciler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator as users run it: {@code java -jar operator/target/mlserving-operator.jar run [args]} in a
 * process of its own, with a kubeconfig holding the chart's ServiceAccount token, logging to a file.
 */
public final class OperatorProcess implements AutoCloseable {
  /** The controllers whose "'name' controller started" lines mean the operator is reconciling. */
  public static final List<String> CONTROLLERS = List.of(InferenceServiceReconciler.NAME, ABTestReconciler.NAME,
      ShadowTestReconciler.NAME, CircuitBreakerReconciler.NAME, CanaryReconciler.NAME);
  public static final Duration START_DEADLINE = Duration.ofSeconds(60);
  public static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final ManagedProcess process;
  private final ChartServiceAccount account;
  private final String identity;

  private OperatorProcess(ManagedProcess process, ChartServiceAccount account, String identity) {
    this.process = process;
    this.account = account;
    this.identity = identity;
  }

  /** The shaded jar {@code mvn package} builds. */
  public static Path jar() {
    Path jar = CrdFiles.projectRoot().resolve("operator/target/mlserving-operator.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the real-server tests run after `package` (mvn -B verify,"
          + " or mvn -B -pl operator package -DskipTests first)");
    }
    return jar;
  }

  /**
   * {@code run --http-port -1 args...} as the chart's ServiceAccount (default values) on {@code cp}. The
   * endpoints are off unless {@code args} name a port: the operator binds them on every interface, and the
   * tests bind to loopback only.
   */
  public static OperatorProcess start(RealControlPlane cp, String... args) {
    return start(ChartServiceAccount.of(cp), Map.of(), List.of(args));
  }

  /** {@code run args...} as {@code account}, with {@code env} added to the environment. */
  public static OperatorProcess start(ChartServiceAccount account, Map<String, String> env, List<String> args) {
    // Two cores shared by a control plane and the tests: start fast, stay small.
    return start(account, jar(), List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m"), env, args);
  }

  /**
   * {@code java jvmArgs -jar jar run args...} as {@code account}: the benchmark runs our jar with the JVM's
   * defaults (as users run it, not the tests' fast-start flags) and the plain JOSDK peer's jar the same way.
   */
  public static OperatorProcess start(ChartServiceAccount account, Path jar, List<String> jvmArgs,
      Map<String, String> env, List<String> args) {
    int n = COUNT.incrementAndGet();
    String identity = "it-operator-" + n;
    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString(), "run"));
    if (args.stream().noneMatch(a -> a.startsWith("--http-port"))) {
      command.add("--http-port=-1");
    }
    command.addAll(args);
    Map<String, String> environment = new HashMap<>();
    // Only the kubeconfig decides which cluster and identity: no inherited master URL or in-cluster settings.
    for (String inherited : List.of("KUBERNETES_MASTER", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
        "KUBERNETES_AUTH_TOKEN", "KUBERNETES_NAMESPACE", "JAVA_TOOL_OPTIONS")) {
      environment.put(inherited, null);
    }
    environment.put("KUBECONFIG", account.kubeconfig().toString());
    environment.put("HOSTNAME", identity);
    environment.put("MLSERVING_LOG_FORMAT", "text");
    environment.putAll(env);
    Path log = account.kubeconfig().getParent().resolve(identity + ".log");
    OperatorProcess started = new OperatorProcess(ManagedProcess.start(identity, command, environment, log), account,
        identity);
    Runtime.getRuntime().addShutdownHook(new Thread(started::kill, identity + "-kill"));
    return started;
  }

  /** Waits until every controller has started (its informers synced), failing with the log's end. */
  public OperatorProcess awaitStarted() {
    RealControlPlane.poll(identity + ": every controller started", START_DEADLINE, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(identity + " exited with " + process.exitValue() + "; its log " + log()
            + " ends:\n" + process.tail(40));
      }
      String text = logText();
      return CONTROLLERS.stream().allMatch(c -> text.contains("'" + c + "' controller started"));
    }, () -> process.tail(40));
    return this;
  }

  /** Waits until the log contains {@code text} (or the process ends, which fails). */
  public OperatorProcess awaitLog(String text, Duration deadline) {
    RealControlPlane.poll(identity + " log line '" + text + "'", deadline, () -> {
      if (logText().contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(identity + " exited with " + process.exitValue() + " before logging '"
            + text + "'; its log ends:\n" + process.tail(40));
      }
      return false;
    }, () -> process.tail(40));
    return this;
  }

  /** SIGTERM, then a wait of at most {@link #STOP_DEADLINE}; returns the exit code (-1: had to be killed). */
  public int stop() {
    return process.stop(STOP_DEADLINE);
  }

  /** SIGKILL. */
  public void kill() {
    process.kill();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** This replica's identity (HOSTNAME): its name in Events and in the Lease. */
  public String identity() {
    return identity;
  }

  /** The ServiceAccount it runs as. */
  public ChartServiceAccount account() {
    return account;
  }

  /** Its user name in the audit log. */
  public String user() {
    return account.user();
  }

  /** The log file (stdout and stderr). */
  public Path log() {
    return process.log();
  }

  /** The whole log so far. */
  public String logText() {
    return Files.exists(log()) ? RealControlPlane.readString(log()) : "";
  }

  /** The last lines of the log, for assertion messages. */
  public String logTail(int lines) {
    return process.tail(lines);
  }

  /** Stops it if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }

  @Override
  public String toString() {
    return "operator " + process;
  }
}
