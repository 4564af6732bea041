package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** The model server container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PredictorSpec {
  // The Deployment would be refused for these later; admission says so at once.
  static final String ENV_NAME_RULE = "self.all(e, has(e.name) && size(e.name) > 0)";
  static final String ENV_FROM_RULE = "self.all(e, has(e.configMapRef) != has(e.secretRef))";
  public static final String ENV_NAME_MESSAGE = "every env entry needs a name";
  public static final String ENV_FROM_MESSAGE = "each envFrom entry needs exactly one of configMapRef or secretRef";
  public static final int MAX_ENV = 256;
  public static final int MAX_ENV_FROM = 64;
  public static final int IMAGE_MAX_LENGTH = 512;
  public static final int MIN_PORT = 1;
  public static final int MAX_PORT = 65535;
  /** An absolute HTTP path. */
  public static final String HEALTH_PATH = "^/.*$";
  public static final int HEALTH_PATH_MAX_LENGTH = 256;

  /** Container image of the model server, for example ghcr.io/acme/onnx-server:1.4. */
  @Required
  @Size(min = 1, max = IMAGE_MAX_LENGTH)
  @JsonPropertyDescription("Container image of the model server, for example ghcr.io/acme/onnx-server:1.4.")
  private String image;

  /** Entrypoint override; the image's ENTRYPOINT when absent. */
  @JsonPropertyDescription("Entrypoint override; the image's ENTRYPOINT when absent.")
  private List<String> command;

  /** Arguments to the entrypoint; the image's CMD when absent. */
  @JsonPropertyDescription("Arguments to the entrypoint; the image's CMD when absent.")
  private List<String> args;

  /** Port the model server listens on inside the container. */
  @Default("8080")
  @Min(MIN_PORT)
  @Max(MAX_PORT)
  @JsonPropertyDescription("Port the model server listens on inside the container.")
  private Integer port;

  /** Wire protocol of the model server; names the container and Service port (http or grpc). */
  @Default("http")
  @JsonPropertyDescription("Wire protocol of the model server; names the container and Service port (http or grpc).")
  private Protocol protocol;

  /** Environment variables of the model server (parameter-based serving). */
  @Size(max = MAX_ENV)
  @ValidationRule(value = ENV_NAME_RULE, message = ENV_NAME_MESSAGE)
  @JsonPropertyDescription("Environment variables of the model server (parameter-based serving).")
  private List<EnvVar> env;

  /** ConfigMaps or Secrets whose keys become environment variables of the model server. */
  @Size(max = MAX_ENV_FROM)
  @ValidationRule(value = ENV_FROM_RULE, message = ENV_FROM_MESSAGE)
  @JsonPropertyDescription("ConfigMaps or Secrets whose keys become environment variables of the model server.")
  private List<EnvFromSource> envFrom;

  /** CPU, memory and accelerator requests and limits of the model server container. */
  @JsonPropertyDescription("CPU, memory and accelerator requests and limits of the model server container.")
  private ResourceRequirements resources;

  /** HTTP path for readiness and liveness probes; absent means a TCP probe on the port. */
  @Pattern(HEALTH_PATH)
  @Size(max = HEALTH_PATH_MAX_LENGTH)
  @JsonPropertyDescription("HTTP path for readiness and liveness probes; absent means a TCP probe on the port.")
  private String healthPath;

  /** Node labels the pods must match. */
  @JsonPropertyDescription("Node labels the pods must match.")
  private Map<String, String> nodeSelector;

  /** Tolerations of the pods, for example for GPU nodes. */
  @JsonPropertyDescription("Tolerations of the pods, for example for GPU nodes.")
  private List<Toleration> tolerations;

  /** Extra labels on the pods. */
  @JsonPropertyDescription("Extra labels on the pods.")
  private Map<String, String> podLabels;

  /** Extra annotations on the pods, for example for a service mesh. */
  @JsonPropertyDescription("Extra annotations on the pods, for example for a service mesh.")
  private Map<String, String> podAnnotations;

  /** The model server's wire protocol. */
  public enum Protocol {
    http,
    grpc
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command;
  }

  public List<String> getArgs() {
    return args;
  }

  public void setArgs(List<String> args) {
    this.args = args;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Protocol getProtocol() {
    return protocol;
  }

  public void setProtocol(Protocol protocol) {
    this.protocol = protocol;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public List<EnvFromSource> getEnvFrom() {
    return envFrom;
  }

  public void setEnvFrom(List<EnvFromSource> envFrom) {
    this.envFrom = envFrom;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public String getHealthPath() {
    return healthPath;
  }

  public void setHealthPath(String healthPath) {
    this.healthPath = healthPath;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }
}
