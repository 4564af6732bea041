package io.mlserving.operator.validation;

/** One thing wrong with a resource: the field (as {@code spec.variants[1].weight}) and what is wrong. */
public record Problem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
