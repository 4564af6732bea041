package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Retry policy of a route, as Istio's HTTPRetry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retries {
  /** Number of retries of a failed request; 0 disables retries. */
  @Required
  @Min(0)
  @Max(10)
  private Integer attempts;

  /** Timeout of each try, for example 2s. */
  @Size(max = 32)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  private String perTryTimeout;

  /** Conditions that trigger a retry, comma-separated as in Envoy, for example 5xx,reset. */
  @Size(max = 256)
  @Pattern("^[a-z0-9-]+(,[a-z0-9-]+)*$")
  private String retryOn;

  public Integer getAttempts() {
    return attempts;
  }

  public void setAttempts(Integer attempts) {
    this.attempts = attempts;
  }

  public String getPerTryTimeout() {
    return perTryTimeout;
  }

  public void setPerTryTimeout(String perTryTimeout) {
    this.perTryTimeout = perTryTimeout;
  }

  public String getRetryOn() {
    return retryOn;
  }

  public void setRetryOn(String retryOn) {
    this.retryOn = retryOn;
  }
}
