package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.Operator;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.CountingMetrics;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real operator against the fabric8 mock API server in CRUD mode. */
class InferenceServiceOperatorTest {
  private static final String NS = "models";
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private MockCluster cluster;
  private Operator operator;
  private CountingMetrics metrics;

  @BeforeEach
  void start() {
    cluster = MockCluster.start();
    startOperator();
  }

  private void startOperator() {
    // Every intermediate status is written, so that the tests see each one; the grace has tests of its own.
    startOperator(OperatorSettings.defaults().withFirstStatusGrace(Duration.ZERO));
  }

  private void startOperator(OperatorSettings settings) {
    metrics = new CountingMetrics();
    operator = MlServingOperator.create(cluster.client, settings, Clock.systemUTC(), metrics);
    operator.start();
  }

  @Test
  void aNewInferenceServiceThatBecomesReadyWithinTheGraceGetsOneStatusWrite() {
    operator.stop();
    cluster.dispatcher.clearRequests();
    startOperator(OperatorSettings.defaults().withFirstStatusGrace(Duration.ofSeconds(30)));
    create(Fixtures.isvc(NS, "quick", "ghcr.io/acme/quick:1"));
    markAvailable(awaitDeployment("quick"), 1);

    InferenceService isvc = awaitStatus("quick", st -> Conditions.isReady(st.getConditions()));
    assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
    assertThat(cluster.dispatcher.requests()).filteredOn(r -> r.path().endsWith("/inferenceservices/quick/status"))
        .as("status writes").hasSize(1);
  }

