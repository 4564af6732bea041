package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.mlserving.operator.analysis.CanaryChecker;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.analysis.PrometheusCanaryChecker;
import io.mlserving.operator.analysis.PrometheusClient;
import io.mlserving.operator.analysis.PrometheusClients;
import io.mlserving.operator.config.Identity;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.AutoscalingApi;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.reconcile.isvc.InferenceServiceReconciler;
import io.mlserving.operator.registry.MlflowRegistry;
import io.mlserving.operator.registry.ModelRegistry;
import io.mlserving.operator.registry.ModelResolver;
import io.mlserving.operator.registry.RegistryCredentials;
import java.net.http.HttpClient;
import io.mlserving.operator.reconcile.traffic.ABTestReconciler;
import io.mlserving.operator.reconcile.traffic.CanaryReconciler;
import io.mlserving.operator.reconcile.traffic.CircuitBreakerReconciler;
import io.mlserving.operator.reconcile.traffic.ShadowTestReconciler;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Builds the operator: one JOSDK Operator with a reconciler per kind, configured from the settings. */
public final class MlServingOperator {
  private static final Logger LOG = LoggerFactory.getLogger(MlServingOperator.class);
  /** Name of the Lease the replicas compete for when leader election is on. */
  public static final String LEASE_NAME = "mlserving-operator-leader";
  /**
   * How long a stop waits for in-flight reconciles to finish before it interrupts them (JOSDK's default is 0: it
   * interrupts at once). Well inside the pod's 30 s grace period, and shorter than the lease duration, so the Lease
   * is still ours while they finish.
   */
  public static final Duration RECONCILE_DRAIN = Duration.ofSeconds(10);

  /** The operator and its reconcilers (whose caches the metrics read). */
  /** The operator, its reconcilers (whose caches the metrics read) and its live analysis (close it with the operator). */
  public record Built(Operator operator, List<PrimaryCacheAware<?>> reconcilers, LiveAnalysis live) {}

  private MlServingOperator() {}

  /** An operator on {@code client}, not started. It leaves the client open when it stops. */
  public static Operator create(KubernetesClient client, OperatorSettings settings, Clock clock, Metrics metrics) {
    return build(client, settings, clock, metrics, null, null).operator();
  }

  /**
   * The operator and its reconcilers. {@code identity} names this replica in Events and in the Lease; null uses
   * {@link Identity#ofThisProcess()}. With leader election, {@code leaderCallbacks} decide what losing the Lease
   * does: JOSDK's own exit on it is off, since it calls System.exit also when the operator stops and so hangs a
   * stop that runs in a shutdown hook.
   */
  public static Built build(KubernetesClient client, OperatorSettings settings, Clock clock, Metrics metrics,
      String identity, LeaderCallbacks leaderCallbacks) {
    return build(client, settings, clock, metrics, identity, leaderCallbacks, null, null, null);
  }

