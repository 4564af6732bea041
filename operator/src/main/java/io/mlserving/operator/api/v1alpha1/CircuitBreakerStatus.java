package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of a CircuitBreaker. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CircuitBreakerStatus extends MlServingStatus {
  /** What Prometheus says of the breaker's target. */
  @JsonPropertyDescription("What Prometheus says of the breaker's target.")
  private CircuitBreakerAnalysisStatus analysis;

  /** The protected host: <inferenceService>.<namespace>.svc.cluster.local. */
  @JsonPropertyDescription("The protected host: <inferenceService>.<namespace>.svc.cluster.local.")
  private String host;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public CircuitBreakerAnalysisStatus getAnalysis() {
    return analysis;
  }

  public void setAnalysis(CircuitBreakerAnalysisStatus analysis) {
    this.analysis = analysis;
  }
}
