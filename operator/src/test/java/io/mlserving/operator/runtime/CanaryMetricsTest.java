package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** The Canary's metrics as Prometheus scrapes them from the operator's /metrics. */
class CanaryMetricsTest {
  @Test
  void weightIsAGaugePerCanaryAndRollbacksACounter() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CanaryMetrics metrics = new CanaryMetrics(registry);
    Canary a = Fixtures.canary("models", "fraud-rollout", "fraud-v1", "fraud-v2", "1m", "10m", 5, 25);
    Canary b = Fixtures.canary("risk", "risk-rollout", "risk-v1", "risk-v2", "1m", "10m", 50);

    metrics.weight(a, 5);
    metrics.weight(a, 25);
    metrics.weight(b, 0);
    metrics.rolledBack(b);
    metrics.rolledBack(b);

    String text = registry.scrape();
    assertThat(text).contains("mlserving_canary_weight{name=\"fraud-rollout\",namespace=\"models\"} 25.0")
        .contains("mlserving_canary_weight{name=\"risk-rollout\",namespace=\"risk\"} 0.0")
        .contains("mlserving_canary_rollbacks_total{name=\"risk-rollout\",namespace=\"risk\"} 2.0")
        .doesNotContain("mlserving_canary_rollbacks_total{name=\"fraud-rollout\"");
  }
}
