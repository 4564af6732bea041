package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the model comes from; an init container loads it before the model server starts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = ModelSpec.SCHEME_RULE, message = ModelSpec.SCHEME_MESSAGE, fieldPath = ".storageUri")
@ValidationRule(value = ModelSpec.NO_CREDENTIALS_RULE, message = ModelSpec.NO_CREDENTIALS_MESSAGE,
    fieldPath = ".storageUri")
@ValidationRule(value = ModelSpec.SHA_RULE, message = ModelSpec.SHA_MESSAGE, fieldPath = ".sha256")
@ValidationRule(value = ModelSpec.REGISTRY_RULE, message = ModelSpec.REGISTRY_MESSAGE, fieldPath = ".registry")
public class ModelSpec {
  /** s3://bucket/path or gs://bucket/path. */
  public static final String BUCKET_URI = "^(s3|gs)://[a-z0-9][-a-z0-9._]*[a-z0-9](/.*)?$";
  /** http(s)://host/path. */
  public static final String HTTP_URI = "^https?://[^/?#]+(/.*)?$";
  /** pvc://claim or pvc://claim/path. */
  public static final String PVC_URI = "^pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/.*)?$";
  /** hf://org/repo or hf://org/repo@revision. */
  public static final String HF_URI = "^hf://[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*(@[-A-Za-z0-9_./]+)?$";
  /**
   * An MLflow Model Registry URI: models:/<name>/<version> or models:/<name>@<alias>. Names of letters, digits,
   * '-', '_' and '.'; versions are positive integers; aliases letters, digits, '-' and '_' (as MLflow takes them).
   */
  public static final String MODELS_URI =
      "^models:/[A-Za-z0-9_][-A-Za-z0-9_.]*(/[1-9][0-9]*|@[A-Za-z0-9_][-A-Za-z0-9_]*)$";
  /** The prefix of a registry URI. */
  public static final String MODELS_PREFIX = "models:/";
  /** A URI with user information (user:password@host). */
  public static final String CREDENTIALS_URI = "^[a-zA-Z0-9+.-]+://[^/?#]*@";
  public static final int STORAGE_URI_MAX_LENGTH = 2048;
  /** A SHA-256 digest in hexadecimal. */
  public static final String SHA256 = "^[a-fA-F0-9]{64}$";
  /** An absolute path without ':' (the volume mount separator). */
  public static final String MOUNT_PATH = "^/[^:]*$";
  public static final int MOUNT_PATH_MAX_LENGTH = 256;

  static final String SCHEME_RULE =
      "self.storageUri.matches('" + BUCKET_URI + "')"
          + " || self.storageUri.matches('" + HTTP_URI + "')"
          + " || self.storageUri.matches('" + PVC_URI + "')"
          + " || self.storageUri.matches('" + HF_URI + "')"
          + " || self.storageUri.matches('" + MODELS_URI + "')";
  public static final String SCHEME_MESSAGE =
      "storageUri must be s3://<bucket>/<path>, gs://<bucket>/<path>, http(s)://<host>/<path>,"
          + " pvc://<claim>/<path>, hf://<org>/<repo>[@<revision>], or an MLflow registry URI"
          + " models:/<name>/<version> or models:/<name>@<alias>";
  static final String NO_CREDENTIALS_RULE = "!self.storageUri.matches('" + CREDENTIALS_URI + "')";
  public static final String NO_CREDENTIALS_MESSAGE =
      "storageUri must not carry credentials (user:password@); put them in the Secret named by credentialsSecret";
  static final String SHA_RULE = "!has(self.sha256) || !self.storageUri.startsWith('pvc://')";
  public static final String SHA_MESSAGE =
      "sha256 needs a downloaded model (s3, gs, http(s), hf, models); a pvc:// model is mounted, not downloaded";
  static final String REGISTRY_RULE = "!has(self.registry) || self.storageUri.startsWith('" + MODELS_PREFIX + "')";
  public static final String REGISTRY_MESSAGE =
      "registry applies to an MLflow registry URI only (storageUri models:/<name>/<version> or models:/<name>@<alias>)";

  /**
   * Model location: s3://, gs://, http(s)://, pvc://<claim>/<path>, hf://<org>/<repo>[@<revision>], or an MLflow
   * registry URI models:/<name>/<version> or models:/<name>@<alias>.
   */
  @Required
  @Size(min = 1, max = STORAGE_URI_MAX_LENGTH)
  @JsonPropertyDescription("Model location: s3://, gs://, http(s)://, pvc://<claim>/<path>, hf://<org>/<repo>[@<revision>], or an MLflow registry URI models:/<name>/<version> or models:/<name>@<alias> (resolved by the operator, which pins the version).")
  private String storageUri;

  /**
   * Name of a Secret in the same namespace whose keys become the loader's environment (for example
   * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, HF_TOKEN); the model server never sees it.
   */
  @Size(max = MlServing.DNS_SUBDOMAIN_MAX_LENGTH)
  @Pattern(MlServing.DNS_1123_SUBDOMAIN)
  @JsonPropertyDescription("Name of a Secret in the same namespace whose keys become the loader's environment (for example AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, HF_TOKEN); the model server never sees it.")
  private String credentialsSecret;

  public static final String DEFAULT_MOUNT_PATH = "/mnt/models";

  /** Directory where the model server finds the model; also given to it as MODEL_DIR. */
  @Default(DEFAULT_MOUNT_PATH)
  @Size(max = MOUNT_PATH_MAX_LENGTH)
  @Pattern(MOUNT_PATH)
  @JsonPropertyDescription("Directory where the model server finds the model; also given to it as MODEL_DIR.")
  private String mountPath;

  /** Expected SHA-256 (hex) of a single-file download; the loader fails when it differs. */
  @Pattern(SHA256)
  @JsonPropertyDescription("Expected SHA-256 (hex) of a single-file download; the loader fails when it differs.")
  private String sha256;

  /** The MLflow tracking server that resolves a models:/ URI, and how often an alias is checked. */
  @JsonPropertyDescription("The MLflow tracking server that resolves a models:/ URI (default: the operator's MLFLOW_TRACKING_URI), and how often an alias is checked.")
  private RegistrySpec registry;

  public String getStorageUri() {
    return storageUri;
  }

  public void setStorageUri(String storageUri) {
    this.storageUri = storageUri;
  }

  public String getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  public String getMountPath() {
    return mountPath;
  }

  public void setMountPath(String mountPath) {
    this.mountPath = mountPath;
  }

  public RegistrySpec getRegistry() {
    return registry;
  }

  public void setRegistry(RegistrySpec registry) {
    this.registry = registry;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }
}
