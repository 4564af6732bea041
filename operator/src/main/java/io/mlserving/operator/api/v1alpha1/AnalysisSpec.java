package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What live analysis of ABTests, ShadowTests and CircuitBreakers shares: the Prometheus to ask and the window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class AnalysisSpec {
  public static final String DEFAULT_WINDOW = "5m";
  /** Shortest window: the refresh is window/5, and Prometheus' rate() needs a few scrapes in it. */
  public static final String MIN_WINDOW = "10s";
  static final String WINDOW_RULE = "duration(self) >= duration('" + MIN_WINDOW + "')";
  public static final String WINDOW_MESSAGE = "must be a duration of at least " + MIN_WINDOW + ", such as 5m";

  /** The Prometheus to ask; default: the operator's setting (MLSERVING_PROMETHEUS_URL). */
  @JsonPropertyDescription("The Prometheus to ask; default: the operator's setting (MLSERVING_PROMETHEUS_URL).")
  private PrometheusRef prometheus;

  /** Range the figures are computed over, for example 5m (the default); refreshed every window/5, at least 10s. */
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = WINDOW_RULE, message = WINDOW_MESSAGE)
  @JsonPropertyDescription("Range the figures are computed over, for example 5m (the default); refreshed every"
      + " window/5, at least 10s.")
  private String window;

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
}
