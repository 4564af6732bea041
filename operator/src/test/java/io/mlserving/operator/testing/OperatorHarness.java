package io.mlserving.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.Operator;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.analysis.CanaryChecker;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import io.mlserving.operator.registry.ModelRegistry;
import io.mlserving.operator.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** The real operator on a mock cluster, with the waits and the Deployment-controller stand-in tests need. */
public final class OperatorHarness implements AutoCloseable {
  public static final Duration DEADLINE = Duration.ofSeconds(20);

  public final MockCluster cluster;
  public final OperatorSettings settings;
  public Operator operator;
  /** The operator with its reconcilers and live analysis. */
  public MlServingOperator.Built built;
  public CountingMetrics metrics;

  /** Makes the Canary's metric checks; null: the operator's own (Prometheus, as the settings say). */
  private final CanaryChecker canaryChecker;
  /** The operator's clock. */
  private final Clock clock;
  /** Resolves models:/ URIs; null: MLflow's REST API as the operator does it (settings' MLFLOW_TRACKING_URI). */
  private final ModelRegistry modelRegistry;

  public OperatorHarness(MockCluster cluster, OperatorSettings settings) {
    this(cluster, settings, null);
  }

  /** An operator whose Canary metric checks {@code canaryChecker} makes (tests script them). */
  public OperatorHarness(MockCluster cluster, OperatorSettings settings, CanaryChecker canaryChecker) {
    this(cluster, settings, canaryChecker, Clock.systemUTC());
  }

  /**
   * An operator on {@code clock} (a {@link MutableClock} drives what is scheduled by time, such as the refresh of
   * live analysis, without waiting).
   */
  public OperatorHarness(MockCluster cluster, OperatorSettings settings, CanaryChecker canaryChecker, Clock clock) {
    this(cluster, settings, canaryChecker, clock, null);
  }

  /**
   * An operator whose models:/ URIs {@code modelRegistry} resolves (for example an MlflowRegistry with test
   * credentials).
   */
  public static OperatorHarness withRegistry(MockCluster cluster, OperatorSettings settings,
      ModelRegistry modelRegistry) {
    return new OperatorHarness(cluster, settings, null, Clock.systemUTC(), modelRegistry);
  }

  private OperatorHarness(MockCluster cluster, OperatorSettings settings, CanaryChecker canaryChecker, Clock clock,
      ModelRegistry modelRegistry) {
    this.cluster = cluster;
    this.settings = settings;
    this.canaryChecker = canaryChecker;
    this.clock = clock;
    this.modelRegistry = modelRegistry;
    start();
  }

  /** Starts (again) a fresh operator process on the same mock cluster. */
  public void start() {
    metrics = new CountingMetrics();
    built = MlServingOperator.build(cluster.operatorClient, settings, clock, metrics, null, null,
        canaryChecker, null, modelRegistry);
    operator = built.operator();
    operator.start();
    built.live().start();
  }

  public void stop() {
    built.live().close();
    operator.stop();
  }

  public <T extends HasMetadata> T create(T resource) {
    return cluster.client.resource(resource).create();
  }

  public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
    return Optional.ofNullable(cluster.client.resources(type).inNamespace(namespace).withName(name).get());
  }

  /** A networking.istio.io object of the given version and kind, if present. */
  public Optional<GenericKubernetesResource> istio(String version, String kind, String namespace, String name) {
    return Optional.ofNullable(cluster.client.genericKubernetesResources("networking.istio.io/" + version, kind)
        .inNamespace(namespace).withName(name).get());
  }

  /** Waits until the resource's status satisfies {@code condition}, and returns it. */
  public <S extends MlServingStatus, T extends CustomResource<?, S>> T awaitStatus(Class<T> type, String namespace,
      String name, Predicate<S> condition) {
    return await().atMost(DEADLINE).until(() -> get(type, namespace, name).orElse(null),
        r -> r != null && r.getStatus() != null && condition.test(r.getStatus()));
  }

  /** Waits until the Ready condition has {@code reason}. */
  public <S extends MlServingStatus, T extends CustomResource<?, S>> T awaitReason(Class<T> type, String namespace,
      String name, String reason) {
    return awaitStatus(type, namespace, name, s -> Conditions.find(s.getConditions(), Conditions.READY)
        .map(c -> reason.equals(c.getReason())).orElse(false));
  }

  /** Plays the Deployment controller: marks the InferenceService's Deployment rolled out and available. */
  public void markAvailable(String namespace, String name) {
    Deployment d = await().atMost(DEADLINE)
        .until(() -> cluster.client.apps().deployments().inNamespace(namespace).withName(name).get(), x -> x != null);
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    d.setStatus(new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas)
        .withConditions(new DeploymentConditionBuilder().withType("Available").withStatus("True").build())
        .build());
    cluster.client.resource(d).updateStatus();
  }

  /** Creates an InferenceService and waits until it is Ready. */
  public InferenceService readyInferenceService(String namespace, String name) {
    create(Fixtures.isvc(namespace, name, "ghcr.io/acme/" + name + ":1"));
    markAvailable(namespace, name);
    return awaitStatus(InferenceService.class, namespace, name, s -> Conditions.isReady(s.getConditions()));
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      cluster.close();
    }
  }
}
