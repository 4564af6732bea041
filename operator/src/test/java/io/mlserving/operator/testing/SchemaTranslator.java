package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a CRD's openAPIV3Schema (OpenAPI 3.0 with Kubernetes extensions) as a JSON Schema draft 7 that
 * a generic validator checks the way the API server does:
 * <ul>
 *   <li>{@code nullable: true} adds {@code "null"} to the type (and to an enum);
 *   <li>{@code x-kubernetes-int-or-string} becomes {@code type: [integer, string]};
 *   <li>{@code x-kubernetes-preserve-unknown-fields} keeps undeclared fields; without it an object
 *       declares every field it accepts ({@code additionalProperties: false}), which is what strict
 *       field validation (kubectl's default) enforces; pruning instead is done before validation;
 *   <li>{@code x-kubernetes-embedded-resource} requires apiVersion and kind and accepts metadata;
 *   <li>OpenAPI's boolean {@code exclusiveMinimum/Maximum} become draft 7's numeric ones.
 * </ul>
 * Formats, list types and CEL rules are checked elsewhere ({@link SchemaExtras}, {@link CelRules}), so
 * {@code format} and the {@code x-kubernetes-*} keys are dropped here.
 */
final class SchemaTranslator {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> COPIED = Set.of("required", "enum", "minimum", "maximum", "minLength",
      "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
      "multipleOf");
  private static final Set<String> JUNCTORS = Set.of("allOf", "anyOf", "oneOf");

  private SchemaTranslator() {}

  /** The whole object's schema: the CRD's root plus the apiVersion, kind and metadata every object has. */
  static ObjectNode root(JsonNode schema) {
    ObjectNode out = translate(schema, false);
    ObjectNode properties = out.has("properties") ? (ObjectNode) out.get("properties") : out.putObject("properties");
    properties.set("apiVersion", JSON.objectNode().put("type", "string"));
    properties.set("kind", JSON.objectNode().put("type", "string"));
    // ObjectMeta is checked by ObjectMetaCheck; a CRD may only restrict metadata.name and generateName.
    ObjectNode metadata = JSON.objectNode().put("type", "object");
    JsonNode declared = Schemas.property(schema, "metadata");
    for (String restricted : new String[] {"name", "generateName"}) {
      JsonNode restriction = Schemas.property(declared, restricted);
      if (restriction != null) {
        metadata.withObjectProperty("properties").set(restricted, translate(restriction, false));
      }
    }
    properties.set("metadata", metadata);
    out.put("type", "object");
    return out;
  }

  static ObjectNode translate(JsonNode schema, boolean inJunctor) {
    ObjectNode out = JSON.objectNode();
    boolean nullable = Schemas.nullable(schema);
    String type = Schemas.type(schema);

    if (Schemas.intOrString(schema)) {
      out.set("type", types(nullable, "integer", "string"));
    } else if (!type.isEmpty()) {
      out.set("type", nullable ? types(true, type) : JSON.textNode(type));
    }

    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (COPIED.contains(key)) {
        out.set(key, value.deepCopy());
      } else if (key.equals("properties")) {
        ObjectNode properties = out.putObject("properties");
        value.fields().forEachRemaining(p -> properties.set(p.getKey(), translate(p.getValue(), inJunctor)));
      } else if (key.equals("items") && value.isObject()) {
        out.set("items", translate(value, inJunctor));
      } else if (key.equals("additionalProperties")) {
        out.set("additionalProperties", value.isObject() ? translate(value, inJunctor) : value.deepCopy());
      } else if (JUNCTORS.contains(key)) {
        if (Schemas.intOrString(schema) && key.equals("anyOf") && onlyTypes(value)) {
          continue; // the usual [{type: integer}, {type: string}] of int-or-string, expressed by the type above
        }
        ArrayNode branches = out.putArray(key);
        value.forEach(b -> branches.add(translate(b, true)));
      } else if (key.equals("not")) {
        out.set("not", translate(value, true));
      }
    }

    if (schema.path("exclusiveMinimum").asBoolean(false) && out.has("minimum")) {
      out.set("exclusiveMinimum", out.remove("minimum"));
    }
    if (schema.path("exclusiveMaximum").asBoolean(false) && out.has("maximum")) {
      out.set("exclusiveMaximum", out.remove("maximum"));
    }
    if (nullable && out.has("enum")) {
      ((ArrayNode) out.get("enum")).addNull();
    }
    if (Schemas.embeddedResource(schema)) {
      ObjectNode properties = out.withObjectProperty("properties");
      properties.set("apiVersion", JSON.objectNode().put("type", "string").put("minLength", 1));
      properties.set("kind", JSON.objectNode().put("type", "string").put("minLength", 1));
      properties.set("metadata", JSON.objectNode().put("type", "object"));
      ArrayNode required = out.has("required") ? (ArrayNode) out.get("required") : out.putArray("required");
      required.add("apiVersion").add("kind");
    }
    // Value validations inside allOf/anyOf/oneOf/not never declare fields, so only the structural
    // schema closes objects.
    boolean objectLike = type.equals("object") || schema.has("properties");
    if (objectLike && !inJunctor && !schema.has("additionalProperties") && !Schemas.preservesUnknownFields(schema)) {
      out.put("additionalProperties", false);
    }
    return out;
  }

  private static ArrayNode types(boolean nullable, String... types) {
    ArrayNode array = JSON.arrayNode();
    for (String t : types) {
      array.add(t);
    }
    if (nullable) {
      array.add("null");
    }
    return array;
  }

  private static boolean onlyTypes(JsonNode branches) {
    for (JsonNode branch : branches) {
      for (Iterator<String> names = branch.fieldNames(); names.hasNext(); ) {
        if (!names.next().equals("type")) {
          return false;
        }
      }
    }
    return true;
  }
}
