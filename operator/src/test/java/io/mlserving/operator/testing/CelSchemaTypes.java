package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CEL types the API server gives schema nodes, so rules are type-checked as on a real cluster
 * (an unknown field is a compile error, {@code self.x < self.y} needs comparable types):
 * objects with properties are struct types (property names escaped as Kubernetes does), objects with
 * additionalProperties are maps, arrays are lists, {@code integer} is int, {@code number} double,
 * strings with format byte / duration / date / date-time are bytes / duration / timestamp, and
 * x-kubernetes-int-or-string is dyn. The root of a resource (and every x-kubernetes-embedded-resource)
 * also exposes apiVersion, kind, metadata.name and metadata.generateName. A node without a type (or
 * whose items have none) is not visible to CEL.
 */
final class CelSchemaTypes implements CelTypeProvider {
  /** CEL keywords a property may be named after; Kubernetes exposes them as {@code __name__}. */
  private static final Set<String> RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
      "var", "void", "while");

  private final String prefix;
  private final Map<String, CelType> structs = new LinkedHashMap<>();
  private final Map<JsonNode, Optional<CelType>> types = new IdentityHashMap<>();
  private final Map<JsonNode, Optional<CelType>> resourceTypes = new IdentityHashMap<>();

  CelSchemaTypes(String prefix) {
    this.prefix = prefix;
  }

  /** The property name as CEL sees it, or empty when Kubernetes cannot expose it. */
  static Optional<String> escape(String name) {
    if (name.isEmpty() || (name.charAt(0) >= '0' && name.charAt(0) <= '9')) {
      return Optional.empty();
    }
    if (RESERVED.contains(name)) {
      return Optional.of("__" + name + "__");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_' && i + 1 < name.length() && name.charAt(i + 1) == '_') {
        out.append("__underscores__");
        i++;
      } else if (c == '.') {
        out.append("__dot__");
      } else if (c == '-') {
        out.append("__dash__");
      } else if (c == '/') {
        out.append("__slash__");
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
        out.append(c);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(out.toString());
  }

  /** Whether the API server's resource-root view (apiVersion, kind, metadata) replaces the schema's own. */
  static boolean declaresTypeAndObjectMeta(JsonNode schema) {
    JsonNode metadata = Schemas.property(schema, "metadata");
    return Schemas.type(Schemas.property(schema, "kind")).equals("string")
        && Schemas.type(Schemas.property(schema, "apiVersion")).equals("string")
        && Schemas.type(metadata).equals("object")
        && Schemas.type(Schemas.property(metadata, "name")).equals("string")
        && Schemas.type(Schemas.property(metadata, "generateName")).equals("string");
  }

  /** The CEL type of values at {@code schema}; {@code path} only names struct types. */
  Optional<CelType> declType(JsonNode schema, boolean resourceRoot, String path) {
    Map<JsonNode, Optional<CelType>> cache = resourceRoot ? resourceTypes : types;
    Optional<CelType> known = cache.get(schema);
    if (known == null) {
      known = compute(schema, resourceRoot, path);
      cache.put(schema, known);
    }
    return known;
  }

  private Optional<CelType> compute(JsonNode schema, boolean resourceRoot, String path) {
    if (schema == null) {
      return Optional.empty();
    }
    if (Schemas.intOrString(schema)) {
      return Optional.of(SimpleType.DYN);
    }
    String type = Schemas.type(schema);
    switch (type) {
      case "array": {
        JsonNode items = Schemas.items(schema);
        return items == null ? Optional.empty()
            : declType(items, Schemas.embeddedResource(items), path + ".items").map(ListType::create);
      }
      case "object": {
        JsonNode values = Schemas.additionalProperties(schema);
        if (values != null) {
          return declType(values, Schemas.embeddedResource(values), path + ".values")
              .map(v -> MapType.create(SimpleType.STRING, v));
        }
        Map<String, CelType> fields = new LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(p -> {
          Optional<CelType> fieldType = declType(p.getValue(), Schemas.embeddedResource(p.getValue()),
              path + "." + p.getKey());
          Optional<String> fieldName = escape(p.getKey());
          if (fieldType.isPresent() && fieldName.isPresent()) {
            fields.put(fieldName.get(), fieldType.get());
          }
        });
        if (resourceRoot && !declaresTypeAndObjectMeta(schema)) {
          fields.put("apiVersion", SimpleType.STRING);
          fields.put("kind", SimpleType.STRING);
          fields.put("metadata", struct(path + ".metadata",
              Map.of("name", SimpleType.STRING, "generateName", SimpleType.STRING)));
        }
        return Optional.of(struct(path, fields));
      }
      case "string":
        return Optional.of(switch (schema.path("format").asText("")) {
          case "byte" -> SimpleType.BYTES;
          case "duration" -> SimpleType.DURATION;
          case "date", "date-time" -> SimpleType.TIMESTAMP;
          default -> SimpleType.STRING;
        });
      case "boolean":
        return Optional.of(SimpleType.BOOL);
      case "number":
        return Optional.of(SimpleType.DOUBLE);
      case "integer":
        return Optional.of(SimpleType.INT);
      default:
        return Optional.empty();
    }
  }

  private StructType struct(String path, Map<String, CelType> fields) {
    String base = (prefix + path).replaceAll("[^A-Za-z0-9_.]", "_");
    String name = base;
    for (int n = 2; structs.containsKey(name); n++) {
      name = base + "_" + n;
    }
    Map<String, CelType> copy = Map.copyOf(fields);
    StructType struct = StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
        field -> Optional.ofNullable(copy.get(field)));
    structs.put(name, struct);
    return struct;
  }

  @Override
  public ImmutableCollection<CelType> types() {
    return ImmutableList.copyOf(structs.values());
  }

  @Override
  public Optional<CelType> findType(String typeName) {
    return Optional.ofNullable(structs.get(typeName));
  }
}