  /**
   * As {@link #build(KubernetesClient, OperatorSettings, Clock, Metrics, String, LeaderCallbacks)}, with the
   * Canary's metric checks made by {@code canaryChecker} (null: Prometheus, as the settings say) and its rollouts
   * reported to {@code rolloutObserver} (null: nobody), and models:/ URIs resolved by {@code modelRegistry}
   * (null: MLflow's REST API, with the operator's own credentials from its environment).
   */
  public static Built build(KubernetesClient client, OperatorSettings settings, Clock clock, Metrics metrics,
      String identity, LeaderCallbacks leaderCallbacks, CanaryChecker canaryChecker,
      CanaryReconciler.RolloutObserver rolloutObserver, ModelRegistry modelRegistry) {
    String me = identity != null ? identity : Identity.ofThisProcess();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // Status is ours alone: a JSON patch of it is safe, and works the same on the test mock.
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          // Compare resource versions so an event is never mistaken for one of our own writes.
          .withParseResourceVersions(true)
          .withStopOnInformerErrorDuringStartup(true)
          .withReconciliationTerminationTimeout(RECONCILE_DRAIN)
          .withConcurrentReconciliationThreads(settings.reconcileThreads());
      if (metrics != null) {
        o.withMetrics(metrics);
      }
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
            .withLeaseNamespace(settings.leaseNamespace())
            .withIdentity(me)
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(leaderCallbacks)
            .build());
      }
    });
    EventRecorder events = new EventRecorder(me, clock);
    Optional<IstioApi> istio = ApiDetector.istio(client, settings.istioApi());
    Optional<AutoscalingApi> autoscaling = ApiDetector.autoscaling(client);
    List<PrimaryCacheAware<?>> reconcilers = new ArrayList<>();
    PrometheusClients prometheus = new PrometheusClients(PrometheusClient.DEFAULT_TIMEOUT);
    LiveAnalysis live = new LiveAnalysis(prometheus, settings.prometheusUrl(), clock);
    ModelRegistry registry = modelRegistry != null ? modelRegistry : mlflow(settings);
    reconcilers.add(register(operator, new InferenceServiceReconciler(settings, autoscaling, clock, events,
        new ModelResolver(registry, clock)), settings));
    // One watch per kind the traffic reconcilers read besides their own (InferenceServices, rival claimants).
    SharedInformers shared = new SharedInformers(client, settings.watchNamespaces(),
        operator.getConfigurationService().cacheSyncTimeout());
    ABTestReconciler abTests = new ABTestReconciler(istio, clock, events, shared);
    ShadowTestReconciler shadowTests = new ShadowTestReconciler(istio, clock, events, shared);
    CircuitBreakerReconciler breakers = new CircuitBreakerReconciler(istio, clock, events, shared);
    for (var analysed : List.of(abTests, shadowTests, breakers)) {
      analysed.useLiveAnalysis(live);
    }
    reconcilers.add(register(operator, abTests, settings));
    reconcilers.add(register(operator, shadowTests, settings));
    reconcilers.add(register(operator, breakers, settings));
    CanaryChecker checker = canaryChecker != null ? canaryChecker
        : new PrometheusCanaryChecker(prometheus, settings.prometheusUrl());
    reconcilers.add(register(operator, new CanaryReconciler(istio, clock, events, shared, checker, rolloutObserver),
        settings));
    // Not started here: the runtime starts it with the operator (a stand-by replica's reconcilers give it no keys).
    return new Built(operator, List.copyOf(reconcilers), live);
  }

  /**
   * How a failed reconcile is retried: after 2 s, then 1.5 times longer each time up to every 2 minutes, for
   * as long as it keeps failing. JOSDK's default gives up after 5 attempts (about 26 s) and then waits for the
   * next event or its 10-hour resync, so an API server outage of a minute would leave resources in
   * ReconcileError for hours.
   */
  static GenericRetry retry() {
    return new GenericRetry().setInitialInterval(2_000).setIntervalMultiplier(1.5).setMaxInterval(120_000)
        .withoutMaxAttempts();
  }

  /** MLflow's REST API with the credentials of the operator's environment, sent to its own tracking server only. */
  private static ModelRegistry mlflow(OperatorSettings settings) {
    RegistryCredentials credentials = RegistryCredentials.from(System::getenv, settings.mlflowTrackingUri());
    if (credentials.unusable()) {
      LOG.warn("MLflow credentials are set but MLFLOW_TRACKING_URI is not: they are sent nowhere (they go to the"
          + " operator's tracking server only)");
    } else if (credentials.present()) {
      LOG.info("Registry lookups use {}", credentials);
    } else if (System.getenv(RegistryCredentials.ENV_USERNAME) != null
        && System.getenv(RegistryCredentials.ENV_PASSWORD) == null) {
      LOG.warn("MLFLOW_TRACKING_USERNAME is set without MLFLOW_TRACKING_PASSWORD: registry lookups send no"
          + " credentials (add the password to the chart's mlflow.credentialsSecret)");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();
    return new MlflowRegistry(http, MlflowRegistry.DEFAULT_TIMEOUT, credentials);
  }

  private static <P extends HasMetadata, R extends Reconciler<P> & PrimaryCacheAware<P>> R register(
      Operator operator, R reconciler, OperatorSettings settings) {
    Consumer<ControllerConfigurationOverrider<P>> config = c -> {
      c.withRetry(retry());
      if (settings.watchNamespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(settings.watchNamespaces());
      }
    };
    operator.register(reconciler, config);
    return reconciler;
  }
}
