package io.mlserving.operator.testing;

/** Field paths as the API server prints them: {@code spec.variants[1].weight}, {@code spec.headers[x-user]}. */
final class FieldPath {
  private FieldPath() {}

  static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  static String key(String parent, String key) {
    return parent + "[" + key + "]";
  }

  /** A property name or, for a map (additionalProperties), a key. */
  static String member(String parent, com.fasterxml.jackson.databind.JsonNode schema, String name) {
    return Schemas.isMapKey(schema, name) ? key(parent, name) : child(parent, name);
  }
}
