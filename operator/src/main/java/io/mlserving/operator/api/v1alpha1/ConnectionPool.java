package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Connection-pool limits, as Istio's ConnectionPoolSettings; each field is optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConnectionPool {
  /** Most TCP connections to the model (tcp.maxConnections). */
  @Min(1)
  @JsonPropertyDescription("Most TCP connections to the model (tcp.maxConnections).")
  private Integer maxConnections;

  /** Most requests waiting for a connection (http.http1MaxPendingRequests). */
  @Min(1)
  @JsonPropertyDescription("Most requests waiting for a connection (http.http1MaxPendingRequests).")
  private Integer maxPendingRequests;

  /** Most requests per connection; 1 disables keep-alive (http.maxRequestsPerConnection). */
  @Min(0)
  @JsonPropertyDescription("Most requests per connection; 1 disables keep-alive (http.maxRequestsPerConnection).")
  private Integer maxRequestsPerConnection;

  /** TCP connect timeout, for example 1s (tcp.connectTimeout). */
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("TCP connect timeout, for example 1s (tcp.connectTimeout).")
  private String connectTimeout;

  public Integer getMaxConnections() {
    return maxConnections;
  }

  public void setMaxConnections(Integer maxConnections) {
    this.maxConnections = maxConnections;
  }

  public Integer getMaxPendingRequests() {
    return maxPendingRequests;
  }

  public void setMaxPendingRequests(Integer maxPendingRequests) {
    this.maxPendingRequests = maxPendingRequests;
  }

  public Integer getMaxRequestsPerConnection() {
    return maxRequestsPerConnection;
  }

  public void setMaxRequestsPerConnection(Integer maxRequestsPerConnection) {
    this.maxRequestsPerConnection = maxRequestsPerConnection;
  }

  public String getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(String connectTimeout) {
    this.connectTimeout = connectTimeout;
  }
}
