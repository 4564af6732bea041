package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.SharedInformers;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.ABTestStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.ABTestResources;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.status.LiveStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keeps an ABTest's apex Service and weighted VirtualService in place; status carries the weights. */
@ControllerConfiguration(name = ABTestReconciler.NAME)
public class ABTestReconciler extends ReferencingReconciler<ABTest, ABTestStatus> {
  public static final String NAME = "abtest";

  public ABTestReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events, SharedInformers shared) {
    super(ABTest.class, List.of(ABTest.class, ShadowTest.class, Canary.class), istioApi, clock, events, shared);
  }

  @Override
  protected ABTestStatus newStatus(ABTest ab) {
    ABTestStatus status = new ABTestStatus();
    status.setHost(ABTestResources.host(ab));
    status.setUrl(ABTestResources.url(ab));
    if (ab.getSpec() != null && ab.getSpec().getVariants() != null) {
      status.setWeights(ABTestResources.effectiveWeights(ab));
      status.setWeightSummary(ABTestResources.weightSummary(ab));
    }
    // The figures shown stay until a refresh says otherwise (or analysis is turned off).
    if (ab.getStatus() != null) {
      status.setAnalysis(ab.getStatus().getAnalysis());
    }
    return status;
  }

  @Override
  protected Optional<LiveAnalysis.Key> analysisKey(ABTest ab) {
    return live().key(LiveAnalysis.Source.WORKLOADS, ab.getSpec() == null ? null : ab.getSpec().getAnalysis());
  }

  @Override
  protected void analyse(ABTest ab, ABTestStatus next, LiveAnalysis.Key key, Instant now) {
    LiveStatus.abTest(ab, next, live().workloads(key), key, now);
  }

  @Override
  protected boolean analysisRequested(ABTest ab) {
    return ab.getSpec() != null && ab.getSpec().getAnalysis() != null
        && (ab.getSpec().getAnalysis().getPrometheus() == null
            || ab.getSpec().getAnalysis().getPrometheus().getUrl() == null);
  }

  @Override
  protected void clearAnalysis(ABTestStatus next) {
    next.setAnalysis(null);
  }


  @Override
  protected String istioKind() {
    return "VirtualService";
  }

  @Override
  protected boolean generatesService() {
    return true;
  }

  @Override
  protected String readyMessage(ABTest ab) {
    return "Every variant is Ready; " + ABTestResources.host(ab) + " routes " + ABTestResources.weightSummary(ab)
        + ".";
  }
}
