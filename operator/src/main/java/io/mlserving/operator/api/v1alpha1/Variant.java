package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One arm of an A/B test: an InferenceService and its share of the traffic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Variant {
  /** Variant name (a DNS label), unique in the ABTest; used in routes, cookies and status. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_1123_LABEL)
  @JsonPropertyDescription("Variant name (a DNS label), unique in the ABTest; used in routes, cookies and status.")
  private String name;

  /** Name of the InferenceService, in the same namespace, that serves this variant. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService, in the same namespace, that serves this variant.")
  private String inferenceService;

  /** Percentage of the weighted traffic, 0 to 100; all weights sum to 100. */
  @Required
  @Min(0)
  @Max(MlServing.PERCENT_MAX)
  @JsonPropertyDescription("Percentage of the weighted traffic, 0 to 100; all weights sum to 100.")
  private Integer weight;

  public Variant() {}

  public Variant(String name, String inferenceService, Integer weight) {
    this.name = name;
    this.inferenceService = inferenceService;
    this.weight = weight;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getInferenceService() {
    return inferenceService;
  }

  public void setInferenceService(String inferenceService) {
    this.inferenceService = inferenceService;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }
}
