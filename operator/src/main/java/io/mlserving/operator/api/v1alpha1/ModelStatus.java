package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The registry model an InferenceService serves: the URI of its spec, the version the operator resolved and
 * pinned in the Deployment, and where that version's files are.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelStatus {
  /** spec.model.storageUri as it was resolved, for example models:/fraud@champion. */
  @JsonPropertyDescription("spec.model.storageUri as it was resolved, for example models:/fraud@champion.")
  private String uri;

  /** The registry version pinned in the Deployment: every replica loads this one. */
  @JsonPropertyDescription("The registry version pinned in the Deployment: every replica loads this one.")
  private String version;

  /** Where the registry says that version's files are; the model loader fetches this URI. */
  @JsonPropertyDescription("Where the registry says that version's files are; the model loader fetches this URI.")
  private String resolvedUri;

  /** When the operator resolved the URI to this version (RFC 3339); unchanged while the version stays. */
  @JsonPropertyDescription("When the operator resolved the URI to this version (RFC 3339); unchanged while the version stays.")
  private String resolvedAt;

  /** The MLflow tracking server that resolved it (mlflow-artifacts:/ files are fetched through it). */
  @JsonPropertyDescription("The MLflow tracking server that resolved it (mlflow-artifacts:/ files are fetched through its artifact proxy).")
  private String registryUrl;

  public ModelStatus() {}

  public ModelStatus(String uri, String version, String resolvedUri, String resolvedAt, String registryUrl) {
    this.uri = uri;
    this.version = version;
    this.resolvedUri = resolvedUri;
    this.resolvedAt = resolvedAt;
    this.registryUrl = registryUrl;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getResolvedUri() {
    return resolvedUri;
  }

  public void setResolvedUri(String resolvedUri) {
    this.resolvedUri = resolvedUri;
  }

  public String getResolvedAt() {
    return resolvedAt;
  }

  public void setResolvedAt(String resolvedAt) {
    this.resolvedAt = resolvedAt;
  }

  public String getRegistryUrl() {
    return registryUrl;
  }

  public void setRegistryUrl(String registryUrl) {
    this.registryUrl = registryUrl;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelStatus m && Objects.equals(uri, m.uri) && Objects.equals(version, m.version)
        && Objects.equals(resolvedUri, m.resolvedUri) && Objects.equals(resolvedAt, m.resolvedAt)
        && Objects.equals(registryUrl, m.registryUrl);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, version, resolvedUri, resolvedAt, registryUrl);
  }
}
