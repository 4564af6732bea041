package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.mlserving.operator.analysis.CanaryChecker;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.CanaryResources;
import io.mlserving.operator.desired.DesiredResources;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.SharedInformers;
import io.mlserving.operator.reconcile.StatusUpdates;
import io.mlserving.operator.status.CanaryRollout;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a Canary's rollout: the apex Service and the weighted VirtualService at the weight the state machine
 * ({@link CanaryRollout}) decides, the metric checks when they fall due, status, Events, and a rescheduled
 * reconcile when the next check or the progress deadline falls due. References, host conflicts and Istio detection
 * as the ABTest's.
 */
@ControllerConfiguration(name = CanaryReconciler.NAME)
public class CanaryReconciler extends ReferencingReconciler<Canary, CanaryStatus> {
  public static final String NAME = "canary";
  private static final Logger LOG = LoggerFactory.getLogger(CanaryReconciler.class);

  /** Told about every rollback (the operator's metrics count them). */
  public interface RolloutObserver {
    /** The Canary's status now holds {@code weight}. */
    void weight(Canary canary, int weight);

    /** A rollout of the Canary was rolled back just now. */
    void rolledBack(Canary canary);

    RolloutObserver NONE = new RolloutObserver() {
      @Override
      public void weight(Canary canary, int weight) {}

      @Override
      public void rolledBack(Canary canary) {}
    };
  }

  private final CanaryChecker checker;
  private final RolloutObserver observer;

  public CanaryReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events, SharedInformers shared,
      CanaryChecker checker, RolloutObserver observer) {
    super(Canary.class, List.of(ABTest.class, ShadowTest.class, Canary.class), istioApi, clock, events, shared);
    this.checker = checker;
    this.observer = observer == null ? RolloutObserver.NONE : observer;
  }

  /** Host and url from the spec; the rollout's fields as they were (a not-Ready verdict keeps the rollout's state). */
  @Override
  protected CanaryStatus newStatus(Canary c) {
    CanaryStatus status = new CanaryStatus();
    CanaryStatus prev = c.getStatus();
    if (prev != null) {
      copyRollout(prev, status);
    }
    status.setHost(CanaryResources.host(c));
    status.setUrl(CanaryResources.url(c));
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
  protected String readyMessage(Canary c) {
    return "Promoted.";
  }

  @Override
  protected UpdateControl<Canary> applyAndReport(Canary c, CanaryStatus next, Map<String, InferenceService> isvcs,
      Context<Canary> ctx) {
    InferenceService stable = isvcs.get(c.getSpec().getStable());
    InferenceService canary = isvcs.get(c.getSpec().getCanary());
    CanaryRollout.Models models = new CanaryRollout.Models(isReady(stable), whyNotReady(stable), isReady(canary),
        whyNotReady(canary), canary.getMetadata().getGeneration());
    Instant now = clock.instant();
    Optional<List<CanaryCheck>> checks = Optional.empty();
    if (CanaryRollout.checksDue(c, models, now)) {
      checks = Optional.of(checker.check(c, now));
    }
    CanaryRollout.Decision d = CanaryRollout.next(c, models, checks, now);
    copyRollout(d.status(), next);

    // What is applied follows the status about to be written: the same desired-state code as render, given a
    // view of the Canary that carries the next status (render's Canary has none: the Waiting state).
    Canary view = new Canary();
    view.setMetadata(c.getMetadata());
    view.setSpec(c.getSpec());
    view.setStatus(next);
    syncOwned(c, DesiredResources.of(view, null, DesiredResources.Apis.of(istioApi.get()), isvcs), ctx);

    put(next, c, d.ready() ? Conditions.TRUE : Conditions.FALSE, d.reason().name(), d.message());
    UpdateControl<Canary> control = StatusUpdates.patchIfChanged(c, next, ctx, events());
    // After the status write: a failed write is retried, and the retry decides (and records) again.
    for (CanaryRollout.RolloutEvent e : d.events()) {
      events().record(ctx.getClient(), c, e.type(), e.reason(), e.note());
    }
    observer.weight(c, next.getCanaryWeight() == null ? 0 : next.getCanaryWeight());
    if (d.events().stream().anyMatch(e -> Reason.RolledBack.name().equals(e.reason()))) {
      LOG.info("Canary {}/{} rolled back: {}", c.getMetadata().getNamespace(), c.getMetadata().getName(),
          d.message());
      observer.rolledBack(c);
    }
    return d.requeueAfter().map(control::rescheduleAfter).orElse(control);
  }

  private static void copyRollout(CanaryStatus from, CanaryStatus to) {
    to.setPhase(from.getPhase());
    to.setStep(from.getStep());
    to.setCanaryWeight(from.getCanaryWeight());
    to.setFailedChecks(from.getFailedChecks());
    to.setStepStartedAt(from.getStepStartedAt());
    to.setChecks(from.getChecks());
    to.setCanaryGeneration(from.getCanaryGeneration());
    to.setRolloutGeneration(from.getRolloutGeneration());
    to.setStable(from.getStable());
    to.setCanary(from.getCanary());
  }
}
