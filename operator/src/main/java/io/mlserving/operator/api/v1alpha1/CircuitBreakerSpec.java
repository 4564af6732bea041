package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Limits and ejection rules for the traffic to one InferenceService. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CircuitBreakerSpec {
  /** Live analysis in status (overflow, no healthy upstream, ejections); with the operator's Prometheus setting it is on with the defaults. */
  @JsonPropertyDescription("Live analysis in status (overflow, no healthy upstream, ejections); with the operator's Prometheus setting it is on with the defaults.")
  private CircuitBreakerAnalysis analysis;

  /** Name of the InferenceService, in the same namespace, that this protects. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService, in the same namespace, that this protects.")
  private String inferenceService;

  /** Connection and request limits; a request over a limit fails fast with 503. */
  @JsonPropertyDescription("Connection and request limits; a request over a limit fails fast with 503.")
  private ConnectionPool connectionPool;

  /** Ejection of pods that keep failing; applied with its defaults when absent. */
  @JsonPropertyDescription("Ejection of pods that keep failing; applied with its defaults when absent.")
  private OutlierDetection outlierDetection;

  public String getInferenceService() {
    return inferenceService;
  }

  public void setInferenceService(String inferenceService) {
    this.inferenceService = inferenceService;
  }

  public ConnectionPool getConnectionPool() {
    return connectionPool;
  }

  public void setConnectionPool(ConnectionPool connectionPool) {
    this.connectionPool = connectionPool;
  }

  public OutlierDetection getOutlierDetection() {
    return outlierDetection;
  }

  public void setOutlierDetection(OutlierDetection outlierDetection) {
    this.outlierDetection = outlierDetection;
  }

  public CircuitBreakerAnalysis getAnalysis() {
    return analysis;
  }

  public void setAnalysis(CircuitBreakerAnalysis analysis) {
    this.analysis = analysis;
  }
}
