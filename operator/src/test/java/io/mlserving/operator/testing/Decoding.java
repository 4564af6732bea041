package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the API server does to a custom resource before it validates it, in place: unknown fields are
 * reported (strict field validation, kubectl's default) or pruned; {@code null} in a field that is not
 * {@code nullable} is dropped; then every absent property with a {@code default} gets it, top down, so
 * defaults inside a defaulted object apply too.
 */
final class Decoding {
  private final boolean strict;
  private final boolean applyDefaults;
  private final List<Problem> unknownFields = new ArrayList<>();

  private Decoding(boolean strict, boolean applyDefaults) {
    this.strict = strict;
    this.applyDefaults = applyDefaults;
  }

  /** Prepares {@code object} (the whole resource) and returns the unknown fields when strict. */
  static List<Problem> prepare(ObjectNode object, JsonNode rootSchema, boolean strict, boolean applyDefaults) {
    Decoding decoding = new Decoding(strict, applyDefaults);
    decoding.walk(object, rootSchema, "", true);
    return decoding.unknownFields;
  }

  private void walk(JsonNode data, JsonNode schema, String path, boolean resourceRoot) {
    if (data instanceof ObjectNode object && schema != null) {
      walkObject(object, schema, path, resourceRoot);
    } else if (data instanceof ArrayNode array && Schemas.items(schema) != null) {
      JsonNode items = Schemas.items(schema);
      for (int i = 0; i < array.size(); i++) {
        walk(array.get(i), items, FieldPath.index(path, i), Schemas.embeddedResource(items));
      }
    }
  }

  private void walkObject(ObjectNode object, JsonNode schema, String path, boolean resourceRoot) {
    for (String name : fieldNames(object)) {
      if (resourceRoot && (name.equals("apiVersion") || name.equals("kind"))) {
        continue;
      }
      if (resourceRoot && name.equals("metadata")) {
        checkMetadataFields(object.get(name), FieldPath.child(path, name));
        continue;
      }
      JsonNode fieldSchema = Schemas.field(schema, name);
      if (fieldSchema == null) {
        if (!Schemas.keepsUnknownFields(schema)) {
          if (strict) {
            unknownFields.add(new Problem(FieldPath.child(path, name), "field not declared in schema"));
          } else {
            object.remove(name);
          }
        }
        continue;
      }
      if (object.get(name).isNull() && !Schemas.nullable(fieldSchema)) {
        object.remove(name);
      }
    }
    if (applyDefaults) {
      schema.path("properties").fields().forEachRemaining(p -> {
        if (!object.has(p.getKey()) && p.getValue().has("default")) {
          object.set(p.getKey(), p.getValue().get("default").deepCopy());
        }
      });
    }
    for (String name : fieldNames(object)) {
      JsonNode fieldSchema = resourceRoot && isTypeOrMeta(name) ? null : Schemas.field(schema, name);
      if (fieldSchema != null) {
        walk(object.get(name), fieldSchema, FieldPath.member(path, schema, name), Schemas.embeddedResource(fieldSchema));
      }
    }
  }

  private void checkMetadataFields(JsonNode metadata, String path) {
    if (strict && metadata instanceof ObjectNode meta) {
      for (String name : fieldNames(meta)) {
        if (!Schemas.OBJECT_META_FIELDS.contains(name)) {
          unknownFields.add(new Problem(FieldPath.child(path, name), "field not declared in schema"));
        }
      }
    }
  }

  private static boolean isTypeOrMeta(String name) {
    return name.equals("apiVersion") || name.equals("kind") || name.equals("metadata");
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
