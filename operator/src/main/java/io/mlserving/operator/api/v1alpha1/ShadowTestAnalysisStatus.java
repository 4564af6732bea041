package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Live analysis of a ShadowTest: primary and shadow side by side. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowTestAnalysisStatus {
  /** The primary's figures. */
  @JsonPropertyDescription("The primary's figures.")
  private TrafficFigures primary;

  /** The shadow's figures (mirrored requests). */
  @JsonPropertyDescription("The shadow's figures (mirrored requests).")
  private TrafficFigures shadow;

  public TrafficFigures getPrimary() {
    return primary;
  }

  public void setPrimary(TrafficFigures primary) {
    this.primary = primary;
  }

  public TrafficFigures getShadow() {
    return shadow;
  }

  public void setShadow(TrafficFigures shadow) {
    this.shadow = shadow;
  }
}
