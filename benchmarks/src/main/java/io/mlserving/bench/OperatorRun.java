package io.mlserving.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import java.time.Clock;
import java.time.Duration;

/** One operator "process": the real operator built by MlServingOperator.create on a client of its own. */
public final class OperatorRun implements AutoCloseable {
  public final BenchMetrics metrics = new BenchMetrics();
  public final Operator operator;
  /** The operator as MlServingOperator.build made it: its reconcilers and its live analysis. */
  public final MlServingOperator.Built built;
  public final KubernetesClient client;
  /** Nanos from create() to start() returning (caches synced). */
  public final long startNanos;
  public final long startedAt;

  private OperatorRun(BenchCluster cluster, Clock clock) {
    client = cluster.operatorClient();
    long t0 = System.nanoTime();
    // The operator's defaults, or what MLSERVING_* variables of the benchmark's own environment set.
    built = MlServingOperator.build(client, OperatorSettings.fromEnv(System::getenv), clock, metrics, null, null);
    operator = built.operator();
    operator.start();
    built.live().start();
    startedAt = System.nanoTime();
    startNanos = startedAt - t0;
  }

  public static OperatorRun start(BenchCluster cluster) {
    return new OperatorRun(cluster, Clock.systemUTC());
  }

  /** As {@link #start(BenchCluster)}, with the operator reading the time from {@code clock}. */
  public static OperatorRun start(BenchCluster cluster, Clock clock) {
    return new OperatorRun(cluster, clock);
  }

  /** The reconcile thread pool size (JOSDK's concurrentReconciliationThreads). */
  public int reconcileThreads() {
    return operator.getConfigurationService().concurrentReconciliationThreads();
  }

  /**
   * Waits until the operator has sent no request and run no reconcile for {@code quiet}, and the stub has no
   * write pending.
   */
  public void awaitQuiet(BenchCluster cluster, DeploymentStub stub, Duration quiet, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long last = Math.max(cluster.dispatcher.lastOperatorRequestNanos(), metrics.lastFinishedNanos());
      if (metrics.inFlight() == 0 && (stub == null || !stub.busy()) && now - last >= quiet.toNanos()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the operator did not go quiet within " + max.toSeconds() + " s");
  }

  @Override
  public void close() {
    operator.stop();
    built.live().close();
    client.close();
  }
}
