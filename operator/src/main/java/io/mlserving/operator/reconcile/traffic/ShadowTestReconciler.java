package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.SharedInformers;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestStatus;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.desired.ShadowTestResources;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.status.LiveStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keeps a ShadowTest's apex Service and mirroring VirtualService in place. */
@ControllerConfiguration(name = ShadowTestReconciler.NAME)
public class ShadowTestReconciler extends ReferencingReconciler<ShadowTest, ShadowTestStatus> {
  public static final String NAME = "shadowtest";

  public ShadowTestReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events,
      SharedInformers shared) {
    super(ShadowTest.class, List.of(ABTest.class, ShadowTest.class, Canary.class), istioApi, clock, events, shared);
  }

  @Override
  protected ShadowTestStatus newStatus(ShadowTest st) {
    ShadowTestStatus status = new ShadowTestStatus();
    status.setHost(ShadowTestResources.host(st));
    status.setUrl(ShadowTestResources.url(st));
    // The figures shown stay until a refresh says otherwise (or analysis is turned off).
    if (st.getStatus() != null) {
      status.setAnalysis(st.getStatus().getAnalysis());
    }
    return status;
  }

  @Override
  protected Optional<LiveAnalysis.Key> analysisKey(ShadowTest st) {
    return live().key(LiveAnalysis.Source.WORKLOADS, st.getSpec() == null ? null : st.getSpec().getAnalysis());
  }

  @Override
  protected void analyse(ShadowTest st, ShadowTestStatus next, LiveAnalysis.Key key, Instant now) {
    LiveStatus.shadowTest(st, next, live().workloads(key), key, now);
  }

  @Override
  protected boolean analysisRequested(ShadowTest st) {
    return st.getSpec() != null && st.getSpec().getAnalysis() != null
        && (st.getSpec().getAnalysis().getPrometheus() == null
            || st.getSpec().getAnalysis().getPrometheus().getUrl() == null);
  }

  @Override
  protected void clearAnalysis(ShadowTestStatus next) {
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
  protected String readyMessage(ShadowTest st) {
    return ShadowTestResources.host(st) + " is answered by " + st.getSpec().getPrimary() + "; "
        + ShadowTestResources.mirrorPercent(st) + "% is mirrored to " + st.getSpec().getShadow() + ".";
  }
}
