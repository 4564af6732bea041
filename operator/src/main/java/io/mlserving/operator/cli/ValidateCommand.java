package io.mlserving.operator.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code validate}: the admission checks plus the operator's own, with no cluster. */
@Command(name = "validate",
    mixinStandardHelpOptions = true,
    description = {
        "Check custom resources in YAML files as the API server's admission (CRD schema and CEL rules) and the"
            + " operator (references to InferenceServices, host conflicts) would, with no cluster.",
        "Prints one line per problem, 'file: kind/name: field: what is wrong', and exits 1 if there is any.",
        "References resolve among the given files. Objects of other API groups are skipped."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every resource is valid", "1:a problem was found, or a file could not be read",
        "2:wrong command-line usage"})
final class ValidateCommand implements Callable<Integer> {
  @CommandLine.Mixin InputOptions input;

  @Option(names = {"-q", "--quiet"}, description = "print nothing when everything is valid")
  boolean quiet;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ResourceLoader.Result result = input.load();
    List<String> lines = Checker.problems(result);
    lines.forEach(spec.commandLine().getErr()::println);
    if (!lines.isEmpty()) {
      spec.commandLine().getErr().println(lines.size() + " problem(s) found.");
      return Main.INVALID;
    }
    if (!quiet) {
      spec.commandLine().getOut().println(result.resources().size() + " resource(s) valid.");
    }
    return 0;
  }
}
