package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The metric gates of a Canary: what Prometheus must say at every step for the rollout to go on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CanaryAnalysis.UNIQUE_RULE, message = CanaryAnalysis.UNIQUE_MESSAGE, fieldPath = ".metrics")
public class CanaryAnalysis {
  public static final int DEFAULT_FAILURE_THRESHOLD = 2;
  public static final int DEFAULT_MIN_REQUESTS = 1;
  public static final int MAX_FAILURE_THRESHOLD = 100;
  public static final int MAX_METRICS = 10;
  static final String UNIQUE_RULE = "self.metrics.all(m, self.metrics.exists_one(n, n.name == m.name))";
  public static final String UNIQUE_MESSAGE = "metrics[].name must be unique";

  /** The Prometheus to ask; default: the operator's setting (MLSERVING_PROMETHEUS_URL). */
  @JsonPropertyDescription("The Prometheus to ask; default: the operator's setting (MLSERVING_PROMETHEUS_URL).")
  private PrometheusRef prometheus;

  /** Range of the built-in queries, for example 1m; default: stepInterval. */
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("Range of the built-in queries, for example 1m; default: stepInterval.")
  private String window;

  /** Failed checks (not necessarily in a row) before the rollout is rolled back; default 2. */
  @Min(1)
  @Max(MAX_FAILURE_THRESHOLD)
  @JsonPropertyDescription("Failed checks (not necessarily in a row) before the rollout is rolled back; default 2.")
  private Integer failureThreshold;

  /** With fewer canary requests than this in the window a check is Inconclusive and the step waits; default 1. */
  @Min(0)
  @JsonPropertyDescription("With fewer canary requests than this in the window a check is Inconclusive and the"
      + " step waits; default 1.")
  private Integer minRequests;

  /** 1 to 10 metrics, each with a lower bound (min), an upper bound (max) or both. */
  @Required
  @Size(min = 1, max = MAX_METRICS)
  @JsonPropertyDescription("1 to 10 metrics, each with a lower bound (min), an upper bound (max) or both.")
  private List<CanaryMetric> metrics = new ArrayList<>();

  public PrometheusRef getPrometheus() {
    return prometheus;
  }

  public void setPrometheus(PrometheusRef prometheus) {
    this.prometheus = prometheus;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public Integer getFailureThreshold() {
    return failureThreshold;
  }

  public void setFailureThreshold(Integer failureThreshold) {
    this.failureThreshold = failureThreshold;
  }

  public Integer getMinRequests() {
    return minRequests;
  }

  public void setMinRequests(Integer minRequests) {
    this.minRequests = minRequests;
  }

  public List<CanaryMetric> getMetrics() {
    return metrics;
  }

  public void setMetrics(List<CanaryMetric> metrics) {
    this.metrics = metrics;
  }
}
