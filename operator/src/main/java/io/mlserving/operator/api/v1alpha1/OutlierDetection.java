package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Ejection of failing pods, as Istio's OutlierDetection. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutlierDetection {
  public static final int DEFAULT_CONSECUTIVE_5XX = 5;
  public static final String DEFAULT_INTERVAL = "10s";
  public static final String DEFAULT_BASE_EJECTION_TIME = "30s";
  /** 50, not Istio's 10: with fewer than 10 pods, 10 percent ejects nothing. */
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

  /** Consecutive 5xx answers that eject a pod. */
  @Default("5")
  @Min(1)
  @JsonPropertyDescription("Consecutive 5xx answers that eject a pod.")
  private Integer consecutive5xxErrors;

  /** How often pods are scanned for ejection, for example 10s. */
  @Default(DEFAULT_INTERVAL)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("How often pods are scanned for ejection, for example 10s.")
  private String interval;

  /** How long a pod stays ejected the first time, for example 30s. */
  @Default(DEFAULT_BASE_EJECTION_TIME)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("How long a pod stays ejected the first time, for example 30s.")
  private String baseEjectionTime;

  /** Most pods, in percent, that may be ejected at once. */
  @Default("50")
  @Min(0)
  @Max(MlServing.PERCENT_MAX)
  @JsonPropertyDescription("Most pods, in percent, that may be ejected at once.")
  private Integer maxEjectionPercent;

  public Integer getConsecutive5xxErrors() {
    return consecutive5xxErrors;
  }

  public void setConsecutive5xxErrors(Integer consecutive5xxErrors) {
    this.consecutive5xxErrors = consecutive5xxErrors;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getBaseEjectionTime() {
    return baseEjectionTime;
  }

  public void setBaseEjectionTime(String baseEjectionTime) {
    this.baseEjectionTime = baseEjectionTime;
  }

  public Integer getMaxEjectionPercent() {
    return maxEjectionPercent;
  }

  public void setMaxEjectionPercent(Integer maxEjectionPercent) {
    this.maxEjectionPercent = maxEjectionPercent;
  }
}
