package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** CPU-based horizontal autoscaling of the model server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message = AutoscalingSpec.MIN_ABOVE_MAX_MESSAGE, fieldPath = ".minReplicas")
public class AutoscalingSpec {
  public static final String MIN_ABOVE_MAX_MESSAGE = "minReplicas must not be greater than maxReplicas";

  /** Lowest number of replicas. */
  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Lowest number of replicas.")
  private Integer minReplicas;

  /** Highest number of replicas. */
  @Required
  @Min(1)
  @JsonPropertyDescription("Highest number of replicas.")
  private Integer maxReplicas;

  /** Average CPU utilisation, in percent of the request, that the autoscaler aims for. */
  @Default("80")
  @Min(1)
  @Max(MlServing.PERCENT_MAX)
  @JsonPropertyDescription("Average CPU utilisation, in percent of the request, that the autoscaler aims for.")
  private Integer targetCPUUtilizationPercentage;

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getTargetCPUUtilizationPercentage() {
    return targetCPUUtilizationPercentage;
  }

  public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
    this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
  }
}
