package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The host clients call and how it is exposed; shared by ABTest and ShadowTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class HostRoutingSpec {
  /** Name clients call (the apex Service); defaults to metadata.name. */
  @Size(max = 63)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name clients call (the apex Service); defaults to metadata.name.")
  private String host;

  /** Istio Gateways (namespace/name or name) that also route this host; the mesh is always included. */
  @Size(max = 16)
  @ValidationRule(value = "self.all(g, g.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$'))",
      message = "each gateway must be <namespace>/<name> or <name>")
  @JsonPropertyDescription("Istio Gateways (namespace/name or name) that also route this host; the mesh is always included.")
  private List<@Size(max = 253) String> gateways;

  /** Extra host names served through the gateways, for example fraud.example.com. */
  @Size(max = 16)
  @ValidationRule(value = "self.all(h, h.matches('^(\\\\*\\\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))",
      message = "each external host must be a DNS name such as fraud.example.com or *.example.com")
  @JsonPropertyDescription("Extra host names served through the gateways, for example fraud.example.com.")
  private List<@Size(max = 253) String> externalHosts;

  /** Timeout of each request, for example 5s; Istio's default (none) when absent. */
  @Size(max = 32)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("Timeout of each request, for example 5s; Istio's default (none) when absent.")
  private String timeout;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public List<String> getGateways() {
    return gateways;
  }

  public void setGateways(List<String> gateways) {
    this.gateways = gateways;
  }

  public List<String> getExternalHosts() {
    return externalHosts;
  }

  public void setExternalHosts(List<String> externalHosts) {
    this.externalHosts = externalHosts;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }
}
