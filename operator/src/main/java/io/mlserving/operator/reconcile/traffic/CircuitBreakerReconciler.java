package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.SharedInformers;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerStatus;
import io.mlserving.operator.desired.CircuitBreakerResources;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.status.LiveStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keeps a CircuitBreaker's DestinationRule in place. */
@ControllerConfiguration(name = CircuitBreakerReconciler.NAME)
public class CircuitBreakerReconciler extends ReferencingReconciler<CircuitBreaker, CircuitBreakerStatus> {
  public static final String NAME = "circuitbreaker";

  public CircuitBreakerReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events,
      SharedInformers shared) {
    super(CircuitBreaker.class, List.of(CircuitBreaker.class), istioApi, clock, events, shared);
  }

  @Override
  protected CircuitBreakerStatus newStatus(CircuitBreaker cb) {
    CircuitBreakerStatus status = new CircuitBreakerStatus();
    if (cb.getSpec() != null && cb.getSpec().getInferenceService() != null) {
      status.setHost(CircuitBreakerResources.host(cb));
    }
    // The figures shown stay until a refresh says otherwise (or analysis is turned off).
    if (cb.getStatus() != null) {
      status.setAnalysis(cb.getStatus().getAnalysis());
    }
    return status;
  }

  @Override
  protected Optional<LiveAnalysis.Key> analysisKey(CircuitBreaker cb) {
    return live().key(LiveAnalysis.Source.BREAKERS, cb.getSpec() == null ? null : cb.getSpec().getAnalysis());
  }

  @Override
  protected void analyse(CircuitBreaker cb, CircuitBreakerStatus next, LiveAnalysis.Key key, Instant now) {
    LiveStatus.circuitBreaker(cb, next, live().breakers(key), key, now);
  }

  @Override
  protected boolean analysisRequested(CircuitBreaker cb) {
    return cb.getSpec() != null && cb.getSpec().getAnalysis() != null
        && (cb.getSpec().getAnalysis().getPrometheus() == null
            || cb.getSpec().getAnalysis().getPrometheus().getUrl() == null);
  }

  @Override
  protected void clearAnalysis(CircuitBreakerStatus next) {
    next.setAnalysis(null);
  }


  @Override
  protected String istioKind() {
    return "DestinationRule";
  }

  @Override
  protected boolean generatesService() {
    return false;
  }

  @Override
  protected String readyMessage(CircuitBreaker cb) {
    return "DestinationRule " + cb.getMetadata().getName() + " protects " + CircuitBreakerResources.host(cb) + ".";
  }
}
