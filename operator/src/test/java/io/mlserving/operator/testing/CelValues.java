package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON values as CEL sees them at a schema node, matching {@link CelSchemaTypes}: objects become maps
 * keyed by escaped property names (or by the raw keys for additionalProperties), integers {@code Long},
 * numbers {@code Double} (an integer in a {@code number} field too), and formatted strings bytes,
 * durations or timestamps.
 */
final class CelValues {
  private static final Pattern GO_DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");

  private CelValues() {}

  static Object of(JsonNode data, JsonNode schema, boolean resourceRoot) {
    if (data == null || data.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (schema == null || Schemas.intOrString(schema)) {
      return untyped(data);
    }
    switch (Schemas.type(schema)) {
      case "object":
        if (!data.isObject()) {
          return untyped(data);
        }
        return object(data, schema, resourceRoot);
      case "array": {
        if (!data.isArray()) {
          return untyped(data);
        }
        JsonNode items = Schemas.items(schema);
        List<Object> list = new ArrayList<>();
        data.forEach(item -> list.add(of(item, items, Schemas.embeddedResource(items))));
        return list;
      }
      case "string":
        return data.isTextual() ? string(data.asText(), schema.path("format").asText("")) : untyped(data);
      case "integer":
        return data.isIntegralNumber() ? (Object) data.asLong() : untyped(data);
      case "number":
        return data.isNumber() ? (Object) data.asDouble() : untyped(data);
      case "boolean":
        return data.isBoolean() ? (Object) data.asBoolean() : untyped(data);
      default:
        return untyped(data);
    }
  }

  private static Map<String, Object> object(JsonNode data, JsonNode schema, boolean resourceRoot) {
    Map<String, Object> map = new LinkedHashMap<>();
    JsonNode values = Schemas.additionalProperties(schema);
    if (values != null) {
      data.fields().forEachRemaining(f -> map.put(f.getKey(), of(f.getValue(), values, Schemas.embeddedResource(values))));
      return map;
    }
    boolean metaView = resourceRoot && !CelSchemaTypes.declaresTypeAndObjectMeta(schema);
    data.fields().forEachRemaining(f -> {
      String name = f.getKey();
      if (metaView && (name.equals("apiVersion") || name.equals("kind"))) {
        map.put(name, untyped(f.getValue()));
      } else if (metaView && name.equals("metadata")) {
        Map<String, Object> meta = new LinkedHashMap<>();
        for (String visible : new String[] {"name", "generateName"}) {
          if (f.getValue().has(visible)) {
            meta.put(visible, untyped(f.getValue().get(visible)));
          }
        }
        map.put(name, meta);
      } else {
        JsonNode property = Schemas.property(schema, name);
        if (property != null) {
          CelSchemaTypes.escape(name).ifPresent(escaped ->
              map.put(escaped, of(f.getValue(), property, Schemas.embeddedResource(property))));
        }
      }
    });
    return map;
  }

  private static Object string(String value, String format) {
    try {
      return switch (format) {
        case "byte" -> CelByteString.of(Base64.getDecoder().decode(value));
        case "duration" -> goDuration(value);
        case "date" -> LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
        case "date-time" -> OffsetDateTime.parse(value.replace(' ', 'T')).toInstant();
        default -> value;
      };
    } catch (RuntimeException e) {
      return value; // a format problem is reported by the schema check
    }
  }

  /** Go's {@code time.ParseDuration}: [-+] then one or more decimal numbers with a unit, or "0". */
  static Duration goDuration(String text) {
    String s = text;
    boolean negative = s.startsWith("-");
    if (s.startsWith("-") || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = GO_DURATION_PART.matcher(s);
    int at = 0;
    double nanos = 0;
    while (at < s.length() && m.find(at) && m.start() == at && !m.group(1).isEmpty() && !m.group(1).equals(".")) {
      double unit = switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs", "μs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      nanos += Double.parseDouble(m.group(1)) * unit;
      at = m.end();
    }
    if (at == 0 || at != s.length()) {
      throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }
    Duration d = Duration.ofNanos((long) nanos);
    return negative ? d.negated() : d;
  }

  /** A value whose schema says nothing CEL can use (int-or-string, or a type mismatch). */
  static Object untyped(JsonNode data) {
    if (data == null || data.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (data.isIntegralNumber()) {
      return data.asLong();
    }
    if (data.isNumber()) {
      return data.asDouble();
    }
    if (data.isBoolean()) {
      return data.asBoolean();
    }
    if (data.isTextual()) {
      return data.asText();
    }
    if (data.isArray()) {
      List<Object> list = new ArrayList<>();
      data.forEach(item -> list.add(untyped(item)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    data.fields().forEachRemaining(f -> map.put(f.getKey(), untyped(f.getValue())));
    return map;
  }
}
