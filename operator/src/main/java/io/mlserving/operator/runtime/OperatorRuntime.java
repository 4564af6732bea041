package io.mlserving.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlserving.operator.config.Identity;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running operator process: the JOSDK operator, its metrics and its health endpoints. */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);
  /** Bounds the Lease release at shutdown: an API server that does not answer must not hold up the exit. */
  static final Duration LEASE_RELEASE_TIMEOUT = Duration.ofSeconds(3);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final String identity;
  private final MlServingOperator.Built built;
  private final HttpEndpoints http;
  /** Set before the operator stops, so that giving up the Lease on purpose is not taken for losing it. */
  private volatile boolean closing;

  /**
   * @param identity this replica's name in the Lease and in Events; null: {@link Identity#ofThisProcess()}
   * @param onLeadershipLost run when the Lease is lost while running (not when {@link #close()} gives it up): in a
   *     pod it ends the process non-zero, so that a replica that may no longer lead stops writing and restarts as a
   *     stand-by; null only logs (tests)
   */
  public OperatorRuntime(KubernetesClient client, OperatorSettings settings, String identity,
      Runnable onLeadershipLost) {
    this.client = client;
    this.settings = settings;
    String me = identity != null ? identity : Identity.ofThisProcess();
    this.identity = me;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    LeaderCallbacks callbacks = new LeaderCallbacks(
        () -> LOG.info("Leading as {}: reconciling", me),
        () -> {
          if (closing) {
            return;
          }
          LOG.error("Lost the Lease {}/{} as {} while running: stopping", settings.leaseNamespace(),
              MlServingOperator.LEASE_NAME, me);
          if (onLeadershipLost != null) {
            onLeadershipLost.run();
          }
        },
        leader -> { });
    built = MlServingOperator.build(client, settings, Clock.systemUTC(),
        MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build(), me, callbacks, null,
        new CanaryMetrics(registry), null);
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
    built.live().start();
    return this;
  }

  /** This replica's name in the Lease and in Events. */
  public String identity() {
    return identity;
  }

  public Operator operator() {
    return built.operator();
  }

  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /**
   * Stops reconciling (in-flight reconciles finish, for up to {@link MlServingOperator#RECONCILE_DRAIN}), gives up
   * the Lease if this replica holds it, then stops the endpoints.
   */
  @Override
  public void close() {
    closing = true;
    try {
      built.live().close();
      built.operator().stop();
      if (settings.leaderElection()) {
        LeaseRelease.release(client, settings.leaseNamespace(), MlServingOperator.LEASE_NAME, identity,
            LEASE_RELEASE_TIMEOUT);
      }
    } finally {
      if (http != null) {
        http.close();
      }
    }
  }
}
