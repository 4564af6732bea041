package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import io.mlserving.operator.status.Reason;

import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.traffic.ReferencingReconciler;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import org.junit.jupiter.api.Test;

/** The operator uses the Istio API version the cluster serves. */
class IstioVersionOperatorTest {
  private static final String NS = "models";

  @Test
  void clusterServingOnlyV1beta1GetsV1beta1Objects() {
    try (OperatorHarness h = new OperatorHarness(MockCluster.start().withIstio("v1beta1"),
        OperatorSettings.defaults())) {
      h.readyInferenceService(NS, "m1");
      h.readyInferenceService(NS, "m2");
      h.create(Fixtures.abTest(NS, "ab", null, "m1", 50, "m2", 50));
      h.create(Fixtures.circuitBreaker(NS, "cb", "m1"));
      h.awaitStatus(ABTest.class, NS, "ab", s -> Conditions.isReady(s.getConditions()));
      h.awaitStatus(CircuitBreaker.class, NS, "cb", s -> Conditions.isReady(s.getConditions()));
      assertThat(h.istio("v1beta1", "VirtualService", NS, "ab")).get()
          .satisfies(vs -> assertThat(vs.getApiVersion()).isEqualTo("networking.istio.io/v1beta1"));
      assertThat(h.istio("v1beta1", "DestinationRule", NS, "cb")).isPresent();
      assertThat(h.istio("v1", "VirtualService", NS, "ab")).isEmpty();
    }
  }

  @Test
  void clusterWithoutIstioSaysSoInTheStatusAndStillServesInferenceServices() {
    try (OperatorHarness h = new OperatorHarness(MockCluster.start(), OperatorSettings.defaults())) {
      h.readyInferenceService(NS, "m1");
      h.create(Fixtures.circuitBreaker(NS, "cb", "m1"));
      CircuitBreaker cb = h.awaitReason(CircuitBreaker.class, NS, "cb", Reason.IstioNotInstalled.name());
      assertThat(Conditions.find(cb.getStatus().getConditions(), "Ready").orElseThrow().getMessage())
          .contains("install Istio");
    }
  }
}
