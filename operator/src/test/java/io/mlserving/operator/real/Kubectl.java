package io.mlserving.operator.real;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl (v1.20.2, Debian's) against a {@link RealControlPlane}, as the admin, with a timeout. */
public final class Kubectl {
  /** A generous bound for one command; {@code kubectl wait} takes its own --timeout below this. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private final Path binary;
  private final Path kubeconfig;
  private final Path scratch;

  Kubectl(Path binary, Path kubeconfig, Path scratch) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.scratch = scratch;
  }

  /** What one kubectl run gave. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** This result if the exit code is 0; else an AssertionError with the command and both outputs. */
    public Result assertOk() {
      if (!ok()) {
        throw new AssertionError(this);
      }
      return this;
    }

    @Override
    public String toString() {
      return "$ " + String.join(" ", command) + "\nexit code " + exitCode + "\n--- stdout\n" + stdout
          + "\n--- stderr\n" + stderr;
    }
  }

  /** {@code kubectl args...} with {@link #DEFAULT_TIMEOUT}. */
  public Result run(String... args) {
    return run(DEFAULT_TIMEOUT, args);
  }

  /** {@code kubectl args...}, killed (exit code -1) after {@code timeout}. */
  public Result run(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    // A discovery cache of this control plane's own: ~/.kube/cache is keyed by host and port only, so another
    // control plane once on the same port, or kinds since deleted, would be resolved from stale entries.
    command.add("--cache-dir=" + scratch.resolve("kubectl-cache"));
    command.addAll(List.of(args));
    try {
      // Files, not pipes: a large output can never block the process while we wait for it.
      Path out = Files.createTempFile(scratch, "kubectl-", ".out");
      Path err = Files.createTempFile(scratch, "kubectl-", ".err");
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      int code;
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        code = p.exitValue();
      } else {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        code = -1;
      }
      Result r = new Result(command, code, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8) + (code == -1 ? "\n(killed after " + timeout + ")" : ""));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** {@code kubectl apply -f <file holding yaml> args...}, which must exit 0; returns its stdout. */
  public String apply(String yaml, String... args) {
    try {
      Path file = Files.createTempFile(scratch, "apply-", ".yaml");
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      List<String> all = new ArrayList<>(List.of("apply", "-f", file.toString()));
      all.addAll(List.of(args));
      String out = ok(all.toArray(String[]::new));
      Files.deleteIfExists(file);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kubectl args...}, which must exit 0; returns its stdout. */
  public String ok(String... args) {
    return run(args).assertOk().stdout();
  }
}
