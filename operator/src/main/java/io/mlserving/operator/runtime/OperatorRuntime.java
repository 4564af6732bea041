package io.mlserving.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running operator process: the JOSDK operator, its metrics and its health endpoints. */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MlServingOperator.Built built;
  private final HttpEndpoints http;

  /**
   * @param identity this replica's name (the pod name) in the Lease and in Events
   * @param exitWhenLeadershipLost end the process when the Lease is lost (true in a pod; false in tests)
   */
  public OperatorRuntime(KubernetesClient client, OperatorSettings settings, String identity,
      boolean exitWhenLeadershipLost) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    built = MlServingOperator.build(client, settings, Clock.systemUTC(),
        MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build(), identity,
        exitWhenLeadershipLost);
    ResourceGauges.register(registry, built.reconcilers());
    try {
      http = settings.httpPort() >= 0
          ? new HttpEndpoints(settings.httpPort(), built::operator, registry) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + settings.httpPort() + " for /healthz, /readyz and"
          + " /metrics", e);
    }
  }

  /** Serves the endpoints, then starts the operator (with leader election it waits for the Lease). */
  public OperatorRuntime start() {
    if (http != null) {
      http.start();
      LOG.info("Serving /healthz, /readyz and /metrics on port {}", http.port());
    }
    built.operator().start();
    return this;
  }

  public Operator operator() {
    return built.operator();
  }

  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** Stops reconciling (in-flight reconciles finish), then the endpoints. */
  @Override
  public void close() {
    try {
      built.operator().stop();
    } finally {
      if (http != null) {
        http.close();
      }
    }
  }
}
