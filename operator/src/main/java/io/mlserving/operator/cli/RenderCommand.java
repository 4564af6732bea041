package io.mlserving.operator.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.DesiredResources;
import io.mlserving.operator.desired.IstioApi;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code render}: what the operator would create, from YAML files, with no cluster. */
@Command(name = "render",
    mixinStandardHelpOptions = true,
    description = {
        "Print every object the operator would create for the custom resources in the given YAML files, as"
            + " multi-document YAML on stdout, sorted by kind, namespace and name. Needs no cluster: it runs"
            + " the operator's own desired-state code.",
        "The input is validated first (as 'validate' does); invalid input prints its problems on stderr,"
            + " nothing on stdout, and exits 1.",
        "Owner references need the uid a resource gets from the API server, so rendered objects have none."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:rendered", "1:invalid input, or a file could not be read", "2:wrong command-line usage"})
final class RenderCommand implements Callable<Integer> {
  @CommandLine.Mixin InputOptions input;

  @Option(names = "--istio-api", defaultValue = "v1", paramLabel = "v1|v1beta1",
      description = "Istio API version of VirtualServices and DestinationRules: v1 (Istio 1.22 and later,"
          + " default) or v1beta1 (older Istio)")
  String istioApi;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    IstioApi api;
    try {
      api = IstioApi.parse(istioApi);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("--istio-api: " + e.getMessage());
      return Main.INVALID;
    }
    ResourceLoader.Result result = input.load();
    List<String> problems = Checker.problems(result);
    if (!problems.isEmpty()) {
      problems.forEach(spec.commandLine().getErr()::println);
      spec.commandLine().getErr().println(problems.size() + " problem(s) found; nothing rendered.");
      return Main.INVALID;
    }
    LoaderImages images = LoaderImages.from(System::getenv);
    List<HasMetadata> crs = result.resources().stream().map(ResourceLoader.Loaded::resource).toList();
    for (HasMetadata cr : crs) {
      // render has no cluster and no clock: it prints what a resource generates before any rollout (a Canary's
      // Waiting state), even from a `kubectl get -o yaml` export that carries a status.
      if (cr instanceof Canary c) {
        c.setStatus(null);
      }
      if (cr instanceof InferenceService isvc) {
        // A models:/ URI is resolved by the operator, which pins a version; render reaches no registry.
        isvc.setStatus(null);
        if (isvc.getSpec() != null && isvc.getSpec().getModel() != null
            && ModelUri.parse(isvc.getSpec().getModel().getStorageUri()).isPresent()) {
          spec.commandLine().getErr().println("render: InferenceService " + isvc.getMetadata().getNamespace() + "/"
              + isvc.getMetadata().getName() + ": " + isvc.getSpec().getModel().getStorageUri()
              + " is printed unresolved: the operator resolves it against the MLflow registry and pins the version"
              + " in the Deployment (render reaches no registry)");
        }
      }
    }
    List<HasMetadata> out = DesiredResources.ofAll(crs, images, api);
    spec.commandLine().getOut().print(YamlOutput.documents(out));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
