package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Status fields of the kinds that serve a host: ABTest and ShadowTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class HostStatus extends MlServingStatus {
  /** Host clients call. */
  @JsonPropertyDescription("Host clients call.")
  private String host;

  /** In-cluster URL of the host: http://<host>.<namespace>.svc.cluster.local. */
  @JsonPropertyDescription("In-cluster URL of the host: http://<host>.<namespace>.svc.cluster.local.")
  private String url;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }
}
