package io.mlserving.operator.prom;

import io.mlserving.operator.analysis.PrometheusClient;
import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.analysis.VectorResult;
import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Prometheus (Debian's {@code prometheus} package, 2.42) on 127.0.0.1 for the tests: a free port,
 * a generated configuration scraping the given targets every second, its TSDB and log in a folder under
 * {@code operator/target/prometheus/}. It can be stopped and started again on the same port and storage
 * (Prometheus going away in the middle of an analysis); {@link #close} and a shutdown hook end it by pid.
 */
public final class PrometheusServer implements AutoCloseable {
  /** Where Debian's package puts the binary. */
  public static final Path DEBIAN_BINARY = Paths.get("/usr/bin/prometheus");
  /** What to run when it is missing. */
  public static final String INSTALL_HINT = "install Debian's package (apt-get install prometheus), "
      + "which `bash .ci/run` does when it is missing";
  /** Scrape and rule evaluation interval: short, so tests see driven counts within seconds. */
  public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
  /** The scrape job's name (the {@code job} label of every scraped series). */
  public static final String JOB = "istio-test";
  private static final Duration READY_DEADLINE = Duration.ofSeconds(60);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final Path binary;
  private final Path work;
  private final Path config;
  private final Path data;
  private final Path log;
  private final int port;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final PrometheusClient client;
  private final Thread shutdownHook;
  private volatile Process process;
  private boolean closed;

  private PrometheusServer(List<String> targets) {
    this.binary = binary();
    this.work = CrdFiles.projectRoot().resolve("operator/target/prometheus")
        .resolve(STAMP.format(LocalDateTime.now()) + "-" + ProcessHandle.current().pid());
    this.config = work.resolve("prometheus.yml");
    this.data = work.resolve("data");
    this.log = work.resolve("prometheus.log");
    this.port = freePort();
    this.url = "http://127.0.0.1:" + port;
    this.client = new PrometheusClient(url, Duration.ofSeconds(5), http);
    try {
      Files.createDirectories(data);
      Files.writeString(config, config(targets), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + work, e);
    }
    this.shutdownHook = new Thread(this::kill, "prometheus-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a Prometheus that scrapes {@code /metrics} of each {@code host:port} target, and waits until ready. */
  public static PrometheusServer scraping(String... targets) {
    PrometheusServer server = new PrometheusServer(List.of(targets));
    try {
      server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * The binary: {@link #DEBIAN_BINARY}, else {@code prometheus} on the PATH.
   *
   * @throws IllegalStateException naming how to install it, when there is none
   */
  public static Path binary() {
    if (Files.isExecutable(DEBIAN_BINARY)) {
      return DEBIAN_BINARY;
    }
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Paths.get(d, "prometheus"))
        .filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IllegalStateException("no prometheus binary (" + DEBIAN_BINARY + " or on the PATH): "
            + INSTALL_HINT));
  }

  /** The generated configuration: 1 s scrapes of one job with the given static targets. */
  static String config(List<String> targets) {
    for (String t : targets) {
      if (!t.matches("[A-Za-z0-9.\\-\\[\\]]+:[0-9]+")) {
        throw new IllegalArgumentException("a scrape target is host:port, got '" + t + "'");
      }
    }
    String list = targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
    String interval = SCRAPE_INTERVAL.toSeconds() + "s";
    return "# Generated by PrometheusServer for a test.\n"
        + "global:\n"
        + "  scrape_interval: " + interval + "\n"
        // A scrape timeout longer than the interval is a configuration error.
        + "  scrape_timeout: " + interval + "\n"
        + "  evaluation_interval: " + interval + "\n"
        + "scrape_configs:\n"
        + "  - job_name: " + JOB + "\n"
        + "    metrics_path: /metrics\n"
        + "    static_configs:\n"
        + "      - targets: [" + list + "]\n";
  }

  /** {@code http://127.0.0.1:<port>}, the same across {@link #stop} and {@link #start}. */
  public String url() {
    return url;
  }

  /** The folder with the configuration, the TSDB and the log. */
  public Path workDir() {
    return work;
  }

  /** Whether the process runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts Prometheus (again) on the same port and storage, and waits for {@code /-/ready}.
   *
   * @throws IllegalStateException when it exits or is not ready within the deadline, with its log's tail
   */
  public synchronized PrometheusServer start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (isRunning()) {
      return this;
    }
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--config.file=" + config,
        "--storage.tsdb.path=" + data,
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=info"));
    try {
      Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary + ": " + INSTALL_HINT, e);
    }
    Process started = process;
    try {
      Awaitility.await("Prometheus ready at " + url).atMost(READY_DEADLINE)
          .pollInterval(Duration.ofMillis(100)).pollInSameThread()
          .until(() -> {
            if (!started.isAlive()) {
              throw new IllegalStateException("prometheus exited with " + started.exitValue()
                  + " before it was ready; log " + log + ":\n" + logTail(30));
            }
            return ready();
          });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("prometheus not ready at " + url + " within " + READY_DEADLINE + "; log "
          + log + ":\n" + logTail(30), e);
    }
    return this;
  }

  /** SIGTERM and a bounded wait (SIGKILL past it); the TSDB stays for {@link #start}. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroy();
    try {
      if (!p.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** An instant query through the product's client. */
  public QueryResult query(String promql) {
    return client.query(promql);
  }

  /** An instant query for every series, through the product's client. */
  public VectorResult queryVector(String promql) {
    return client.queryVector(promql);
  }

  /**
   * Polls {@code promql} until it gives a value {@code accept} takes (Prometheus has scraped what the test
   * drove), and returns that result.
   *
   * @throws AssertionError past {@code deadline}, with the last result and the log's tail
   */
  public QueryResult awaitValue(String promql, DoublePredicate accept, Duration deadline) {
    return await(promql, r -> r.hasValue() && accept.test(r.value()), "value as expected", deadline);
  }

  /** Polls {@code promql} until its outcome is {@code outcome}, and returns that result. */
  public QueryResult awaitOutcome(String promql, QueryResult.Outcome outcome, Duration deadline) {
    return await(promql, r -> r.outcome() == outcome, "outcome " + outcome, deadline);
  }

  private QueryResult await(String promql, Predicate<QueryResult> accept, String what, Duration deadline) {
    AtomicReference<QueryResult> last = new AtomicReference<>();
    try {
      Awaitility.await(promql).atMost(deadline).pollInterval(Duration.ofMillis(250)).pollInSameThread()
          .until(() -> {
            QueryResult r = query(promql);
            last.set(r);
            return accept.test(r);
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no " + what + " for " + promql + " within " + deadline + "; last: " + last.get()
          + "\nprometheus log " + log + ":\n" + logTail(20), e);
    }
    return last.get();
  }

  /** The last {@code lines} lines of Prometheus' log, for failure messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Stops Prometheus; the work folder stays in target/ for a look after a failure. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs (or ran) kill().
    }
  }

  private boolean ready() {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The shutdown hook: SIGKILL by pid, no waiting for locks a stuck test may hold. */
  private void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  @Override
  public String toString() {
    Process p = process;
    return "PrometheusServer[" + url + (p != null ? ", pid " + p.pid() : ", stopped") + ", work " + work + "]";
  }
}
