package io.mlserving.operator.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.reconcile.traffic.CanaryReconciler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code mlserving_canary_weight{namespace,name}}: the percent of requests each Canary's canary gets, as its status
 * says; {@code mlserving_canary_rollbacks_total{namespace,name}}: rollouts rolled back since the operator started.
 * The series of a deleted Canary stays, at its last weight, until the operator restarts: JOSDK tells a reconciler
 * nothing of a deletion without a finalizer, and the operator adds none (it never writes metadata).
 */
public final class CanaryMetrics implements CanaryReconciler.RolloutObserver {
  public static final String WEIGHT = "mlserving_canary_weight";
  public static final String ROLLBACKS = "mlserving_canary_rollbacks";

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> weights = new ConcurrentHashMap<>();

  public CanaryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void weight(Canary canary, int weight) {
    weights.computeIfAbsent(key(canary), k -> {
      AtomicInteger value = new AtomicInteger();
      Gauge.builder(WEIGHT, value, AtomicInteger::get)
          .description("Percent of requests the canary of each Canary gets")
          .tags(tags(canary))
          .register(registry);
      return value;
    }).set(weight);
  }

  @Override
  public void rolledBack(Canary canary) {
    Counter.builder(ROLLBACKS)
        .description("Canary rollouts rolled back")
        .tags(tags(canary))
        .register(registry)
        .increment();
  }

  private static String key(Canary c) {
    return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
  }

  private static Tags tags(Canary c) {
    return Tags.of("namespace", c.getMetadata().getNamespace(), "name", c.getMetadata().getName());
  }
}
