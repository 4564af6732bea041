package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Live analysis of an ABTest: which variant is winning, and how sure we are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ABTestAnalysis extends AnalysisSpec {
  public static final double DEFAULT_CONFIDENCE = 0.95;
  public static final long DEFAULT_MIN_REQUESTS = 100;
  public static final double MIN_CONFIDENCE = 0.5;
  public static final double MAX_CONFIDENCE = 1.0;

  /** Probability of being best a variant needs to be declared the winner, 0.5 to 1; default 0.95. */
  @Min(MIN_CONFIDENCE)
  @Max(MAX_CONFIDENCE)
  @JsonPropertyDescription("Probability of being best a variant needs to be declared the winner, 0.5 to 1;"
      + " default 0.95.")
  private Double confidence;

  /** Requests every variant needs in the window before a winner is named; default 100. */
  @Min(0)
  @JsonPropertyDescription("Requests every variant needs in the window before a winner is named; default 100.")
  private Long minRequests;

  public Double getConfidence() {
    return confidence;
  }

  public void setConfidence(Double confidence) {
    this.confidence = confidence;
  }

  public Long getMinRequests() {
    return minRequests;
  }

  public void setMinRequests(Long minRequests) {
    this.minRequests = minRequests;
  }
}
