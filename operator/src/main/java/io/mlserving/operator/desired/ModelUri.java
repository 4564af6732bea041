package io.mlserving.operator.desired;

import io.mlserving.operator.api.v1alpha1.ModelSpec;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An MLflow Model Registry URI, {@code models:/<name>/<version>} or {@code models:/<name>@<alias>}: exactly one of
 * {@code version} and {@code alias} is set. Pure.
 */
public record ModelUri(String name, String version, String alias) {
  private static final Pattern MODELS = Pattern.compile(ModelSpec.MODELS_URI);

  /** The registry URI {@code uri} denotes, or empty when it is not one. */
  public static Optional<ModelUri> parse(String uri) {
    if (uri == null || !MODELS.matcher(uri).matches()) {
      return Optional.empty();
    }
    String rest = uri.substring(ModelSpec.MODELS_PREFIX.length());
    int at = rest.indexOf('@');
    if (at >= 0) {
      return Optional.of(new ModelUri(rest.substring(0, at), null, rest.substring(at + 1)));
    }
    int slash = rest.indexOf('/');
    return Optional.of(new ModelUri(rest.substring(0, slash), rest.substring(slash + 1), null));
  }

  /** Whether this URI names an alias, which can move (a version never does). */
  public boolean isAlias() {
    return alias != null;
  }

  /** What this URI names, for messages: "alias champion of model fraud" or "version 3 of model fraud". */
  public String describe() {
    return isAlias() ? "alias " + alias + " of model " + name : "version " + version + " of model " + name;
  }

  @Override
  public String toString() {
    return ModelSpec.MODELS_PREFIX + name + (isAlias() ? "@" + alias : "/" + version);
  }
}