  @Test
  void aNewInferenceServiceStillRollingOutAfterTheGraceShowsProgressing() {
    operator.stop();
    startOperator(OperatorSettings.defaults().withFirstStatusGrace(Duration.ofSeconds(2)));
    InferenceService created = create(Fixtures.isvc(NS, "slow", "ghcr.io/acme/slow:1"));
    awaitDeployment("slow");

    InferenceService isvc = awaitStatus("slow", st -> !st.getConditions().isEmpty());
    assertThat(ready(isvc).getReason()).isEqualTo(Reason.Progressing.name());
    assertThat(java.time.Instant.parse(ready(isvc).getLastTransitionTime()))
        .isAfterOrEqualTo(java.time.Instant.parse(created.getMetadata().getCreationTimestamp()).plusSeconds(1));
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.stop();
    }
    cluster.close();
  }

  @Test
  void createGeneratesDeploymentServiceAndStatus() {
    InferenceService created = create(Fixtures.isvcWithModel(NS, "fraud-v1", "s3://models/fraud/v1"));

    Deployment d = awaitDeployment("fraud-v1");
    Service s = awaitService("fraud-v1");
    assertThat(d.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(ref.getKind()).isEqualTo("InferenceService");
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
    assertThat(d.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.OPERATOR)
        .containsEntry(Labels.OWNER_NAME, "fraud-v1").containsEntry(Labels.OWNER_KIND, "InferenceService");
    assertThat(d.getSpec().getTemplate().getSpec().getInitContainers()).extracting("name")
        .containsExactly("model-loader");
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(s.getMetadata().getOwnerReferences()).hasSize(1);

    InferenceService isvc = awaitStatus("fraud-v1", st -> st.getConditions().size() == 1);
    assertThat(isvc.getStatus().getUrl()).isEqualTo("http://fraud-v1.models.svc.cluster.local");
    Condition ready = ready(isvc);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(Reason.Progressing.name());
    assertThat(ready.getLastTransitionTime()).isNotBlank();
    assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
  }

  @Test
  void deploymentAvailableMakesItReadyWithObservedGeneration() {
    create(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1"));
    markAvailable(awaitDeployment("iris"), 1);

    InferenceService isvc = awaitStatus("iris", st -> Conditions.isReady(st.getConditions()));
    Condition ready = ready(isvc);
    assertThat(ready.getReason()).isEqualTo(Reason.Ready.name());
    assertThat(ready.getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
    assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
    assertThat(isvc.getStatus().getReadyReplicas()).isEqualTo(1);
    assertThat(isvc.getStatus().getReplicas()).isEqualTo(1);
  }

  @Test
  void specChangeUpdatesTheDeployment() {
    create(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1"));
    awaitDeployment("iris");

    // edit() patches without a resourceVersion: no race with the operator's status writes.
    cluster.client.resources(InferenceService.class).inNamespace(NS).withName("iris").edit(isvc -> {
      isvc.getSpec().getPredictor().setImage("ghcr.io/acme/iris:2");
      isvc.getSpec().setReplicas(3);
      return isvc;
    });

    await().atMost(DEADLINE).untilAsserted(() -> {
      Deployment d = deployment("iris").orElseThrow();
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/acme/iris:2");
      assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    });
  }

  @Test
  void deletedOrEditedChildrenAreRestored() {
    create(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1"));
    awaitDeployment("iris");
    awaitService("iris");

    cluster.client.services().inNamespace(NS).withName("iris").delete();
    await().atMost(DEADLINE).until(() -> service("iris").isPresent());

    Deployment d = deployment("iris").orElseThrow();
    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:latest");
    d.getMetadata().getLabels().remove(Labels.OWNER_NAME);
    cluster.client.resource(d).update();
    await().atMost(DEADLINE).untilAsserted(() -> {
      Deployment restored = deployment("iris").orElseThrow();
      assertThat(restored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/acme/iris:1");
      assertThat(restored.getMetadata().getLabels()).containsEntry(Labels.OWNER_NAME, "iris");
    });
  }

  @Test
  void aForeignSpecChangeIsRestoredAfterStatusOnlyUpdates() {
    create(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1"));
    markAvailable(awaitDeployment("iris"), 1);
    awaitStatus("iris", st -> Conditions.isReady(st.getConditions()));
    // Status-only updates of the Deployment, as its controller makes them. Each reconcile finds every object as
    // desired and writes none, so the ones after it skip the desired state; the status shows each was done.
    for (int ready : new int[] {0, 1}) {
      Deployment d = deployment("iris").orElseThrow();
      d.getStatus().setReadyReplicas(ready);
      cluster.client.resource(d).updateStatus();
      awaitStatus("iris", st -> st.getReadyReplicas() != null && st.getReadyReplicas() == ready);
    }

    // Only the image, with every label and annotation left as it was: the spec differs, so it is restored.
    Deployment d = deployment("iris").orElseThrow();
    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:latest");
    cluster.client.resource(d).update();
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(deployment("iris").orElseThrow().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/acme/iris:1"));
  }

  @Test
  void crashLoopingLoaderIsModelLoadFailed() {
    create(Fixtures.isvcWithModel(NS, "fraud", "https://models.example.com/fraud.onnx"));
    markAvailable(awaitDeployment("fraud"), 1);
    awaitStatus("fraud", st -> Conditions.isReady(st.getConditions()));

    Pod pod = new PodBuilder()
        .withNewMetadata().withName("fraud-6d4cf56db6-abcde").withNamespace(NS)
          .addToLabels(Labels.INFERENCE_SERVICE, "fraud").endMetadata()
        .withNewSpec().addNewContainer().withName("predictor").withImage("x").endContainer().endSpec()
        .withNewStatus()
          .withPhase("Pending")
          .withInitContainerStatuses(new ContainerStatusBuilder()
              .withName("model-loader").withRestartCount(4)
              .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
              .withNewLastState().withNewTerminated().withExitCode(22)
                .withMessage("curl: (22) The requested URL returned error: 403").endTerminated().endLastState()
              .build())
        .endStatus()
        .build();
    cluster.client.resource(pod).create();

    InferenceService isvc = awaitStatus("fraud",
        st -> Conditions.find(st.getConditions(), "Ready").map(c -> Reason.ModelLoadFailed.name().equals(c.getReason()))
            .orElse(false));
    Condition ready = ready(isvc);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage()).contains("fraud-6d4cf56db6-abcde").contains("exit code 22")
        .contains("returned error: 403");
  }

  @Test
  void autoscalingAddsAnHpaAndRemovingItDeletesIt() {
    InferenceService isvc = Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1");
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMinReplicas(2);
    as.setMaxReplicas(5);
    isvc.getSpec().setAutoscaling(as);
    create(isvc);

    await().atMost(DEADLINE).until(() -> hpa("iris").isPresent());
    assertThat(hpa("iris").orElseThrow().getSpec().getMaxReplicas()).isEqualTo(5);
    assertThat(awaitDeployment("iris").getSpec().getReplicas()).isNull();

    cluster.client.resources(InferenceService.class).inNamespace(NS).withName("iris").edit(current -> {
      current.getSpec().setAutoscaling(null);
      return current;
    });
    await().atMost(DEADLINE).until(() -> hpa("iris").isEmpty());
    await().atMost(DEADLINE).until(() -> Integer.valueOf(1).equals(deployment("iris").orElseThrow().getSpec().getReplicas()));
  }

  @Test
  void onAClusterServingOnlyAutoscalingV2beta2TheHpaIsWrittenInV2beta2() {
    restartOperatorOn(() -> cluster.withAutoscaling("v2beta2"));
    create(autoscaled("iris"));

    await().atMost(DEADLINE).until(() -> hpaV2beta2("iris").isPresent());
    var hpa = hpaV2beta2("iris").orElseThrow();
    assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2beta2");
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
    assertThat(hpa.getSpec().getMetrics()).singleElement()
        .satisfies(m -> assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(80));
    assertThat(cluster.dispatcher.requests()).noneMatch(r -> r.path().startsWith("/apis/autoscaling/v2/"));

    cluster.client.resources(InferenceService.class).inNamespace(NS).withName("iris").edit(current -> {
      current.getSpec().setAutoscaling(null);
      return current;
    });
    await().atMost(DEADLINE).until(() -> hpaV2beta2("iris").isEmpty());
  }

  @Test
  void withoutAnyAutoscalingApiOnlyTheAutoscaledInferenceServiceIsNotReady() {
    restartOperatorOn(() -> cluster.withAutoscaling());
    create(autoscaled("iris"));
    create(Fixtures.isvc(NS, "plain", "ghcr.io/acme/plain:1"));

    InferenceService iris = awaitStatus("iris", st -> !st.getConditions().isEmpty());
    Condition ready = ready(iris);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(Reason.AutoscalingUnavailable.name());
    assertThat(ready.getMessage()).contains("spec.autoscaling").contains("autoscaling/v2beta2");
    assertThat(awaitDeployment("iris")).isNotNull();
    markAvailable(awaitDeployment("plain"), 1);
    awaitStatus("plain", st -> Conditions.isReady(st.getConditions()));
    assertThat(cluster.dispatcher.requests()).noneMatch(r -> r.path().contains("horizontalpodautoscalers"));
  }

  private void restartOperatorOn(Runnable clusterChange) {
    operator.stop();
    clusterChange.run();
    cluster.dispatcher.clearRequests();
    startOperator();
  }

  private static InferenceService autoscaled(String name) {
    InferenceService isvc = Fixtures.isvc(NS, name, "ghcr.io/acme/" + name + ":1");
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMinReplicas(2);
    as.setMaxReplicas(5);
    isvc.getSpec().setAutoscaling(as);
    return isvc;
  }

  private Optional<io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler> hpaV2beta2(
      String name) {
    return Optional.ofNullable(
        cluster.client.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(NS).withName(name).get());
  }

  @Test
  void invalidSpecThatBypassedAdmissionIsReportedAndGeneratesNothing() {
    // The mock does not enforce the CRD schema, as if admission had been bypassed.
    InferenceService bad = Fixtures.isvcWithModel(NS, "bad", "ftp://models/fraud");
    bad.getSpec().setReplicas(-1);
    create(bad);

    InferenceService isvc = awaitStatus("bad", st -> !st.getConditions().isEmpty());
    Condition ready = ready(isvc);
    assertThat(ready.getReason()).isEqualTo(Reason.InvalidSpec.name());
    assertThat(ready.getMessage()).contains("spec.model.storageUri").contains("spec.replicas");
    assertThat(deployment("bad")).isEmpty();
    assertThat(service("bad")).isEmpty();
    // No retry storm: one reconcile for the create; an invalid spec is not an error to retry.
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> metrics.of("InferenceService", NS, "bad") <= 2);
    assertThat(metrics.failures()).isZero();
  }

  @Test
  void forcedResyncOfConvergedResourcesSendsNoWrite() {
    for (int i = 0; i < 5; i++) {
      create(Fixtures.isvcWithModel(NS, "m" + i, "gs://bucket/m" + i));
    }
    for (int i = 0; i < 5; i++) {
      markAvailable(awaitDeployment("m" + i), 1);
    }
    for (int i = 0; i < 5; i++) {
      awaitStatus("m" + i, st -> Conditions.isReady(st.getConditions()));
    }

    // A forced full resync: a new operator process lists everything and reconciles every resource.
    operator.stop();
    cluster.dispatcher.clearRequests();
    startOperator();
    await().atMost(DEADLINE).until(() -> metrics.distinct() == 5);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> cluster.dispatcher.writes().isEmpty());
    assertThat(cluster.dispatcher.writes()).isEmpty();
    assertThat(metrics.failures()).isZero();
  }

  // ---- helpers

  private InferenceService create(InferenceService isvc) {
    return cluster.client.resource(isvc).create();
  }

  private void markAvailable(Deployment d, int replicas) {
    Deployment current = cluster.client.apps().deployments().inNamespace(NS).withName(d.getMetadata().getName()).get();
    current.setStatus(new DeploymentStatusBuilder()
        .withObservedGeneration(current.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas)
        .withConditions(new DeploymentConditionBuilder().withType("Available").withStatus("True").build())
        .build());
    cluster.client.resource(current).updateStatus();
  }

  private Deployment awaitDeployment(String name) {
    return await().atMost(DEADLINE).until(() -> deployment(name), Optional::isPresent).orElseThrow();
  }

  private Service awaitService(String name) {
    return await().atMost(DEADLINE).until(() -> service(name), Optional::isPresent).orElseThrow();
  }

  private InferenceService awaitStatus(String name,
      java.util.function.Predicate<io.mlserving.operator.api.v1alpha1.InferenceServiceStatus> condition) {
    return await().atMost(DEADLINE).until(
        () -> cluster.client.resources(InferenceService.class).inNamespace(NS).withName(name).get(),
        r -> r != null && r.getStatus() != null && condition.test(r.getStatus()));
  }

  private Optional<Deployment> deployment(String name) {
    return Optional.ofNullable(cluster.client.apps().deployments().inNamespace(NS).withName(name).get());
  }

  private Optional<Service> service(String name) {
    return Optional.ofNullable(cluster.client.services().inNamespace(NS).withName(name).get());
  }

  private Optional<HorizontalPodAutoscaler> hpa(String name) {
    return Optional.ofNullable(
        cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName(name).get());
  }

  private static Condition ready(InferenceService isvc) {
    return Conditions.find(isvc.getStatus().getConditions(), "Ready").orElseThrow();
  }

  @SuppressWarnings("unused")
  private static Map<String, String> labels(List<String> kv) {
    return Map.of();
  }
}
