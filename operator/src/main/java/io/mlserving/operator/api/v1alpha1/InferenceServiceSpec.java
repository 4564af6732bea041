package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The model server, where its model comes from, and how many replicas serve it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InferenceServiceSpec {
  /** The model server container: image, port, protocol, parameters and resources. */
  @Required private PredictorSpec predictor;

  /** Where the model comes from; absent means the model is baked into the image (model-in-image). */
  @JsonPropertyDescription("Where the model comes from; absent means the model is baked into the image (model-in-image).")
  private ModelSpec model;

  /** Number of pods when autoscaling is not set; 0 scales the model down. */
  @Default("1")
  @Min(0)
  @JsonPropertyDescription("Number of pods when autoscaling is not set; 0 scales the model down.")
  private Integer replicas;

  /** Horizontal autoscaling on CPU; when set, the HorizontalPodAutoscaler owns the replica count. */
  @JsonPropertyDescription("Horizontal autoscaling on CPU; when set, the HorizontalPodAutoscaler owns the replica count.")
  private AutoscalingSpec autoscaling;

  public PredictorSpec getPredictor() {
    return predictor;
  }

  public void setPredictor(PredictorSpec predictor) {
    this.predictor = predictor;
  }

  public ModelSpec getModel() {
    return model;
  }

  public void setModel(ModelSpec model) {
    this.model = model;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }
}
