package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of an InferenceService. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InferenceServiceStatus extends MlServingStatus {
  /** In-cluster URL of the model: http://<name>.<namespace>.svc.cluster.local. */
  @JsonPropertyDescription("In-cluster URL of the model: http://<name>.<namespace>.svc.cluster.local.")
  private String url;

  /** Pods the Deployment currently has. */
  @JsonPropertyDescription("Pods the Deployment currently has.")
  private Integer replicas;

  /** Pods that pass their readiness probe. */
  @JsonPropertyDescription("Pods that pass their readiness probe.")
  private Integer readyReplicas;

  /** The registry model served, for a models:/ storageUri: the version pinned and where its files are. */
  @JsonPropertyDescription("The registry model served, for a models:/ storageUri: the version pinned and where its files are.")
  private ModelStatus model;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public ModelStatus getModel() {
    return model;
  }

  public void setModel(ModelStatus model) {
    this.model = model;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }
}
