package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of a ShadowTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowTestStatus extends HostStatus {
  /** What Prometheus says of the primary and the shadow. */
  @JsonPropertyDescription("What Prometheus says of the primary and the shadow.")
  private ShadowTestAnalysisStatus analysis;

  public ShadowTestAnalysisStatus getAnalysis() {
    return analysis;
  }

  public void setAnalysis(ShadowTestAnalysisStatus analysis) {
    this.analysis = analysis;
  }
}
