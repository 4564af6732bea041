package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Live analysis of an ABTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ABTestAnalysisStatus {
  /** Each variant's figures, in spec order. */
  @JsonPropertyDescription("Each variant's figures, in spec order.")
  private List<VariantAnalysis> variants;

  /** The verdict. */
  @JsonPropertyDescription("The verdict.")
  private ABTestVerdict verdict;

  public List<VariantAnalysis> getVariants() {
    return variants;
  }

  public void setVariants(List<VariantAnalysis> variants) {
    this.variants = variants;
  }

  public ABTestVerdict getVerdict() {
    return verdict;
  }

  public void setVerdict(ABTestVerdict verdict) {
    this.verdict = verdict;
  }
}
