package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The MLflow tracking server that resolves a {@code models:/} URI, and how often an alias is checked. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistrySpec {
  public static final String DEFAULT_POLL_INTERVAL = "1m";
  /** Shortest pollInterval: one request per alias and tracking server a second, whatever the number of resources. */
  public static final String MIN_POLL_INTERVAL = "1s";
  static final String POLL_INTERVAL_RULE = "duration(self) >= duration('" + MIN_POLL_INTERVAL + "')";
  public static final String POLL_INTERVAL_MESSAGE = "must be a duration of at least " + MIN_POLL_INTERVAL
      + ", such as 30s or 1m";

  /** Base URL of the MLflow tracking server, for example http://mlflow.mlflow:5000; default the operator's. */
  @Size(max = MlServing.URL_MAX_LENGTH)
  @Pattern(MlServing.HTTP_BASE_URL)
  @JsonPropertyDescription("Base URL of the MLflow tracking server, for example http://mlflow.mlflow:5000 (no query or fragment); default the operator's setting MLFLOW_TRACKING_URI.")
  private String url;

  /** How often the operator asks which version an alias points at, for example 1m; a move rolls it out. */
  @Default(DEFAULT_POLL_INTERVAL)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = POLL_INTERVAL_RULE, message = POLL_INTERVAL_MESSAGE)
  @JsonPropertyDescription("How often the operator asks which version a models:/<name>@<alias> URI points at, at least 1s (default 1m); a move rolls the new version out. A fixed version is resolved once.")
  private String pollInterval;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }
}
