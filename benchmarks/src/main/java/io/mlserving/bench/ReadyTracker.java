package io.mlserving.bench;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.status.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stopwatch: informers (on the benchmark's observer client) on InferenceServices and ABTests that note
 * when each one is first seen Ready for its current generation (Ready=True and status.observedGeneration ==
 * metadata.generation). Keys are {@code Kind/namespace/name}.
 */
public final class ReadyTracker implements AutoCloseable {
  /** When a resource was first seen Ready for a generation. */
  public record Ready(long generation, long nanos) {}

  private final Map<String, Ready> ready = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  public ReadyTracker(KubernetesClient client) {
    this(client, true);
  }

  private ReadyTracker(KubernetesClient client, boolean abTests) {
    informers.add(track(client, InferenceService.class));
    if (abTests) {
      informers.add(track(client, ABTest.class));
    }
  }

  /** A tracker of InferenceServices alone (for a server where only that CRD is installed, as the peer's). */
  public static ReadyTracker inferenceServicesOnly(KubernetesClient client) {
    return new ReadyTracker(client, false);
  }

  private <S extends MlServingStatus, T extends CustomResource<?, S>> SharedIndexInformer<T> track(
      KubernetesClient client, Class<T> type) {
    return client.resources(type).inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(T r) {
        seen(r);
      }

      @Override
      public void onUpdate(T old, T r) {
        seen(r);
      }

      @Override
      public void onDelete(T r, boolean unknown) {
        ready.remove(key(r));
      }
    });
  }

  private void seen(CustomResource<?, ? extends MlServingStatus> r) {
    long now = System.nanoTime();
    MlServingStatus s = r.getStatus();
    Long generation = r.getMetadata().getGeneration();
    if (s == null || generation == null || !generation.equals(s.getObservedGeneration())
        || !Conditions.isReady(s.getConditions())) {
      return;
    }
    ready.compute(key(r), (k, old) -> old != null && old.generation() >= generation ? old : new Ready(generation, now));
  }

  public static String key(CustomResource<?, ?> r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /** When {@code key} was first seen Ready at generation {@code generation} or later; null if not yet. */
  public Ready readyAt(String key, long generation) {
    Ready r = ready.get(key);
    return r != null && r.generation() >= generation ? r : null;
  }

  /** How many of {@code keys} are Ready at {@code generation} or later. */
  public int countReady(Collection<String> keys, long generation) {
    int n = 0;
    for (String k : keys) {
      if (readyAt(k, generation) != null) {
        n++;
      }
    }
    return n;
  }

  /**
   * Waits until every one of {@code keys} is Ready at {@code generation}; returns the latest time one became
   * Ready (System.nanoTime). Throws with the count so far when {@code timeout} passes.
   */
  public long awaitAll(Collection<String> keys, long generation, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long latest = 0;
      int n = 0;
      for (String k : keys) {
        Ready r = readyAt(k, generation);
        if (r != null) {
          n++;
          latest = Math.max(latest, r.nanos());
        }
      }
      if (n == keys.size()) {
        return latest;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(n + " of " + keys.size() + " Ready (generation " + generation
            + ") after " + timeout.toSeconds() + " s");
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
