package io.mlserving.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code render}, {@code validate} and {@code run}, all in one jar. */
@Command(name = "mlserving",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "mlserving-operator: ML serving patterns (InferenceService, ABTest, ShadowTest, CircuitBreaker, Canary)"
            + " as Kubernetes custom resources.",
        "",
        "  render    print the objects the operator would create, from YAML files, with no cluster",
        "  validate  check YAML files as admission and the operator would, with no cluster",
        "  run       run the operator against the current kubeconfig or in-cluster config"},
    subcommands = {RenderCommand.class, ValidateCommand.class, RunCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit status for invalid input. */
  public static final int INVALID = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line on the process's stdout and stderr and returns its exit status. */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output and error writers (tests call this). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      // Never a stack trace for the user: one line, and the exit status says it failed.
      commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return INVALID;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar manifest, when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mlserving-operator " + (v == null ? "(development build)" : v)};
    }
  }
}
