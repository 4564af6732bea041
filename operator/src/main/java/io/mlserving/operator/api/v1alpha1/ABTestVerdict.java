package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Which ABTest variant is winning, and why (not) yet. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ABTestVerdict {
  /** The winning variant, once one is best with at least spec.analysis.confidence. */
  @JsonPropertyDescription("The winning variant, once one is best with at least spec.analysis.confidence.")
  private String winner;

  /** The leader's probability of being best. */
  @JsonPropertyDescription("The leader's probability of being best.")
  private Double probability;

  /** InsufficientData, NoWinnerYet or Winner. */
  @JsonPropertyDescription("InsufficientData, NoWinnerYet or Winner.")
  private String reason;

  public String getWinner() {
    return winner;
  }

  public void setWinner(String winner) {
    this.winner = winner;
  }

  public Double getProbability() {
    return probability;
  }

  public void setProbability(Double probability) {
    this.probability = probability;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
