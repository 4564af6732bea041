package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last check of one metric of a Canary. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryCheck {
  /** The metric's name, as in spec.analysis.metrics. */
  @JsonPropertyDescription("The metric's name, as in spec.analysis.metrics.")
  private String name;

  /** What Prometheus said; absent when there was no value. */
  @JsonPropertyDescription("What Prometheus said; absent when there was no value.")
  private Double value;

  /** The lower bound checked. */
  @JsonPropertyDescription("The lower bound checked.")
  private Double min;

  /** The upper bound checked. */
  @JsonPropertyDescription("The upper bound checked.")
  private Double max;

  /** Pass, Fail, Inconclusive or Error. */
  @JsonPropertyDescription("Pass, Fail, Inconclusive or Error.")
  private CheckResult result;

  /** Why, in a sentence. */
  @JsonPropertyDescription("Why, in a sentence.")
  private String message;

  /** When the check was made (RFC 3339). */
  @JsonPropertyDescription("When the check was made (RFC 3339).")
  private String time;

  public CanaryCheck() {}

  public CanaryCheck(String name, Double value, Double min, Double max, CheckResult result, String message,
      String time) {
    this.name = name;
    this.value = value;
    this.min = min;
    this.max = max;
    this.result = result;
    this.message = message;
    this.time = time;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Double getValue() {
    return value;
  }

  public void setValue(Double value) {
    this.value = value;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  public CheckResult getResult() {
    return result;
  }

  public void setResult(CheckResult result) {
    this.result = result;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }
}
