package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Observed state of an ABTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ABTestStatus extends HostStatus {
  /** What Prometheus says of each variant, and the verdict. */
  @JsonPropertyDescription("What Prometheus says of each variant, and the verdict.")
  private ABTestAnalysisStatus analysis;

  /** Effective weight of each variant, by variant name. */
  @JsonPropertyDescription("Effective weight of each variant, by variant name.")
  private Map<String, Integer> weights;

  /** The weights as one line (control=90,candidate=10), for the WEIGHTS printer column. */
  @JsonPropertyDescription("The weights as one line (control=90,candidate=10), for the WEIGHTS printer column.")
  private String weightSummary;

  public Map<String, Integer> getWeights() {
    return weights;
  }

  public void setWeights(Map<String, Integer> weights) {
    this.weights = weights;
  }

  public String getWeightSummary() {
    return weightSummary;
  }

  public void setWeightSummary(String weightSummary) {
    this.weightSummary = weightSummary;
  }

  public ABTestAnalysisStatus getAnalysis() {
    return analysis;
  }

  public void setAnalysis(ABTestAnalysisStatus analysis) {
    this.analysis = analysis;
  }
}
