package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Status fields every mlserving kind carries: the observed generation and Kubernetes conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class MlServingStatus {
  /** The metadata.generation this status was computed from. */
  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  /** Conditions in the Kubernetes form; `Ready` summarises the resource. */
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
