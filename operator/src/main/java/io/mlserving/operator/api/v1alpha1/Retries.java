package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
  @JsonPropertyDescription("Number of retries of a failed request; 0 disables retries.")
  private Integer attempts;

  /** Timeout of each try, for example 2s. */
  @Size(max = 32)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("Timeout of each try, for example 2s.")
  private String perTryTimeout;

  /** The retry conditions Envoy (and so Istio) accepts, besides HTTP status codes. */
  public static final java.util.List<String> RETRY_ON_POLICIES = java.util.List.of("5xx", "gateway-error", "reset",
      "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
      "retriable-headers", "reset-before-request", "http3-post-connect-failure", "cancelled",
      "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
  static final String RETRY_ON_RULE = "self.split(',').all(p, p in ['5xx', 'gateway-error', 'reset',"
      + " 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',"
      + " 'retriable-headers', 'reset-before-request', 'http3-post-connect-failure', 'cancelled',"
      + " 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] || p.matches('^[1-5][0-9][0-9]$'))";

  /** Conditions that trigger a retry, comma-separated as in Envoy, for example 5xx,reset. */
  @Size(max = 256)
  @Pattern("^[a-z0-9-]+(,[a-z0-9-]+)*$")
  @ValidationRule(value = RETRY_ON_RULE, message = "each retryOn entry must be an Envoy retry policy (5xx,"
      + " gateway-error, reset, connect-failure, retriable-4xx, refused-stream, ...) or an HTTP status code")
  @JsonPropertyDescription("Conditions that trigger a retry, comma-separated as in Envoy, for example 5xx,reset.")
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
