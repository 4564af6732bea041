package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Live analysis of a CircuitBreaker: what its pool refused and ejected. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CircuitBreakerAnalysisStatus {
  /** Requests refused by the connection pool (Envoy flag UO) in the window. */
  @JsonPropertyDescription("Requests refused by the connection pool (Envoy flag UO) in the window.")
  private Long overflowing;

  /** Requests with no healthy endpoint left (Envoy flag UH) in the window. */
  @JsonPropertyDescription("Requests with no healthy endpoint left (Envoy flag UH) in the window.")
  private Long noHealthyUpstream;

  /** Endpoints ejected now, when the sidecars export Envoy's outlier stats. */
  @JsonPropertyDescription("Endpoints ejected now, when the sidecars export Envoy's outlier stats.")
  private Long ejectionsActive;

  public Long getOverflowing() {
    return overflowing;
  }

  public void setOverflowing(Long overflowing) {
    this.overflowing = overflowing;
  }

  public Long getNoHealthyUpstream() {
    return noHealthyUpstream;
  }

  public void setNoHealthyUpstream(Long noHealthyUpstream) {
    this.noHealthyUpstream = noHealthyUpstream;
  }

  public Long getEjectionsActive() {
    return ejectionsActive;
  }

  public void setEjectionsActive(Long ejectionsActive) {
    this.ejectionsActive = ejectionsActive;
  }
}
