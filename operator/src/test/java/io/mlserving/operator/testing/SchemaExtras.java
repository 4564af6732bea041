package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema checks a JSON Schema validator does not know: string formats the API server checks
 * ({@code date-time}, {@code date}, {@code byte}) and {@code x-kubernetes-list-type} set and map
 * uniqueness.
 */
final class SchemaExtras {
  private static final Pattern DATE_TIME = Pattern.compile(
      "^(\\d{4}-\\d{2}-\\d{2})[Tt ]([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d+)?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$");

  private final List<Finding> findings = new ArrayList<>();

  private SchemaExtras() {}

  static List<Finding> check(JsonNode object, JsonNode rootSchema) {
    SchemaExtras extras = new SchemaExtras();
    extras.walk(object, rootSchema, "", true);
    return extras.findings;
  }

  private void walk(JsonNode data, JsonNode schema, String path, boolean resourceRoot) {
    if (data == null || data.isNull() || schema == null) {
      return;
    }
    if (data.isTextual() && !Schemas.intOrString(schema)) {
      checkFormat(data.asText(), schema.path("format").asText(""), path);
    } else if (data.isArray()) {
      checkListType(data, schema, path);
      JsonNode items = Schemas.items(schema);
      for (int i = 0; items != null && i < data.size(); i++) {
        walk(data.get(i), items, FieldPath.index(path, i), Schemas.embeddedResource(items));
      }
    } else if (data.isObject()) {
      data.fields().forEachRemaining(f -> {
        if (resourceRoot && (f.getKey().equals("metadata") || f.getKey().equals("apiVersion") || f.getKey().equals("kind"))) {
          return;
        }
        JsonNode fieldSchema = Schemas.field(schema, f.getKey());
        if (fieldSchema != null) {
          walk(f.getValue(), fieldSchema, FieldPath.member(path, schema, f.getKey()), Schemas.embeddedResource(fieldSchema));
        }
      });
    }
  }

  private void checkFormat(String value, String format, String path) {
    boolean valid = switch (format) {
      case "date-time", "datetime" -> DATE_TIME.matcher(value).matches() && validDate(value.substring(0, 10));
      case "date" -> value.length() == 10 && validDate(value);
      case "byte" -> validBase64(value);
      default -> true; // other formats: not checked here
    };
    if (!valid) {
      findings.add(new Finding(new Problem(path, "must be of type " + format + ": \"" + value + "\""), true));
    }
  }

  private void checkListType(JsonNode list, JsonNode schema, String path) {
    String listType = schema.path("x-kubernetes-list-type").asText("");
    if (!listType.equals("set") && !listType.equals("map")) {
      return;
    }
    List<String> keys = new ArrayList<>();
    schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
    Set<JsonNode> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      JsonNode identity = item;
      if (listType.equals("map") && item.isObject()) {
        var key = item.deepCopy();
        if (key instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
          object.retain(keys);
        }
        identity = key;
      }
      if (!seen.add(identity)) {
        findings.add(new Finding(new Problem(FieldPath.index(path, i), "Duplicate value: " + identity), false));
      }
    }
  }

  private static boolean validDate(String date) {
    try {
      LocalDate.parse(date);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean validBase64(String value) {
    try {
      Base64.getDecoder().decode(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
