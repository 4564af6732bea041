package io.mlserving.operator.runtime;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.reconcile.PrimaryCacheAware;
import io.mlserving.operator.status.Conditions;
import java.util.List;

/**
 * {@code mlserving_resources{kind, ready}}: how many custom resources of each kind are Ready True, False or
 * Unknown (no Ready condition yet), read from the operator's informer caches at scrape time (no request).
 */
public final class ResourceGauges {
  public static final String NAME = "mlserving_resources";
  private static final List<String> STATES = List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN);

  private ResourceGauges() {}

  public static void register(MeterRegistry registry, List<PrimaryCacheAware<?>> reconcilers) {
    for (PrimaryCacheAware<?> r : reconcilers) {
      for (String state : STATES) {
        Gauge.builder(NAME, r, x -> count(x, state))
            .description("Custom resources by kind and Ready condition status")
            .tag("kind", r.kind())
            .tag("ready", state)
            .register(registry);
      }
    }
  }

  static double count(PrimaryCacheAware<?> reconciler, String state) {
    return reconciler.primaryCache()
        .map(cache -> cache.list(x -> true).filter(r -> state.equals(readyStatus(r))).count())
        .orElse(0L);
  }

  static String readyStatus(HasMetadata resource) {
    if (resource instanceof CustomResource<?, ?> cr && cr.getStatus() instanceof MlServingStatus s) {
      return Conditions.find(s.getConditions(), Conditions.READY).map(Condition::getStatus).orElse(Conditions.UNKNOWN);
    }
    return Conditions.UNKNOWN;
  }
}
