package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Requests, success rate and p99 latency of one InferenceService over the analysis window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficFigures {
  /** Requests in the window. */
  @JsonPropertyDescription("Requests in the window.")
  private Long requests;

  /** Percent of the requests that were not 5xx. */
  @JsonPropertyDescription("Percent of the requests that were not 5xx.")
  private Double successRate;

  /** p99 of the request duration, in milliseconds. */
  @JsonPropertyDescription("p99 of the request duration, in milliseconds.")
  private Double latencyP99Ms;

  public Long getRequests() {
    return requests;
  }

  public void setRequests(Long requests) {
    this.requests = requests;
  }

  public Double getSuccessRate() {
    return successRate;
  }

  public void setSuccessRate(Double successRate) {
    this.successRate = successRate;
  }

  public Double getLatencyP99Ms() {
    return latencyP99Ms;
  }

  public void setLatencyP99Ms(Double latencyP99Ms) {
    this.latencyP99Ms = latencyP99Ms;
  }
}
