package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.mlserving.operator.testing.CountingMetrics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JOSDK metrics for the benchmark: reconcile counts from the operator tests' {@link CountingMetrics}, plus
 * what the benchmark needs to know when the operator is idle: executions in flight, the last one's end, and
 * which resources finished a reconcile at least once.
 */
public final class BenchMetrics implements Metrics {
  public final CountingMetrics counting = new CountingMetrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong lastFinished = new AtomicLong(System.nanoTime());
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final ThreadLocal<Boolean> started = new ThreadLocal<>();

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    counting.reconcileCustomResource(resource, retryInfo, metadata);
    byKind.computeIfAbsent(resource.getKind(), k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    counting.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    started.set(Boolean.TRUE);
    inFlight.incrementAndGet();
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    // JOSDK also calls this (without the start) when the resource left the cache before it ran.
    if (started.get() == null) {
      return;
    }
    started.remove();
    finished.add(resource.getKind() + "/" + resource.getMetadata().getNamespace() + "/"
        + resource.getMetadata().getName());
    lastFinished.set(System.nanoTime());
    inFlight.decrementAndGet();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public long lastFinishedNanos() {
    return lastFinished.get();
  }

  /** Distinct resources whose reconcile finished at least once. */
  public int finishedDistinct() {
    return finished.size();
  }

  public int reconciles(String kind) {
    AtomicInteger n = byKind.get(kind);
    return n == null ? 0 : n.get();
  }

  public int total() {
    return counting.total();
  }

  public int failures() {
    return counting.failures();
  }
}
