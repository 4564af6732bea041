package io.mlserving.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.config.Identity;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import io.mlserving.operator.runtime.Logging;
import io.mlserving.operator.runtime.OperatorClient;
import io.mlserving.operator.runtime.OperatorRuntime;
import io.mlserving.operator.runtime.ProcessStop;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run}: the operator itself. */
@Command(name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run the operator against the cluster of the current kubeconfig (or the in-cluster service account).",
        "Settings come from environment variables (docs/settings.md); these options override them.",
        "Serves /healthz, /readyz and /metrics (Prometheus) on --http-port. Stops gracefully on SIGTERM:"
            + " in-flight reconciles finish, the Lease is released, exit status 0 (1 when the Lease is lost).",
        "Identity in the Lease and in Events: POD_NAME, else the host name plus a random suffix."})
final class RunCommand implements Callable<Integer> {
  /**
   * How long the stop after SIGTERM may take before the process ends anyway: in-flight reconciles get
   * {@link MlServingOperator#RECONCILE_DRAIN}, the Lease release a few seconds, and all of it stays under the
   * pod's default termination grace period of 30 s, so the kubelet never needs SIGKILL.
   */
  static final Duration STOP_DEADLINE = Duration.ofSeconds(25);

  @Option(names = "--namespaces", paramLabel = "ns1,ns2",
      description = "namespaces to watch, comma-separated; empty watches all (env MLSERVING_WATCH_NAMESPACES)")
  String namespaces;

  @Option(names = "--istio-api", paramLabel = "auto|v1|v1beta1",
      description = "Istio API version; auto detects what the cluster serves (env MLSERVING_ISTIO_API, default auto)")
  String istioApi;

  @Option(names = "--log-format", paramLabel = "text|json",
      description = "log format (env MLSERVING_LOG_FORMAT, default text)")
  String logFormat;

  @Option(names = "--leader-election", negatable = true, paramLabel = "true|false",
      description = "take a Lease before reconciling, so several replicas are safe (env MLSERVING_LEADER_ELECTION)")
  Boolean leaderElection;

  @Option(names = "--lease-namespace", description = "namespace of the Lease (env MLSERVING_LEASE_NAMESPACE,"
      + " default the pod's namespace, POD_NAMESPACE)")
  String leaseNamespace;

  @Option(names = "--http-port", description = "port of /healthz, /readyz, /metrics (env MLSERVING_HTTP_PORT,"
      + " default 8080)")
  Integer httpPort;

  @Option(names = "--prometheus-url", description = "Prometheus a Canary's metric gates ask when its spec names none"
      + " (env MLSERVING_PROMETHEUS_URL, default none)")
  String prometheusUrl;

  @Option(names = "--mlflow-tracking-uri", description = "MLflow tracking server that resolves models:/ URIs whose"
      + " spec names no registry.url (env MLFLOW_TRACKING_URI, default none)")
  String mlflowTrackingUri;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings settings = settings(OperatorSettings.fromEnv(System::getenv));
    Logging.configure(settings.jsonLogs());
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    if (settings.leaderElection() && settings.leaseNamespace() == null) {
      log.error("Leader election needs a Lease namespace: set MLSERVING_LEASE_NAMESPACE or POD_NAMESPACE");
      return Main.INVALID;
    }
    String identity = Identity.ofThisProcess();
    // Before anything slow: a SIGTERM from here on is a stop request, bounded by STOP_DEADLINE.
    ProcessStop stop = new ProcessStop(STOP_DEADLINE, status -> Runtime.getRuntime().halt(status))
        .onTerminationSignals();
    KubernetesClient client = OperatorClient.create();
    OperatorRuntime runtime = new OperatorRuntime(client, settings, identity, () -> stop.request("the Lease lost", 1));
    log.info("Starting mlserving-operator as {} against {}; watching {}; loader images {}; leader election {}",
        identity, client.getMasterUrl(),
        settings.watchNamespaces().isEmpty() ? "all namespaces" : settings.watchNamespaces(), settings.loaderImages(),
        settings.leaderElection() ? "on (Lease " + settings.leaseNamespace() + "/" + MlServingOperator.LEASE_NAME
            + ")" : "off");
    try {
      runtime.start();
    } catch (RuntimeException e) {
      // Typically no cluster reachable: say so in one line and exit 1 (nothing was started to stop gracefully).
      String why = e.getMessage();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
          why = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
      }
      spec.commandLine().getErr().println("error: cannot start the operator against " + client.getMasterUrl()
          + ": " + why + ". Is a cluster reachable with the current kubeconfig (KUBECONFIG,"
          + " ~/.kube/config) or the in-cluster service account, and are the CRDs installed"
          + " (kubectl apply --server-side -f crds/)?");
      stop.finished();
      return Main.INVALID;
    }
    log.info(settings.leaderElection() ? "Started as {}: waiting for the Lease" : "Started as {}", identity);
    // The stop runs here, on the main thread, not in a shutdown hook (see ProcessStop).
    ProcessStop.Request request = stop.await();
    try {
      runtime.close();
      client.close();
    } finally {
      stop.finished();
    }
    log.info("Stopped ({}): exit status {}", request.reason(), request.exitStatus());
    return request.exitStatus();
  }

  OperatorSettings settings(OperatorSettings env) {
    return new OperatorSettings(
        namespaces == null ? env.watchNamespaces() : OperatorSettings.namespaces(namespaces),
        env.loaderImages(),
        Optional.ofNullable(istioApi).orElse(env.istioApi()),
        logFormat == null ? env.jsonLogs() : "json".equalsIgnoreCase(logFormat),
        leaderElection == null ? env.leaderElection() : leaderElection,
        Optional.ofNullable(leaseNamespace).orElse(env.leaseNamespace()),
        httpPort == null ? env.httpPort() : httpPort,
        env.firstStatusGrace(),
        Optional.ofNullable(prometheusUrl).orElse(env.prometheusUrl()),
        Optional.ofNullable(mlflowTrackingUri).orElse(env.mlflowTrackingUri()),
        env.reconcileThreads());
  }
}
