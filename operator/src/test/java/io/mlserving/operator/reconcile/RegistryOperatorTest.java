package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.RegistrySpec;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.ModelResolution;
import io.mlserving.operator.testing.FakeModelRegistry;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * models:/ URIs on the mock API server with an in-memory registry: pinning, alias moves, outages, a deleted alias,
 * no registry at all, restarts, and the absence of writes and hot loops while nothing moves.
 */
class RegistryOperatorTest {
  private static final String NS = "models";
  private static final String URL = "http://mlflow.test:5000";
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private final FakeModelRegistry registry = new FakeModelRegistry()
      .version("fraud", "3", "s3://mlflow/1/r3/artifacts/model")
      .version("fraud", "4", "s3://mlflow/1/r4/artifacts/model")
      .alias("fraud", "champion", "3");
  private OperatorHarness h;

  private void start(OperatorSettings settings) {
    h = OperatorHarness.withRegistry(MockCluster.start(), settings.withFirstStatusGrace(Duration.ZERO), registry);
  }

  private void start() {
    start(OperatorSettings.defaults().withMlflowTrackingUri(URL));
  }

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private static InferenceService isvc(String name, String uri) {
    InferenceService isvc = Fixtures.isvcWithModel(NS, name, uri);
    RegistrySpec registry = new RegistrySpec();
    registry.setPollInterval("1s");
    isvc.getSpec().getModel().setRegistry(registry);
    return isvc;
  }

  private Optional<Deployment> deployment(String name) {
    return h.get(Deployment.class, NS, name);
  }

  private String loaderUri(String name) {
    return deployment(name).map(d -> InferenceServiceResources.loaderSettings(
        d.getSpec().getTemplate().getSpec().getInitContainers().get(0)).get("STORAGE_URI")).orElse(null);
  }

  private Optional<Condition> condition(String name, String type) {
    return h.get(InferenceService.class, NS, name).map(i -> i.getStatus() == null ? null : i.getStatus().getConditions())
        .flatMap(c -> Conditions.find(c, type));
  }

