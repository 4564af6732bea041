package io.mlserving.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** JOSDK metrics that count reconciles per resource, so tests can wait for "reconciled" without sleeping. */
public final class CountingMetrics implements Metrics {
  private final Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    reconciles.computeIfAbsent(key(resource), k -> new AtomicInteger()).incrementAndGet();
    total.incrementAndGet();
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    failures.incrementAndGet();
  }

  public int total() {
    return total.get();
  }

  public int failures() {
    return failures.get();
  }

  /** Reconciles of one resource. */
  public int of(String kind, String namespace, String name) {
    AtomicInteger n = reconciles.get(kind + "/" + namespace + "/" + name);
    return n == null ? 0 : n.get();
  }

  /** How many distinct resources were reconciled at least once. */
  public int distinct() {
    return reconciles.size();
  }

  public void reset() {
    reconciles.clear();
    total.set(0);
    failures.set(0);
  }

  private static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
