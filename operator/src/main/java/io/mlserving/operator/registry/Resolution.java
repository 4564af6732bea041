package io.mlserving.operator.registry;

import java.time.Instant;

/**
 * The outcome of resolving a models:/ URI: the version and its artifact URI, or why not. {@code checkedAt} is when
 * the registry gave this answer.
 */
public record Resolution(Kind kind, String version, String artifactUri, String message, Instant checkedAt) {
  /** Found; the model, version or alias does not exist; or the registry could not be asked. */
  public enum Kind {
    FOUND,
    NOT_FOUND,
    UNAVAILABLE
  }

  public static Resolution found(String version, String artifactUri, Instant checkedAt) {
    return new Resolution(Kind.FOUND, version, artifactUri, null, checkedAt);
  }

  public static Resolution notFound(String message, Instant checkedAt) {
    return new Resolution(Kind.NOT_FOUND, null, null, message, checkedAt);
  }

  public static Resolution unavailable(String message, Instant checkedAt) {
    return new Resolution(Kind.UNAVAILABLE, null, null, message, checkedAt);
  }

  public boolean isFound() {
    return kind == Kind.FOUND;
  }
}
