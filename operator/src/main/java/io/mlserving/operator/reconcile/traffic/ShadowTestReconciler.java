package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestStatus;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.desired.ShadowTestResources;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Keeps a ShadowTest's apex Service and mirroring VirtualService in place. */
@ControllerConfiguration(name = ShadowTestReconciler.NAME)
public class ShadowTestReconciler extends ReferencingReconciler<ShadowTest, ShadowTestStatus> {
  public static final String NAME = "shadowtest";

  public ShadowTestReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events) {
    super(ShadowTest.class, List.of(ABTest.class, ShadowTest.class, Canary.class), istioApi, clock, events);
  }

  @Override
  protected ShadowTestStatus newStatus(ShadowTest st) {
    ShadowTestStatus status = new ShadowTestStatus();
    status.setHost(ShadowTestResources.host(st));
    status.setUrl(ShadowTestResources.url(st));
    return status;
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
