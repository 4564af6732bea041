package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Arrays;
import java.util.List;

/** Retry policy of a route, as Istio's HTTPRetry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retries {
  /** Number of retries of a failed request; 0 disables retries. */
  @Required
  @Min(0)
  @Max(MAX_ATTEMPTS)
  @JsonPropertyDescription("Number of retries of a failed request; 0 disables retries.")
  private Integer attempts;

  /** Timeout of each try, for example 2s. */
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("Timeout of each try, for example 2s.")
  private String perTryTimeout;

  /** The retry conditions Envoy (and so Istio) accepts besides HTTP status codes, as the body of a CEL list. */
  static final String RETRY_ON_POLICY_LIST = "'5xx', 'gateway-error', 'reset',"
      + " 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',"
      + " 'retriable-headers', 'reset-before-request', 'http3-post-connect-failure', 'cancelled',"
      + " 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'";
  /** The same retry conditions as a Java list, read from {@link #RETRY_ON_POLICY_LIST} so there is one list. */
  public static final List<String> RETRY_ON_POLICIES = Arrays.stream(RETRY_ON_POLICY_LIST.split(","))
      .map(p -> p.strip().replace("'", "")).toList();
  /** A comma-separated list of retry conditions. */
  public static final String RETRY_ON = "^[a-z0-9-]+(,[a-z0-9-]+)*$";
  public static final int RETRY_ON_MAX_LENGTH = 256;
  /** An HTTP status code a retry condition may name. */
  public static final String STATUS_CODE = "^[1-5][0-9][0-9]$";
  static final String RETRY_ON_RULE =
      "self.split(',').all(p, p in [" + RETRY_ON_POLICY_LIST + "] || p.matches('" + STATUS_CODE + "'))";
  public static final String RETRY_ON_MESSAGE = "each retryOn entry must be an Envoy retry policy (5xx,"
      + " gateway-error, reset, connect-failure, retriable-4xx, refused-stream, ...) or an HTTP status code";
  public static final int MAX_ATTEMPTS = 10;

  /** Conditions that trigger a retry, comma-separated as in Envoy, for example 5xx,reset. */
  @Size(max = RETRY_ON_MAX_LENGTH)
  @Pattern(RETRY_ON)
  @ValidationRule(value = RETRY_ON_RULE, message = RETRY_ON_MESSAGE)
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
