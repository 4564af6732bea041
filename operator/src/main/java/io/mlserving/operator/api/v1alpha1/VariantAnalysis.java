package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What Prometheus says of one ABTest variant over the analysis window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VariantAnalysis {
  /** The variant's name. */
  @JsonPropertyDescription("The variant's name.")
  private String name;

  /** Requests in the window. */
  @JsonPropertyDescription("Requests in the window.")
  private Long requests;

  /** Percent of the requests that were not 5xx. */
  @JsonPropertyDescription("Percent of the requests that were not 5xx.")
  private Double successRate;

  /** p99 of the request duration, in milliseconds. */
  @JsonPropertyDescription("p99 of the request duration, in milliseconds.")
  private Double latencyP99Ms;

  /** Bayesian probability that this variant has the highest success rate. */
  @JsonPropertyDescription("Bayesian probability that this variant has the highest success rate.")
  private Double probabilityBest;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

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

  public Double getProbabilityBest() {
    return probabilityBest;
  }

  public void setProbabilityBest(Double probabilityBest) {
    this.probabilityBest = probabilityBest;
  }
}
