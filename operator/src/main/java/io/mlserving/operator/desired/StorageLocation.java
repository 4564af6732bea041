package io.mlserving.operator.desired;

import io.mlserving.operator.api.v1alpha1.ModelSpec;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed {@code model.storageUri} (or the artifact URI a registry resolved it to): its scheme and, for pvc://,
 * the claim and the path inside it.
 */
public record StorageLocation(Scheme scheme, String uri, String claim, String subPath) {
  private static final Pattern BUCKET = Pattern.compile(ModelSpec.BUCKET_URI);
  private static final Pattern HTTP = Pattern.compile(ModelSpec.HTTP_URI);
  private static final Pattern PVC = Pattern.compile(ModelSpec.PVC_URI);
  private static final Pattern HF = Pattern.compile(ModelSpec.HF_URI);
  private static final Pattern MODELS = Pattern.compile(ModelSpec.MODELS_URI);
  private static final Pattern CREDENTIALS = Pattern.compile(ModelSpec.CREDENTIALS_URI);
  /**
   * An artifact on an MLflow tracking server's artifact proxy: mlflow-artifacts:/<path> (the tracking server that
   * resolved it) or mlflow-artifacts://<host>[:<port>]/<path>.
   */
  private static final Pattern MLFLOW_ARTIFACTS = Pattern.compile("^mlflow-artifacts:(//[^/?#@\\s]+)?/[^?#\\s]+$");

  /** Where a model can come from. */
  public enum Scheme {
    S3,
    GS,
    HTTP,
    PVC,
    HF,
    /** models:/<name>/<version> or models:/<name>@<alias>: the operator resolves it and pins the version. */
    REGISTRY,
    /** Only as a resolved registry artifact: files fetched through the MLflow tracking server's artifact proxy. */
    MLFLOW_ARTIFACTS
  }

  /** The location, or empty when the URI has no supported scheme, is malformed or carries credentials. */
  public static Optional<StorageLocation> parse(String uri) {
    if (uri == null || CREDENTIALS.matcher(uri).find()) {
      return Optional.empty();
    }
    if (BUCKET.matcher(uri).matches()) {
      return Optional.of(new StorageLocation(uri.startsWith("s3://") ? Scheme.S3 : Scheme.GS, uri, null, null));
    }
    if (HTTP.matcher(uri).matches()) {
      return Optional.of(new StorageLocation(Scheme.HTTP, uri, null, null));
    }
    if (HF.matcher(uri).matches()) {
      return Optional.of(new StorageLocation(Scheme.HF, uri, null, null));
    }
    if (MODELS.matcher(uri).matches()) {
      return Optional.of(new StorageLocation(Scheme.REGISTRY, uri, null, null));
    }
    if (PVC.matcher(uri).matches()) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      String claim = slash < 0 ? rest : rest.substring(0, slash);
      // A volume subPath must be relative and must not climb out of the volume: the API server rejects
      // "/x" and "../x". Repeated and edge slashes are dropped; ".." makes the location invalid.
      String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+", "/").replaceAll("^/|/$", "");
      if (List.of(path.split("/")).contains("..")) {
        return Optional.empty();
      }
      return Optional.of(new StorageLocation(Scheme.PVC, uri, claim, path));
    }
    return Optional.empty();
  }

  /**
   * The location of a registry version's files, from the artifact URI the registry gave: s3://, gs://, http(s)://
   * or mlflow-artifacts:; empty for anything no loader fetches (a tracking server's local file:// store, dbfs:/,
   * runs:/, another registry URI, a URI with credentials).
   */
  public static Optional<StorageLocation> parseArtifact(String uri) {
    if (uri == null || CREDENTIALS.matcher(uri).find()) {
      return Optional.empty();
    }
    if (MLFLOW_ARTIFACTS.matcher(uri).matches()) {
      return Optional.of(new StorageLocation(Scheme.MLFLOW_ARTIFACTS, uri, null, null));
    }
    return parse(uri).filter(l -> l.scheme() == Scheme.S3 || l.scheme() == Scheme.GS || l.scheme() == Scheme.HTTP);
  }

  /** Whether an init container downloads the model (every scheme but pvc://). */
  public boolean needsLoader() {
    return scheme != Scheme.PVC;
  }
}
