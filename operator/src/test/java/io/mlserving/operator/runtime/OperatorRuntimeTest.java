package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator process: health and readiness, Prometheus metrics, Events, leader election with two replicas. */
class OperatorRuntimeTest {
  private static final String NS = "models";
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();

  private static OperatorSettings settings(boolean leaderElection) {
    return new OperatorSettings(Set.of(), LoaderImages.defaults(), "auto", false, leaderElection, "ops", 0,
        OperatorSettings.DEFAULT_FIRST_STATUS_GRACE, null, null, OperatorSettings.DEFAULT_RECONCILE_THREADS);
  }

  @Test
  void healthReadinessMetricsAndEvents() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorRuntime runtime = new OperatorRuntime(cluster.client, settings(false), "replica-1", null).start()) {
      int port = runtime.httpPort();
      assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
      await().atMost(DEADLINE).until(() -> get(port, "/readyz").statusCode() == 200);

      cluster.client.resource(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1")).create();
      var d = await().atMost(DEADLINE).until(
          () -> cluster.client.apps().deployments().inNamespace(NS).withName("iris").get(), x -> x != null);
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withObservedGeneration(
              d.getMetadata().getGeneration()).withReplicas(1).withUpdatedReplicas(1).withReadyReplicas(1)
          .withAvailableReplicas(1).addNewCondition().withType("Available").withStatus("True").endCondition().build());
      cluster.client.resource(d).updateStatus();
      await().atMost(DEADLINE).until(() -> {
        InferenceService i = cluster.client.resources(InferenceService.class).inNamespace(NS).withName("iris").get();
        return i.getStatus() != null && Conditions.isReady(i.getStatus().getConditions());
      });

      await().atMost(DEADLINE).untilAsserted(() -> {
        String metrics = get(port, "/metrics").body();
        assertThat(metrics).contains("mlserving_resources{kind=\"InferenceService\",ready=\"True\"} 1.0")
            .contains("mlserving_resources{kind=\"ABTest\",ready=\"True\"} 0.0")
            .contains("operator_sdk_")
            .contains("jvm_memory_used_bytes");
      });

      // A plain rollout to Ready is no event; a failure is, and so is the recovery from it.
      assertThat(cluster.client.events().v1().events().inNamespace(NS).list().getItems()).isEmpty();
      Pod crashing = new PodBuilder()
          .withNewMetadata().withName("iris-abc").withNamespace(NS)
            .addToLabels("mlserving.io/inference-service", "iris").endMetadata()
          .withNewSpec().addNewContainer().withName("predictor").withImage("x").endContainer().endSpec()
          .withNewStatus().addToInitContainerStatuses(new ContainerStatusBuilder().withName("model-loader")
              .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().build())
          .endStatus().build();
      cluster.client.resource(crashing).create();
      await().atMost(DEADLINE).until(() -> reasons(cluster).contains("ModelLoadFailed"));
      cluster.client.resource(crashing).delete();
      await().atMost(DEADLINE).until(() -> reasons(cluster).contains("Ready"));

      List<Event> events = cluster.client.events().v1().events().inNamespace(NS).list().getItems();
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("ModelLoadFailed");
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getNote()).contains("iris-abc");
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("Ready");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getRegarding().getName()).isEqualTo("iris");
        assertThat(e.getRegarding().getKind()).isEqualTo("InferenceService");
        assertThat(e.getReportingInstance()).isEqualTo("replica-1");
      });
      assertThat(events).hasSize(2);
    }
  }

  private static List<String> reasons(MockCluster cluster) {
    return cluster.client.events().v1().events().inNamespace(NS).list().getItems().stream()
        .map(Event::getReason).toList();
  }

  @Test
  void twoReplicasWithLeaderElectionOnlyTheLeaderReconciles() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorRuntime one = new OperatorRuntime(cluster.client, settings(true), "replica-1", null).start()) {
      Lease lease = await().atMost(DEADLINE).until(() -> cluster.client.leases().inNamespace("ops")
          .withName("mlserving-operator-leader").get(), l -> l != null && l.getSpec().getHolderIdentity() != null);
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-1");
      try (OperatorRuntime two = new OperatorRuntime(cluster.client, settings(true), "replica-2", null).start()) {
        cluster.client.resource(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1")).create();
        await().atMost(DEADLINE).until(
            () -> cluster.client.apps().deployments().inNamespace(NS).withName("iris").get() != null);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> cluster.client.leases()
            .inNamespace("ops").withName("mlserving-operator-leader").get().getSpec().getHolderIdentity()
            .equals("replica-1"));
        assertThat(reconciles(two.httpPort())).isZero();
        assertThat(reconciles(one.httpPort())).isPositive();
      }
    }
  }

  @Test
  void closeLetsAnInFlightReconcileFinish() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      // The Deployment write is answered only after 1.5 s: the reconcile is in flight when close() begins.
      var slowWrite = cluster.dispatcher.slowNext(r -> r.isWrite() && r.path().contains("/deployments"), 1_500, 1);
      // No first-status grace: the reconcile writes its status (Progressing) right after the Deployment.
      OperatorSettings everyStatus = new OperatorSettings(Set.of(), LoaderImages.defaults(), "auto", false, false,
          "ops", 0, Duration.ZERO, null, null, OperatorSettings.DEFAULT_RECONCILE_THREADS);
      OperatorRuntime runtime = new OperatorRuntime(cluster.client, everyStatus, "replica-1", null).start();
      cluster.client.resource(Fixtures.isvc(NS, "iris", "ghcr.io/acme/iris:1")).create();
      await().atMost(DEADLINE).until(() -> slowWrite.hits() == 1);
      runtime.close();
      // The reconcile got its answer and went on to write the status, rather than being interrupted.
      InferenceService isvc = cluster.client.resources(InferenceService.class).inNamespace(NS).withName("iris").get();
      assertThat(isvc.getStatus()).as("status written by the reconcile that was in flight").isNotNull();
      assertThat(isvc.getStatus().getConditions()).extracting(c -> c.getType()).contains(Conditions.READY);
    }
  }

  private double reconciles(int port) throws IOException, InterruptedException {
    return get(port, "/metrics").body().lines()
        .filter(l -> l.startsWith("operator_sdk_reconciliations_started_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
