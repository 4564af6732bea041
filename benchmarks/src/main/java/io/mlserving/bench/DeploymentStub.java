package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the Deployment controller: an informer on every Deployment; whenever one is not rolled out and
 * available for its current generation, it writes that status (all replicas updated, ready and available,
 * condition Available=True). The mock keeps no status subresource for built-in kinds, so an update of the
 * Deployment can overwrite the status: the stub re-marks after each such write, like a real controller does
 * after a rollout. At most one write per Deployment is in flight; events arriving meanwhile re-check it.
 */
public final class DeploymentStub implements AutoCloseable {
  private static final int RUNNING = 1;
  private static final int DIRTY = 2;

  private final KubernetesClient client;
  private final SharedIndexInformer<Deployment> informer;
  private final ExecutorService pool;
  private final Map<String, Integer> state = new ConcurrentHashMap<>();
  private final AtomicLong marks = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();

  public DeploymentStub(KubernetesClient client, int threads) {
    this.client = client;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "deployment-stub");
      t.setDaemon(true);
      return t;
    });
    this.informer = client.apps().deployments().inAnyNamespace().inform(Handlers.addedOrUpdated(this::check));
  }

  /** Whether {@code d} is rolled out and available for its current generation. */
  public static boolean available(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null || s.getObservedGeneration() == null || d.getMetadata().getGeneration() == null
        || s.getObservedGeneration() < d.getMetadata().getGeneration()) {
      return false;
    }
    int want = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    boolean availableCondition = s.getConditions() != null && s.getConditions().stream()
        .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
    return availableCondition && nz(s.getAvailableReplicas()) >= want && nz(s.getUpdatedReplicas()) >= want;
  }

  private void check(Deployment d) {
    if (available(d)) {
      return;
    }
    String key = Cache.metaNamespaceKeyFunc(d);
    state.compute(key, (k, s) -> {
      if (s == null) {
        pool.execute(() -> mark(k));
        return RUNNING;
      }
      return DIRTY;
    });
  }

  private void mark(String key) {
    try {
      Deployment d = informer.getStore().getByKey(key);
      if (d != null && !available(d)) {
        int replicas = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        Deployment marked = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d)
            .withStatus(new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withConditions(new DeploymentConditionBuilder().withType("Available").withStatus("True")
                    .withReason("MinimumReplicasAvailable").build())
                .build())
            .build();
        try {
          client.resource(marked).updateStatus();
          marks.incrementAndGet();
        } catch (KubernetesClientException e) {
          // 409: someone (the operator) wrote it meanwhile; its event brings us back here.
          conflicts.incrementAndGet();
        }
      }
    } finally {
      state.compute(key, (k, s) -> {
        if (s != null && s == DIRTY) {
          pool.execute(() -> mark(k));
          return RUNNING;
        }
        return null;
      });
    }
  }

  /** Whether a write is pending or running. */
  public boolean busy() {
    return !state.isEmpty();
  }

  public long marks() {
    return marks.get();
  }

  public long conflicts() {
    return conflicts.get();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  @Override
  public void close() {
    informer.close();
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
