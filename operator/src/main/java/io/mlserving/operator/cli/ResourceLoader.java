package io.mlserving.operator.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads custom resources from YAML files and folders (multi-document files; folders recursively, *.yaml and
 * *.yml in name order). Objects of other API groups (Namespaces, Secrets, ...) are skipped; anything that
 * cannot be read becomes an {@link Error} naming the file, the document and the field.
 */
public final class ResourceLoader {
  /** The kinds of mlserving.io/v1alpha1 and their classes. */
  public static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "InferenceService", InferenceService.class,
      "ABTest", ABTest.class,
      "ShadowTest", ShadowTest.class,
      "CircuitBreaker", CircuitBreaker.class,
      "Canary", Canary.class);

  /** A custom resource read from {@code file}. */
  public record Loaded(Path file, HasMetadata resource) {
    public String id() {
      return resource.getKind() + "/" + resource.getMetadata().getName();
    }
  }

  /** Something that could not be read, already phrased as one line. */
  public record Error(String line) {}

  /** Everything read from the given paths. */
  public record Result(List<Loaded> resources, List<Error> errors) {}

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final ObjectMapper strict = Serialization.jsonMapper().copy()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // The CRD's integers refuse 1.5; Jackson would read it into a Long field as 1 (fabric8 already refuses it for
      // Integer fields).
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  private final String defaultNamespace;

  /** @param defaultNamespace namespace given to resources that name none (as kubectl does) */
  public ResourceLoader(String defaultNamespace) {
    this.defaultNamespace = defaultNamespace;
  }

  public Result load(List<Path> paths) {
    List<Loaded> resources = new ArrayList<>();
    List<Error> errors = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        errors.add(new Error(path + ": no such file or directory"));
        continue;
      }
      for (Path file : files(path, errors)) {
        loadFile(file, resources, errors);
      }
    }
    return new Result(resources, errors);
  }

  private static List<Path> files(Path path, List<Error> errors) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      errors.add(new Error(path + ": cannot list the folder: " + e.getMessage()));
      return List.of();
    }
  }

  private void loadFile(Path file, List<Loaded> resources, List<Error> errors) {
    int doc = 0;
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (true) {
        JsonNode node;
        int line;
        try {
          if (!it.hasNextValue()) {
            break;
          }
          doc++;
          line = it.getCurrentLocation() == null ? 0 : it.getCurrentLocation().getLineNr();
          node = it.nextValue();
        } catch (RuntimeException | IOException e) {
          errors.add(new Error(file + ": " + where(doc, e) + "broken YAML: " + yamlProblem(e)));
          return;
        }
        if (node == null || node.isNull() || node.isMissingNode() || (node.isObject() && node.isEmpty())) {
          continue;
        }
        toResource(file, doc, line, node, resources, errors);
      }
    } catch (IOException e) {
      errors.add(new Error(file + ": cannot read: " + yamlProblem(e)));
    }
  }

  private void toResource(Path file, int doc, int line, JsonNode node, List<Loaded> resources, List<Error> errors) {
    String at = file + ": document " + doc + " (line " + line + ")";
    if (!node.isObject()) {
      errors.add(new Error(at + ": not a Kubernetes object (expected a mapping with apiVersion and kind)"));
      return;
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kind = node.path("kind").asText("");
    String name = node.path("metadata").path("name").asText("");
    String id = (kind.isEmpty() ? "<no kind>" : kind) + "/" + (name.isEmpty() ? "<no name>" : name);
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      errors.add(new Error(at + ": " + id + ": " + (apiVersion.isEmpty() ? "apiVersion" : "kind")
          + ": is required"));
      return;
    }
    if (!apiVersion.startsWith(MlServing.GROUP + "/")) {
      return; // another API group: not ours to check
    }
    Class<? extends HasMetadata> type = KINDS.get(kind);
    if (!apiVersion.equals(MlServing.API_VERSION) || type == null) {
      errors.add(new Error(file + ": " + id + ": " + (type == null ? "kind: unknown kind " + kind
          + " (expected one of InferenceService, ABTest, ShadowTest, CircuitBreaker, Canary)"
          : "apiVersion: unknown version " + apiVersion + " (expected " + MlServing.API_VERSION + ")")));
      return;
    }
    if (name.isEmpty()) {
      errors.add(new Error(file + ": " + id + ": metadata.name: is required"));
      return;
    }
    try {
      HasMetadata resource = strict.treeToValue(node, type);
      if (resource.getMetadata().getNamespace() == null || resource.getMetadata().getNamespace().isEmpty()) {
        resource.getMetadata().setNamespace(defaultNamespace);
      }
      resources.add(new Loaded(file, resource));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      errors.add(new Error(file + ": " + id + ": " + mappingProblem(e)));
    }
  }

  private static String where(int doc, Exception e) {
    if (e instanceof JsonProcessingException j && j.getLocation() != null) {
      JsonLocation loc = j.getLocation();
      return "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
    }
    return doc > 0 ? "document " + doc + ": " : "";
  }

  private static String yamlProblem(Exception e) {
    String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (msg == null) {
      return e.getClass().getSimpleName();
    }
    return msg.lines().findFirst().orElse(msg).trim();
  }

  /** "spec.predictor.port: must be an integer" from a Jackson mapping failure. */
  static String mappingProblem(Exception e) {
    if (!(e instanceof JsonMappingException m)) {
      return "cannot be read: " + yamlProblem(e);
    }
    String field = path(m.getPath());
    if (m instanceof UnrecognizedPropertyException u) {
      return field + ": unknown field \"" + u.getPropertyName() + "\"";
    }
    if (m instanceof InvalidFormatException f) {
      return field + ": cannot be " + describeValue(f.getValue()) + ": must be " + typeName(f.getTargetType());
    }
    if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
      return field + ": must be " + typeName(mi.getTargetType());
    }
    return field + ": " + yamlProblem(m);
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "<root>" : sb.toString();
  }

  private static String describeValue(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static String typeName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping";
    }
    return "an object (" + type.getSimpleName() + ")";
  }
}
