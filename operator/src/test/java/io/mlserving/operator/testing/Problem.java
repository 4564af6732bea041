package io.mlserving.operator.testing;

/**
 * One reason the API server would refuse an object: the field path ({@code spec.variants[1].weight}; empty
 * for the object as a whole) and what is wrong with it (a rule's message, or a schema error).
 */
public record Problem(String field, String message) {
  /** How {@link #toString()} and the fixture files name the object as a whole. */
  public static final String ROOT = "<root>";

  /** The field path, or {@link #ROOT} for the object as a whole. */
  public String fieldOrRoot() {
    return field.isEmpty() ? ROOT : field;
  }

  @Override
  public String toString() {
    return fieldOrRoot() + ": " + message;
  }
}
