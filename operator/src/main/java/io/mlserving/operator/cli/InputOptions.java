package io.mlserving.operator.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The input options {@code render} and {@code validate} share. */
final class InputOptions {
  @Option(names = {"-f", "--filename"}, required = true, arity = "1..*", paramLabel = "<file|dir>",
      description = "YAML file or folder (read recursively); repeat or list several")
  List<Path> files;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default",
      description = "namespace of resources that name none (default: ${DEFAULT-VALUE})")
  String namespace;

  /** Everything the files hold, read as the namespace option says. */
  ResourceLoader.Result load() {
    return new ResourceLoader(namespace).load(files);
  }
}
