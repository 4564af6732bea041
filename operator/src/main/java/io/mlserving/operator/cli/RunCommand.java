package io.mlserving.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.runtime.Logging;
import io.mlserving.operator.runtime.OperatorRuntime;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
            + " in-flight reconciles finish, the Lease is released."})
final class RunCommand implements Callable<Integer> {
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
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorRuntime runtime = new OperatorRuntime(client, settings, System.getenv("HOSTNAME"), true);
    log.info("Starting mlserving-operator against {}; watching {}; loader images {}; leader election {}",
        client.getMasterUrl(), settings.watchNamespaces().isEmpty() ? "all namespaces" : settings.watchNamespaces(),
        settings.loaderImages(), settings.leaderElection() ? "on (Lease in " + settings.leaseNamespace() + ")" : "off");
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
      return Main.INVALID;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping the operator: finishing in-flight reconciles");
      try {
        runtime.close();
        client.close();
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    stopped.await();
    return 0;
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
        env.firstStatusGrace());
  }
}
