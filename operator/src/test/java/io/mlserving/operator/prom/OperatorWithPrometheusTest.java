package io.mlserving.operator.prom;

import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the real-Prometheus operator tests share: a test-side exporter of Istio's metrics, a real Prometheus scraping
 * it every second, and the operator on the mock API server with the operator setting pointing at that Prometheus.
 * Traffic a test drives ({@link #traffic}) stops after it, and a Prometheus it stopped is started again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OperatorWithPrometheusTest {
  protected IstioExporter exporter;
  protected PrometheusServer prometheus;
  protected OperatorHarness h;
  /** The streams the current test drives; stopped after it. */
  protected final List<IstioExporter.Traffic> traffic = new ArrayList<>();

  @BeforeAll
  void startPrometheusAndOperator() {
    exporter = IstioExporter.start();
    prometheus = PrometheusServer.scraping(exporter.target());
    h = new OperatorHarness(MockCluster.start().withIstio("v1"),
        OperatorSettings.defaults().withFirstStatusGrace(Duration.ZERO).withPrometheusUrl(prometheus.url()));
  }

  @AfterAll
  void stopAll() {
    try {
      h.close();
    } finally {
      try {
        prometheus.close();
      } finally {
        exporter.close();
      }
    }
  }

  @AfterEach
  void stopTraffic() {
    traffic.forEach(IstioExporter.Traffic::stop);
    traffic.clear();
    if (!prometheus.isRunning()) {
      prometheus.start();
    }
  }
}
