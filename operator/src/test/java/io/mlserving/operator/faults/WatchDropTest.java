package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Watches that drop: every watch connection of the operator is closed by the server (an API server restart, a
 * proxy's idle timeout). A plain reconnect costs nothing; after an outage during which things changed, the
 * resumed watches are told their resourceVersion is too old (410 Gone, as an API server whose event history was
 * compacted does), the informers list again, and the operator catches up with everything it missed.
 */
class WatchDropTest {
  private OperatorHarness h;
  private Map<String, HasMetadata> expected;

  @BeforeEach
  void start() {
    h = Faults.operator();
    InferenceService m1 = h.readyInferenceService(NS, "m1");
    InferenceService m2 = h.readyInferenceService(NS, "m2");
    ABTest ab = h.create(Fixtures.abTest(NS, "ab", "scoring", "m1", 70, "m2", 30));
    h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));
    Faults.awaitQuiet(h, Duration.ofMillis(300));
    expected = new LinkedHashMap<>();
    expected.putAll(Faults.children(m1, "Deployment/m1", "Service/m1"));
    expected.putAll(Faults.children(m2, "Deployment/m2", "Service/m2"));
    expected.putAll(Faults.children(ab, "VirtualService/ab", "Service/scoring"));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void droppedWatchesReconnectWithoutAnyReconcileOrWrite() {
    int open = h.cluster.dispatcher.openWatches();
    h.metrics.reset();
    int writes = h.cluster.dispatcher.writes().size();

    assertThat(h.cluster.dispatcher.dropWatches()).isEqualTo(open).isGreaterThan(10);
    await().atMost(OperatorHarness.DEADLINE).until(() -> h.cluster.dispatcher.openWatches() >= open);
    Faults.assertQuiet(h, Duration.ofMillis(700));
    assertThat(h.metrics.total()).isZero();
    assertThat(h.cluster.dispatcher.writes()).hasSize(writes);
  }

  @Test
  void changesMadeWhileTheWatchesWereDownAreCaughtUpAfterwards() {
    var dispatcher = h.cluster.dispatcher;
    int open = dispatcher.openWatches();
    dispatcher.failNext(r -> r.isWatch(), 503, Integer.MAX_VALUE);
    assertThat(dispatcher.dropWatches()).isEqualTo(open);
    h.metrics.reset();

    // While the operator is blind: drift, a deleted Service, a deleted VirtualService, a spec change.
    Deployment d = h.get(Deployment.class, NS, "m1").orElseThrow();
    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:latest");
    Deployment edited = h.cluster.client.resource(d).update();
    h.cluster.client.services().inNamespace(NS).withName("m1").delete();
    h.cluster.client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace(NS)
        .withName("ab").delete();
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("m2").edit(m2 -> {
      m2.getSpec().setReplicas(3);
      return m2;
    });
    Faults.assertQuiet(h, Duration.ofMillis(500));
    assertThat(h.metrics.total()).as("reconciles while every watch is down").isZero();

    // The API server is back, without the events of the outage.
    dispatcher.expireWatchesBefore(Long.parseLong(edited.getMetadata().getResourceVersion()));
    dispatcher.clearRequests();
    dispatcher.clearFaults();

    await().atMost(OperatorHarness.DEADLINE).untilAsserted(() -> {
      assertThat(h.get(Deployment.class, NS, "m1").orElseThrow().getSpec().getTemplate().getSpec().getContainers()
          .get(0).getImage()).isEqualTo("ghcr.io/acme/m1:1");
      assertThat(h.get(Service.class, NS, "m1")).isPresent();
      assertThat(h.istio("v1", "VirtualService", NS, "ab")).isPresent();
      assertThat(h.get(Deployment.class, NS, "m2").orElseThrow().getSpec().getReplicas()).isEqualTo(3);
      InferenceService isvc = h.get(InferenceService.class, NS, "m2").orElseThrow();
      assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
    });
    Faults.awaitQuiet(h, Duration.ofMillis(700));
    assertThat(dispatcher.openWatches()).isGreaterThanOrEqualTo(open);
    assertThat(dispatcher.reads()).as("the informers listed again after 410 Gone")
        .anyMatch(r -> r.path().startsWith("/api/v1/services?"))
        .anyMatch(r -> r.path().startsWith("/apis/networking.istio.io/v1/virtualservices?"));
    assertThat(h.metrics.of("InferenceService", NS, "m1")).isBetween(1, 3);
    assertThat(h.metrics.of("InferenceService", NS, "m2")).isBetween(1, 3);
    // The ABTest also follows its InferenceServices, whose status changed on their own account (a restored
    // or changed Deployment is Progressing again): at most one more reconcile for each such status write.
    long isvcStatusWrites = dispatcher.writes().stream()
        .filter(Faults.status("inferenceservices", "m1").or(Faults.status("inferenceservices", "m2"))).count();
    assertThat(h.metrics.of("ABTest", NS, "ab")).isBetween(1, 3 + (int) isvcStatusWrites);
    assertThat(h.metrics.failures()).isZero();
    Faults.assertGeneratedExactly(h, expected);
  }
}
