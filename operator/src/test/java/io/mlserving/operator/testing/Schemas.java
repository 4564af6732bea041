package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Reading a CRD's openAPIV3Schema node the way the API server's structural schema does. */
final class Schemas {
  /** The ObjectMeta fields a manifest may set (strict decoding rejects any other). */
  static final List<String> OBJECT_META_FIELDS = List.of("name", "generateName", "namespace", "selfLink", "uid",
      "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
      "labels", "annotations", "ownerReferences", "finalizers", "managedFields");

  private Schemas() {}

  static String type(JsonNode schema) {
    return schema == null ? "" : schema.path("type").asText("");
  }

  static boolean flag(JsonNode schema, String name) {
    return schema != null && schema.path(name).asBoolean(false);
  }

  static boolean intOrString(JsonNode schema) {
    return flag(schema, "x-kubernetes-int-or-string");
  }

  static boolean preservesUnknownFields(JsonNode schema) {
    return flag(schema, "x-kubernetes-preserve-unknown-fields");
  }

  static boolean embeddedResource(JsonNode schema) {
    return flag(schema, "x-kubernetes-embedded-resource");
  }

  static boolean nullable(JsonNode schema) {
    return flag(schema, "nullable");
  }

  /** The schema of property {@code name}, or null. */
  static JsonNode property(JsonNode schema, String name) {
    return schema == null ? null : schema.path("properties").get(name);
  }

  /** The additionalProperties schema when it is a schema (not a boolean), or null. */
  static JsonNode additionalProperties(JsonNode schema) {
    JsonNode ap = schema == null ? null : schema.get("additionalProperties");
    return ap != null && ap.isObject() ? ap : null;
  }

  static JsonNode items(JsonNode schema) {
    JsonNode items = schema == null ? null : schema.get("items");
    return items != null && items.isObject() ? items : null;
  }

  /**
   * The schema of field {@code name} of an object described by {@code schema}: its property, else its
   * additionalProperties schema; null when the schema does not declare it.
   */
  static JsonNode field(JsonNode schema, String name) {
    JsonNode property = property(schema, name);
    return property != null ? property : additionalProperties(schema);
  }

  /** Whether {@code name} is a key of a map (additionalProperties) rather than a declared property. */
  static boolean isMapKey(JsonNode schema, String name) {
    return property(schema, name) == null && additionalProperties(schema) != null;
  }

  /** Whether an object described by {@code schema} keeps fields it does not declare. */
  static boolean keepsUnknownFields(JsonNode schema) {
    JsonNode ap = schema == null ? null : schema.get("additionalProperties");
    return preservesUnknownFields(schema) || (ap != null && (ap.isObject() || ap.asBoolean(false)));
  }
}
