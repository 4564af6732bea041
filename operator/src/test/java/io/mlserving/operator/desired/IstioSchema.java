package io.mlserving.operator.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelRuntime;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an object against the schema the API server would use for it, from the Istio CRDs in
 * {@code shared/schemas/istio-crd-all.gen.yaml}: JSON-schema keywords (types, oneOf, required, ranges), fields the
 * API server would prune because the schema does not declare them, and {@code x-kubernetes-validations} CEL rules.
 */
final class IstioSchema {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code <plural>.<group>/<version>} to the version's openAPIV3Schema. */
  private final Map<String, JsonNode> schemas = new HashMap<>();
  private final Map<String, CelRuntime.Program> programs = new HashMap<>();

  private IstioSchema() {}

  /** The schema file, if this checkout has the shared folder next to it. */
  static Optional<Path> file() {
    Path root = Path.of(System.getProperty("mlserving.projectRoot", ".."));
    for (Path candidate : List.of(
        root.resolve("../shared/schemas/istio-crd-all.gen.yaml"),
        root.resolve("shared/schemas/istio-crd-all.gen.yaml"))) {
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate.normalize());
      }
    }
    return Optional.empty();
  }

  static IstioSchema load(Path file) throws IOException {
    IstioSchema s = new IstioSchema();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      while (docs.hasNext()) {
        JsonNode crd = docs.next();
        if (crd == null || !"CustomResourceDefinition".equals(crd.path("kind").asText())) {
          continue;
        }
        String name = crd.path("metadata").path("name").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
          s.schemas.put(name + "/" + version.path("name").asText(), version.path("schema").path("openAPIV3Schema"));
        }
      }
    }
    return s;
  }

  /** Every way {@code object} fails its CRD's schema; empty when the API server would take it unchanged. */
  List<String> problems(HasMetadata object) {
    String[] apiVersion = object.getApiVersion().split("/");
    String key = plural(object.getKind()) + "." + apiVersion[0] + "/" + apiVersion[1];
    JsonNode schema = schemas.get(key);
    if (schema == null) {
      return List.of("no schema for " + key);
    }
    return problems(parse(Serialization.asJson(object)), schema);
  }

  /** Problems of an object given as JSON, against the schema of {@code key} ({@code <plural>.<group>/<version>}). */
  List<String> problems(JsonNode json, String key) {
    return problems(json, schemas.get(key));
  }

  private List<String> problems(JsonNode json, JsonNode schema) {
    List<String> out = new ArrayList<>();
    JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
        .getSchema(withoutKubernetesKeywords(schema));
    for (ValidationMessage m : validator.validate(json)) {
      out.add(m.getMessage());
    }
    // apiVersion, kind and metadata are the API server's own; the CRD schema describes spec and status.
    walk(json.path("spec"), schema.path("properties").path("spec"), "spec", out);
    return out;
  }

  private void walk(JsonNode value, JsonNode schema, String path, List<String> out) {
    if (value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expr = rule.path("rule").asText();
      try {
        Object result = program(expr, celType(schema)).eval(Map.of("self", toCel(value)));
        if (!Boolean.TRUE.equals(result)) {
          out.add(path + ": " + rule.path("message").asText(expr) + " (" + expr + ", value " + value + ")");
        }
      } catch (Exception e) {
        out.add(path + ": rule " + expr + " failed on " + value + ": " + e.getMessage());
      }
    }
    if (value.isObject()) {
      boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path + "." + field.getKey();
        if (properties.has(field.getKey())) {
          walk(field.getValue(), properties.get(field.getKey()), child, out);
        } else if (additional.isObject()) {
          walk(field.getValue(), additional, child, out);
        } else if (!preserve) {
          out.add(child + ": not in the schema (the API server would prune it)");
        }
      }
    } else if (value.isArray()) {
      int i = 0;
      for (JsonNode item : value) {
        walk(item, schema.path("items"), path + "[" + i++ + "]", out);
      }
    }
  }

  private CelRuntime.Program program(String expr, CelType selfType) throws Exception {
    String cacheKey = selfType + "|" + expr;
    CelRuntime.Program program = programs.get(cacheKey);
    if (program == null) {
      Cel cel = CelFactory.standardCelBuilder().addVar("self", selfType).build();
      program = cel.createProgram(cel.compile(expr).getAst());
      programs.put(cacheKey, program);
    }
    return program;
  }

  private static CelType celType(JsonNode schema) {
    return switch (schema.path("type").asText()) {
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      default -> SimpleType.DYN;
    };
  }

  private static Object toCel(JsonNode value) {
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(v -> list.add(toCel(v)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    value.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
    return map;
  }

  /** The schema without the Kubernetes extensions a JSON-schema validator does not know. */
  private static JsonNode withoutKubernetesKeywords(JsonNode schema) {
    JsonNode copy = schema.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node.isArray()) {
      node.forEach(IstioSchema::strip);
      return;
    }
    if (!node.isObject()) {
      return;
    }
    ObjectNode object = (ObjectNode) node;
    List<String> drop = new ArrayList<>();
    object.fieldNames().forEachRemaining(name -> {
      if (name.startsWith("x-kubernetes-") || name.equals("nullable")) {
        drop.add(name);
      }
    });
    object.remove(drop);
    object.fields().forEachRemaining(e -> {
      if (e.getKey().equals("properties") && e.getValue().isObject()) {
        // Field names, not keywords: strip inside each field's schema only.
        e.getValue().elements().forEachRemaining(IstioSchema::strip);
      } else {
        strip(e.getValue());
      }
    });
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String plural(String kind) {
    return switch (kind) {
      case "VirtualService" -> "virtualservices";
      case "DestinationRule" -> "destinationrules";
      default -> kind.toLowerCase() + "s";
    };
  }
}
