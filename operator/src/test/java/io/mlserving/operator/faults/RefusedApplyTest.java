package io.mlserving.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.RecordingDispatcher.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An apply the API server refuses as invalid (422) on an existing object: what a real server answers when
 * another manager changed a Service port (ports are keyed by port and protocol, so apply keeps their entry next
 * to ours and two ports are named http). The operator replaces the lists it sets with a JSON merge patch and
 * applies again, instead of retrying the same refused apply forever. The real server's case is
 * FieldOwnershipIT; here the 422 is injected, since the mock's apply emulation replaces lists by itself.
 */
class RefusedApplyTest {
  private static final String NS = "models";
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
  void anApplyRefusedAsInvalidIsFollowedByAMergePatchOfOurListsAndASecondApply() {
    h.readyInferenceService(NS, "fraud");
    h.cluster.dispatcher.clearRequests();
    // Armed before the drift: the informer event of the edit can bring the restoring apply at once.
    Fault refused = h.cluster.dispatcher.failNext(Faults.apply("services", "fraud"), 422, 1);
    h.cluster.client.services().inNamespace(NS).withName("fraud").edit(s -> {
      s.getSpec().getPorts().get(0).setPort(8081);
      return s;
    });
    // The edit above is the kind of change an informer event brings; make sure a reconcile runs now as well.
    h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName("fraud").edit(i -> {
      i.getSpec().getPredictor().setImage("ghcr.io/acme/fraud:2");
      return i;
    });

    await().atMost(OperatorHarness.DEADLINE).until(() -> h.get(Service.class, NS, "fraud").orElseThrow()
        .getSpec().getPorts().get(0).getPort() == 80);
    assertThat(refused.hits()).isEqualTo(1);
    assertThat(h.cluster.dispatcher.writes()).filteredOn(r -> r.path().split("[?]")[0].endsWith("/services/fraud"))
        .extracting(r -> r.method() + " " + r.contentType().split(";")[0])
        .containsSubsequence("PATCH application/apply-patch+yaml", "PATCH application/merge-patch+json",
            "PATCH application/apply-patch+yaml");
    h.markAvailable(NS, "fraud");
    h.awaitStatus(InferenceService.class, NS, "fraud", s -> Conditions.isReady(s.getConditions())
        && s.getObservedGeneration() == 2L);
  }
}