  private List<String> events(String reason) {
    return h.cluster.client.resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).map(e -> e.getType() + ": " + e.getNote()).toList();
  }

  private InferenceService readyAt(String name, String version) {
    await().atMost(DEADLINE).until(() -> h.get(InferenceService.class, NS, name)
        .map(i -> i.getStatus() != null && i.getStatus().getModel() != null
            && version.equals(i.getStatus().getModel().getVersion())).orElse(false));
    h.markAvailable(NS, name);
    return h.awaitStatus(InferenceService.class, NS, name, s -> Conditions.isReady(s.getConditions()));
  }

  @Test
  void theAliasIsPinnedAndAMoveRollsOutTheNewVersionWithAnEvent() {
    start();
    h.create(isvc("fraud", "models:/fraud@champion"));
    InferenceService ready = readyAt("fraud", "3");
    assertThat(ready.getStatus().getModel().getUri()).isEqualTo("models:/fraud@champion");
    assertThat(ready.getStatus().getModel().getResolvedUri()).isEqualTo("s3://mlflow/1/r3/artifacts/model");
    assertThat(ready.getStatus().getModel().getResolvedAt()).isNotBlank();
    assertThat(ready.getStatus().getModel().getRegistryUrl()).isEqualTo(URL);
    assertThat(loaderUri("fraud")).isEqualTo("s3://mlflow/1/r3/artifacts/model");
    assertThat(condition("fraud", ModelResolution.CONDITION).map(Condition::getStatus)).contains("True");
    String resolvedAt = ready.getStatus().getModel().getResolvedAt();

    registry.alias("fraud", "champion", "4");
    await().atMost(DEADLINE).until(() -> "s3://mlflow/1/r4/artifacts/model".equals(loaderUri("fraud")));
    assertThat(deployment("fraud").orElseThrow().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("mlserving.io/model-version", "4");
    InferenceService moved = readyAt("fraud", "4");
    assertThat(moved.getStatus().getModel().getResolvedAt()).isGreaterThanOrEqualTo(resolvedAt);
    assertThat(events("ModelVersionChanged")).containsExactly("Normal: models:/fraud@champion moved from version 3"
        + " to 4: rolling out s3://mlflow/1/r4/artifacts/model");
  }

  @Test
  void nothingMovesSoNothingIsWrittenAndTheRegistryIsAskedOncePerPoll() {
    start();
    h.create(isvc("fraud", "models:/fraud@champion"));
    readyAt("fraud", "3");
    await().atMost(DEADLINE).until(() -> condition("fraud", Conditions.READY).isPresent());
    h.cluster.dispatcher.clearRequests();
    int aliases = registry.aliasLookups.get();
    int downloads = registry.downloadLookups.get();
    // Four poll intervals with the alias where it was: no write of any kind.
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
        .until(() -> h.cluster.dispatcher.writes().isEmpty());
    int polls = registry.aliasLookups.get() - aliases;
    assertThat(polls).as("alias lookups in about 4 s at a 1 s interval").isBetween(2, 7);
    assertThat(registry.downloadLookups.get()).isEqualTo(downloads);
  }

  @Test
  void anOutageKeepsThePinnedVersionServingAndSaysSo() {
    start();
    h.create(isvc("fraud", "models:/fraud@champion"));
    readyAt("fraud", "3");
    Deployment before = deployment("fraud").orElseThrow();

    registry.outage("MLflow registry " + URL + " did not resolve alias champion of model fraud: connection refused");
    await().atMost(DEADLINE).until(() -> condition("fraud", ModelResolution.CONDITION)
        .map(c -> "RegistryUnavailable".equals(c.getReason())).orElse(false));
    Condition c = condition("fraud", ModelResolution.CONDITION).orElseThrow();
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getMessage()).contains("connection refused", "version 3 (pinned) keeps serving");
    assertThat(condition("fraud", Conditions.READY).map(Condition::getStatus)).contains("True");
    assertThat(deployment("fraud").orElseThrow().getMetadata().getGeneration())
        .isEqualTo(before.getMetadata().getGeneration());
    await().atMost(DEADLINE).until(() -> !events("RegistryUnavailable").isEmpty());
    assertThat(events("RegistryUnavailable")).allMatch(e -> e.startsWith("Warning: "));

    registry.outage(null);
    await().atMost(DEADLINE).until(() -> condition("fraud", ModelResolution.CONDITION)
        .map(x -> "True".equals(x.getStatus())).orElse(false));
    await().atMost(DEADLINE).until(() -> !events("Resolved").isEmpty());
  }

  @Test
  void aDeletedAliasIsModelNotFoundWhileThePinnedVersionKeepsServing() {
    start();
    h.create(isvc("fraud", "models:/fraud@champion"));
    readyAt("fraud", "3");
    registry.deleteAlias("fraud", "champion");
    InferenceService gone = h.awaitReason(InferenceService.class, NS, "fraud", "ModelNotFound");
    Condition ready = Conditions.find(gone.getStatus().getConditions(), Conditions.READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage()).contains("alias champion of model fraud", "version 3 (pinned) keeps serving");
    assertThat(gone.getStatus().getModel().getVersion()).isEqualTo("3");
    assertThat(loaderUri("fraud")).isEqualTo("s3://mlflow/1/r3/artifacts/model");

    registry.alias("fraud", "champion", "3");
    h.awaitStatus(InferenceService.class, NS, "fraud", s -> Conditions.isReady(s.getConditions()));
  }

  @Test
  void nothingIsCreatedBeforeTheFirstResolutionAndItIsRetried() {
    start();
    registry.outage("MLflow registry " + URL + " did not resolve alias champion of model fraud: connection refused");
    h.create(isvc("fraud", "models:/fraud@champion"));
    InferenceService waiting = h.awaitReason(InferenceService.class, NS, "fraud", "RegistryUnavailable");
    assertThat(Conditions.find(waiting.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("connection refused", "nothing is deployed until it answers");
    assertThat(deployment("fraud")).isEmpty();
    assertThat(waiting.getStatus().getModel()).isNull();

    registry.outage(null);
    readyAt("fraud", "3");
  }

  @Test
  void anUnknownModelNamesItAndCreatesNothing() {
    start();
    h.create(isvc("fraud", "models:/fraud/9"));
    InferenceService missing = h.awaitReason(InferenceService.class, NS, "fraud", "ModelNotFound");
    assertThat(Conditions.find(missing.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("version 9 of model fraud");
    assertThat(deployment("fraud")).isEmpty();
  }

  @Test
  void withoutAnyRegistryTheStatusSaysWhereToSetOne() {
    start(OperatorSettings.defaults());
    h.create(isvc("fraud", "models:/fraud@champion"));
    InferenceService none = h.awaitReason(InferenceService.class, NS, "fraud", "RegistryUnavailable");
    assertThat(Conditions.find(none.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("spec.model.registry.url", "MLFLOW_TRACKING_URI");
    assertThat(registry.aliasLookups).hasValue(0);
    assertThat(deployment("fraud")).isEmpty();
  }

  @Test
  void aFixedVersionIsAskedOnceAndARestartAsksNothingAndWritesNothing() {
    start();
    h.create(isvc("fixed", "models:/fraud/3"));
    h.create(isvc("alias", "models:/fraud@champion"));
    readyAt("fixed", "3");
    readyAt("alias", "3");
    await().atMost(DEADLINE).until(() -> condition("alias", ModelResolution.CONDITION).isPresent());
    h.stop();
    h.cluster.dispatcher.clearRequests();
    int aliases = registry.aliasLookups.get();
    int downloads = registry.downloadLookups.get();
    h.start();
    await().atMost(DEADLINE).until(() -> registry.aliasLookups.get() > aliases);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> h.cluster.dispatcher.writes().isEmpty());
    // The alias is polled again (a restart forgets the answers); its version is the pinned one, so the artifact
    // URI is not asked; the fixed version is not asked at all.
    assertThat(registry.downloadLookups.get()).isEqualTo(downloads);
  }

  @Test
  void leavingTheRegistryDropsItsStatus() {
    start();
    h.create(isvc("fraud", "models:/fraud@champion"));
    readyAt("fraud", "3");
    InferenceService current = h.get(InferenceService.class, NS, "fraud").orElseThrow();
    ModelSpec s3 = new ModelSpec();
    s3.setStorageUri("s3://models/fraud/v5");
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("fraud")
        .edit(i -> {
          i.getSpec().setModel(s3);
          return i;
        });
    await().atMost(DEADLINE).until(() -> "s3://models/fraud/v5".equals(loaderUri("fraud")));
    InferenceService after = h.awaitStatus(InferenceService.class, NS, "fraud",
        s -> s.getObservedGeneration() != null
            && s.getObservedGeneration() > current.getMetadata().getGeneration());
    assertThat(after.getStatus().getModel()).isNull();
    assertThat(Conditions.find(after.getStatus().getConditions(), ModelResolution.CONDITION)).isEmpty();
  }
}
