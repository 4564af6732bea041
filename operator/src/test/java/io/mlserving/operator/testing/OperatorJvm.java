package io.mlserving.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mlserving run} as a separate JVM (the operator's own classes and dependencies, as in the jar) against the
 * API server of a test's client, so that a test can send it real signals and read its exit status and log.
 */
public final class OperatorJvm implements AutoCloseable {
  private static final Pattern STARTING = Pattern.compile("Starting mlserving-operator as (\\S+) against");

  private final Process process;
  private final Path dir;
  private final Path log;
  private final Thread reaper;

  private OperatorJvm(Process process, Path dir, Path log) {
    this.process = process;
    this.dir = dir;
    this.log = log;
    // Last resort, should the test JVM end without close(): never leave an operator behind.
    reaper = new Thread(process::destroyForcibly, "operator-jvm-reaper-" + process.pid());
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code run --http-port=-1} (no endpoints, so it listens on no port) plus {@code args} against
   * {@code server}'s API server, with the environment of this JVM minus {@code HOSTNAME} and {@code POD_NAME} (as
   * outside a pod), plus {@code env}.
   */
  public static OperatorJvm start(KubernetesClient server, Map<String, String> env, String... args) {
    try {
      Path dir = Files.createTempDirectory("operator-jvm");
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, kubeconfig(server.getMasterUrl().toString()));
      Path log = dir.resolve("operator.log");
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-Xshare:auto",
          "-cp", classpath(), "io.mlserving.operator.cli.Main", "run", "--http-port=-1"));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().remove("HOSTNAME");
      pb.environment().remove("POD_NAME");
      pb.environment().remove("KUBERNETES_MASTER");
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().putAll(env);
      return new OperatorJvm(pb.start(), dir, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator JVM", e);
    }
  }

  /** The test classpath (surefire runs tests from a manifest-only jar, and names the real path here). */
  private static String classpath() {
    return Optional.ofNullable(System.getProperty("surefire.test.class.path"))
        .orElse(System.getProperty("java.class.path"));
  }

  private static String kubeconfig(String url) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: test
          user:
            token: test
        contexts:
        - name: mock
          context:
            cluster: mock
            user: test
            namespace: default
        current-context: mock
        """.formatted(url);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process printed so far (stdout and stderr). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Waits until the log contains {@code text}; fails with the log if it does not within {@code deadline}. */
  public void awaitLog(String text, Duration deadline) {
    await().atMost(deadline).pollInterval(Duration.ofMillis(50))
        .alias("log of pid " + pid() + " to contain \"" + text + "\"; log so far:\n" + log())
        .until(() -> log().contains(text) || !isAlive());
    if (!log().contains(text)) {
      throw new AssertionError("pid " + pid() + " exited with " + process.exitValue() + " before logging \""
          + text + "\"; log:\n" + log());
    }
  }

  /** The identity of the startup log line (waits for it). */
  public String identity(Duration deadline) {
    awaitLog("Starting mlserving-operator as ", deadline);
    Matcher m = STARTING.matcher(log());
    if (!m.find()) {
      throw new AssertionError("no identity in the startup line of pid " + pid() + ":\n" + log());
    }
    return m.group(1);
  }

  /** Sends SIGTERM (what the kubelet sends). */
  public void sigterm() {
    process.destroy();
  }

  /**
   * The exit status, once the process ended within {@code deadline}; otherwise an AssertionError with a thread
   * dump of the still-running process and its log (the process is left running for close()).
   */
  public int awaitExit(Duration deadline) throws InterruptedException {
    long start = System.nanoTime();
    if (process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      // For the test report: how long the stop took, as seen from outside.
      System.out.printf("operator pid %d exited with status %d %d ms after the wait began%n", pid(),
          process.exitValue(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      return process.exitValue();
    }
    throw new AssertionError("pid " + pid() + " still alive " + deadline.toMillis() + " ms after the signal;"
        + " thread dump:\n" + threadDump() + "\nlog:\n" + log());
  }

  /** {@code jcmd <pid> Thread.print} of the running process, bounded in time. */
  public String threadDump() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "Thread.print")
          .redirectErrorStream(true).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "(jcmd timed out)";
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(jcmd failed: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** Kills the process (SIGKILL) if it still runs, and deletes its folder. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // The JVM is shutting down already: the hook runs anyway.
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary folder is harmless.
    }
  }
}
