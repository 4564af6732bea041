package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where the metrics are read: a Prometheus server's HTTP API. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusRef {
  /** Base URL of the Prometheus HTTP API, for example http://prometheus.istio-system:9090 (no query or fragment). */
  @Required
  @Size(max = MlServing.URL_MAX_LENGTH)
  @Pattern(MlServing.HTTP_BASE_URL)
  @JsonPropertyDescription("Base URL of the Prometheus HTTP API, for example http://prometheus.istio-system:9090.")
  private String url;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }
}
