package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Live analysis of a ShadowTest: is the shadow as healthy as the primary. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowTestAnalysis extends AnalysisSpec {
  public static final double DEFAULT_MAX_SUCCESS_RATE_DROP = 1.0;
  public static final double DEFAULT_MAX_LATENCY_RATIO = 1.5;

  /** Percentage points the shadow's success rate may be below the primary's; default 1. */
  @Min(0)
  @Max(MlServing.PERCENT_MAX)
  @JsonPropertyDescription("Percentage points the shadow's success rate may be below the primary's; default 1.")
  private Double maxSuccessRateDrop;

  /** How many times the primary's p99 latency the shadow's may be; default 1.5. */
  @Min(1)
  @JsonPropertyDescription("How many times the primary's p99 latency the shadow's may be; default 1.5.")
  private Double maxLatencyRatio;

  public Double getMaxSuccessRateDrop() {
    return maxSuccessRateDrop;
  }

  public void setMaxSuccessRateDrop(Double maxSuccessRateDrop) {
    this.maxSuccessRateDrop = maxSuccessRateDrop;
  }

  public Double getMaxLatencyRatio() {
    return maxLatencyRatio;
  }

  public void setMaxLatencyRatio(Double maxLatencyRatio) {
    this.maxLatencyRatio = maxLatencyRatio;
  }
}
