package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 5,000 spec updates to one resource as fast as a client can send them: the last one wins, the operator
 * reconciles far fewer times than there were updates (JOSDK folds the events that arrive during a reconcile
 * into one), and it goes quiet afterwards.
 */
class BurstUpdatesTest {
  private static final int UPDATES = 5_000;
  private static final int IN_FLIGHT = 4;
  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = Faults.operator();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void lastOfFiveThousandUpdatesWinsWithoutAHotLoop() {
    InferenceService created = h.create(Fixtures.isvc(NS, "burst", "ghcr.io/acme/burst:start"));
    h.awaitStatus(InferenceService.class, NS, "burst", s -> s.getObservedGeneration() != null);
    h.metrics.reset();
    h.cluster.dispatcher.clearRequests();

    // JSON merge patches straight over the client's HTTP connections (a typed patch would spend most of the time
    // (de)serialising), a few in flight at a time; the last one is sent once all the others are answered, so
    // it is the last one stored.
    var http = h.cluster.client.getHttpClient();
    String url = h.cluster.client.getMasterUrl() + "apis/mlserving.io/v1alpha1/namespaces/" + NS
        + "/inferenceservices/burst";
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < UPDATES; i++) {
      if (i == UPDATES - 1) {
        answers.forEach(CompletableFuture::join);
      }
      var request = http.newHttpRequestBuilder().uri(url).method("PATCH", "application/merge-patch+json",
          "{\"spec\":{\"replicas\":" + (1 + i % 3) + ",\"predictor\":{\"image\":\"ghcr.io/acme/burst:" + i + "\"}}}")
          .build();
      inFlight.acquireUninterruptibly();
      answers.add(http.sendAsync(request, String.class).thenApply(r -> r.code())
          .whenComplete((code, e) -> inFlight.release()));
    }
    assertThat(answers).allSatisfy(a -> assertThat(a.join()).isBetween(200, 299));
    long generation = h.get(InferenceService.class, NS, "burst").orElseThrow().getMetadata().getGeneration();
    assertThat(generation).isEqualTo(created.getMetadata().getGeneration() + UPDATES);
    long lastGeneration = generation;
    int lastReplicas = 1 + (UPDATES - 1) % 3;

    await().atMost(OperatorHarness.DEADLINE).untilAsserted(() -> {
      Deployment d = h.get(Deployment.class, NS, "burst").orElseThrow();
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/acme/burst:" + (UPDATES - 1));
      assertThat(d.getSpec().getReplicas()).isEqualTo(lastReplicas);
      InferenceService isvc = h.get(InferenceService.class, NS, "burst").orElseThrow();
      assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(lastGeneration);
    });
    Faults.awaitQuiet(h, Duration.ofSeconds(1));
    Faults.assertQuiet(h, Duration.ofSeconds(1));

    int reconciles = h.metrics.of("InferenceService", NS, "burst");
    long deploymentWrites = h.cluster.dispatcher.writes().stream().filter(Faults.apply("deployments", "burst"))
        .count();
    System.out.printf("%d updates: %d reconciles, %d Deployment writes%n", UPDATES, reconciles, deploymentWrites);
    assertThat(reconciles).isBetween(1, UPDATES / 5);
    assertThat(deploymentWrites).isBetween(1L, (long) reconciles);
    assertThat(h.metrics.failures()).isZero();
    InferenceService isvc = h.get(InferenceService.class, NS, "burst").orElseThrow();
    assertThat(isvc.getMetadata().getGeneration()).isEqualTo(lastGeneration);
    assertThat(Faults.readyReason(isvc)).isEqualTo(Reason.Progressing.name());
    Faults.assertGeneratedExactly(h, Faults.children(created, "Deployment/burst", "Service/burst"));
  }
}
