package io.mlserving.operator.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.cli.ResourceLoader.Loaded;
import io.mlserving.operator.validation.CrossChecks;
import io.mlserving.operator.validation.Problem;
import io.mlserving.operator.validation.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs the admission checks and the operator's own checks over loaded resources; one line per problem. */
final class Checker {
  private Checker() {}

  /** What could not be read, then every problem of what was read: one line each. */
  static List<String> problems(ResourceLoader.Result result) {
    List<String> out = new ArrayList<>();
    result.errors().forEach(e -> out.add(e.line()));
    out.addAll(problems(result.resources()));
    return out;
  }

  /** Lines {@code file: kind/name: field: what is wrong}, in input order. */
  static List<String> problems(List<Loaded> loaded) {
    Map<String, Set<String>> isvcsByNamespace = loaded.stream()
        .map(Loaded::resource)
        .filter(r -> r instanceof InferenceService)
        .collect(Collectors.groupingBy(r -> r.getMetadata().getNamespace(),
            Collectors.mapping(r -> r.getMetadata().getName(), Collectors.toSet())));
    Map<String, List<HasMetadata>> byNamespace = loaded.stream().map(Loaded::resource)
        .collect(Collectors.groupingBy(r -> r.getMetadata().getNamespace()));
    List<String> out = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (Loaded l : loaded) {
      HasMetadata r = l.resource();
      String key = r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
      if (!seen.add(key)) {
        out.add(l.file() + ": " + l.id() + ": metadata.name: defined twice in namespace "
            + r.getMetadata().getNamespace());
        continue;
      }
      List<Problem> problems = new ArrayList<>(Validation.validate(r));
      if (problems.isEmpty()) {
        Set<String> isvcs = isvcsByNamespace.getOrDefault(r.getMetadata().getNamespace(), Set.of());
        problems.addAll(CrossChecks.missingReferences(r, isvcs));
        CrossChecks.conflict(r, byNamespace.get(r.getMetadata().getNamespace()), isvcs).ifPresent(problems::add);
      }
      for (Problem p : problems) {
        out.add(l.file() + ": " + l.id() + ": " + p.field() + ": " + p.message());
      }
    }
    return out;
  }
}
