package io.mlserving.operator.reconcile.traffic;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerStatus;
import io.mlserving.operator.desired.CircuitBreakerResources;
import io.mlserving.operator.desired.IstioApi;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Keeps a CircuitBreaker's DestinationRule in place. */
@ControllerConfiguration(name = CircuitBreakerReconciler.NAME)
public class CircuitBreakerReconciler extends ReferencingReconciler<CircuitBreaker, CircuitBreakerStatus> {
  public static final String NAME = "circuitbreaker";

  public CircuitBreakerReconciler(Optional<IstioApi> istioApi, Clock clock, EventRecorder events) {
    super(CircuitBreaker.class, List.of(CircuitBreaker.class), istioApi, clock, events);
  }

  @Override
  protected CircuitBreakerStatus newStatus(CircuitBreaker cb) {
    CircuitBreakerStatus status = new CircuitBreakerStatus();
    if (cb.getSpec() != null && cb.getSpec().getInferenceService() != null) {
      status.setHost(CircuitBreakerResources.host(cb));
    }
    return status;
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
