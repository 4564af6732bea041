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
  /** An Istio Gateway: {@code <namespace>/<name>} or {@code <name>}. */
  public static final String GATEWAY = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$";
  /**
   * A DNS name, optionally with a leading wildcard label ({@code *.example.com}). Written with {@code [*]} and
   * {@code [.]} rather than backslashes so that the same text is a Java regex and the body of a CEL string.
   */
  public static final String EXTERNAL_HOST =
      "^([*][.])?[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  public static final int MAX_GATEWAYS = 16;
  public static final int MAX_EXTERNAL_HOSTS = 16;
  static final String GATEWAYS_RULE = "self.all(g, g.matches('" + GATEWAY + "'))";
  static final String EXTERNAL_HOSTS_RULE = "self.all(h, h.matches('" + EXTERNAL_HOST + "'))";

  /** Name clients call (the apex Service); defaults to metadata.name. */
  @Size(max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name clients call (the apex Service); defaults to metadata.name.")
  private String host;

  /** Istio Gateways (namespace/name or name) that also route this host; the mesh is always included. */
  @Size(max = MAX_GATEWAYS)
  @ValidationRule(value = GATEWAYS_RULE, message = "each gateway must be <namespace>/<name> or <name>")
  @JsonPropertyDescription("Istio Gateways (namespace/name or name) that also route this host; the mesh is always included.")
  private List<@Size(max = MlServing.DNS_SUBDOMAIN_MAX_LENGTH) String> gateways;

  /** Extra host names served through the gateways, for example fraud.example.com. */
  @Size(max = MAX_EXTERNAL_HOSTS)
  @ValidationRule(value = EXTERNAL_HOSTS_RULE,
      message = "each external host must be a DNS name such as fraud.example.com or *.example.com")
  @JsonPropertyDescription("Extra host names served through the gateways, for example fraud.example.com.")
  private List<@Size(max = MlServing.DNS_SUBDOMAIN_MAX_LENGTH) String> externalHosts;

  /** Timeout of each request, for example 5s; Istio's default (none) when absent. */
  @Size(max = MlServing.DURATION_MAX_LENGTH)
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
