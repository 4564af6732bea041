package io.mlserving.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run}: the operator itself. */
@Command(name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run the operator against the cluster of the current kubeconfig (or the in-cluster service account).",
        "Settings come from environment variables (see docs/settings.md); the options below override them."})
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--namespaces", paramLabel = "ns1,ns2",
      description = "namespaces to watch, comma-separated; empty watches all (env MLSERVING_WATCH_NAMESPACES)")
  String namespaces;

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings env = OperatorSettings.fromEnv(System::getenv);
    OperatorSettings settings = namespaces == null ? env : new OperatorSettings(
        OperatorSettings.namespaces(namespaces), env.loaderImages(), env.istioApi(), env.jsonLogs(),
        env.leaderElection(), env.leaseNamespace(), env.httpPort());
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = MlServingOperator.create(client, settings, Clock.systemUTC(), null);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping the operator");
      operator.stop();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    LOG.info("Starting mlserving-operator; watching {}", settings.watchNamespaces().isEmpty()
        ? "all namespaces" : settings.watchNamespaces());
    operator.start();
    stopped.await();
    return 0;
  }

  static Duration gracePeriod() {
    return Duration.ofSeconds(10);
  }
}
