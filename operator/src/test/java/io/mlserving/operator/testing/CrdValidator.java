package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks custom resources the way the Kubernetes API server's admission does, from the
 * CustomResourceDefinitions of a YAML file (one or many, as in Istio's {@code istio-crd-all.gen.yaml}):
 * <ol>
 *   <li>decoding: unknown fields are refused (strict field validation, kubectl's default) or pruned,
 *       {@code null} in a non-nullable field is dropped, {@code status} is ignored when the CRD has a
 *       status subresource, and schema {@code default}s are applied;
 *   <li>metadata: name (a DNS-1123 subdomain), namespace, label and annotation keys;
 *   <li>the openAPIV3Schema, with the networknt JSON Schema validator on a translation that keeps the
 *       Kubernetes extensions' meaning ({@link SchemaTranslator}), plus formats and list types;
 *   <li>every {@code x-kubernetes-validations} rule, with cel-java ({@link CelRules}), unless a
 *       blocking schema error came first (then, as the API server, it says the rules were not checked).
 * </ol>
 * Building a validator compiles every rule and fails loudly when one does not compile: the API server
 * would refuse such a CRD. Not emulated: the CEL cost budget, ratcheting and transition rules on update
 * (only creation is modelled), and the quantity, IP, CIDR and format CEL libraries (rules that use them
 * fail to compile).
 */
public final class CrdValidator {
  /** The message the API server adds when blocking schema errors kept it from running the CEL rules. */
  public static final String RULES_NOT_CHECKED = "some validation rules were not checked because the object was"
      + " invalid; correct the existing errors to complete validation";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** How to validate: the defaults are those of {@code kubectl apply} creating the object. */
  public record Options(boolean applyDefaults, boolean rejectUnknownFields, boolean skipRulesAfterBlockingErrors) {
    /** Defaults applied, unknown fields refused, rules skipped after a blocking schema error. */
    public static Options admission() {
      return new Options(true, true, true);
    }

    public Options withApplyDefaults(boolean on) {
      return new Options(on, rejectUnknownFields, skipRulesAfterBlockingErrors);
    }

    public Options withRejectUnknownFields(boolean on) {
      return new Options(applyDefaults, on, skipRulesAfterBlockingErrors);
    }

    public Options withSkipRulesAfterBlockingErrors(boolean on) {
      return new Options(applyDefaults, rejectUnknownFields, on);
    }
  }

  /**
   * The outcome: the object as the API server would store it (defaulted, pruned, without status), the
   * problems (empty when admitted), and how many transition rules did not run because this is a create.
   */
  public record Result(JsonNode object, List<Problem> problems, int transitionRulesSkipped) {
    public boolean admitted() {
      return problems.isEmpty();
    }
  }

  private record Kind(String crd, boolean namespaced, boolean statusSubresource, JsonNode schema,
      JsonSchemaCheck schemaCheck, CelRules rules) {}

  private final String source;
  private final Map<String, Kind> kinds;

  private CrdValidator(String source, Map<String, Kind> kinds) {
    this.source = source;
    this.kinds = kinds;
  }

  /** The validator for version {@code version} of every CRD in {@code file} that has it. */
  public static CrdValidator load(Path file, String version) {
    return of(file.toString(), readDocuments(file), version);
  }

  /** The validator for every version of every CRD in {@code file}. */
  public static CrdValidator load(Path file) {
    return of(file.toString(), readDocuments(file), null);
  }

  /** The validator for version {@code version} of the CRDs in a YAML text (for small hand-written CRDs). */
  public static CrdValidator fromYaml(String yaml, String version) {
    return of("<yaml>", readDocuments(new StringReader(yaml), "<yaml>"), version);
  }

  private static CrdValidator of(String source, List<JsonNode> documents, String version) {
    Map<String, Kind> kinds = new LinkedHashMap<>();
    for (JsonNode crd : documents) {
      if (!crd.path("kind").asText().equals("CustomResourceDefinition")) {
        continue;
      }
      if (!crd.path("apiVersion").asText().equals("apiextensions.k8s.io/v1")) {
        throw new IllegalArgumentException(source + ": " + crd.path("metadata").path("name").asText()
            + " is not an apiextensions.k8s.io/v1 CustomResourceDefinition");
      }
      JsonNode spec = crd.path("spec");
      for (JsonNode v : spec.path("versions")) {
        if (version != null && !v.path("name").asText().equals(version)) {
          continue;
        }
        String name = crd.path("metadata").path("name").asText() + "/" + v.path("name").asText();
        JsonNode schema = v.path("schema").get("openAPIV3Schema");
        if (schema == null) {
          throw new IllegalArgumentException(source + ": " + name + " has no openAPIV3Schema");
        }
        String apiVersion = spec.path("group").asText() + "/" + v.path("name").asText();
        kinds.put(key(apiVersion, spec.path("names").path("kind").asText()), new Kind(name,
            !spec.path("scope").asText().equals("Cluster"), v.path("subresources").has("status"), schema,
            new JsonSchemaCheck(schema), CelRules.compile(name, schema)));
      }
    }
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException(source + " has no CustomResourceDefinition"
          + (version == null ? "" : " with version " + version));
    }
    return new CrdValidator(source, kinds);
  }

  /** The documents of a (multi-document) YAML file, empty documents left out. */
  public static List<JsonNode> readDocuments(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return readDocuments(reader, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<JsonNode> readDocuments(Reader reader, String source) {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(reader)) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + source, e);
    }
    return documents;
  }

  /** {@code <group>/<version> <Kind>} of every kind this validator knows. */
  public Set<String> kinds() {
    return kinds.keySet();
  }

  /** Whether a CRD of this validator describes {@code object}'s apiVersion and kind. */
  public boolean handles(JsonNode object) {
    return kinds.containsKey(key(object.path("apiVersion").asText(), object.path("kind").asText()));
  }

  /** Number of x-kubernetes-validations rules compiled, over all kinds. */
  public int ruleCount() {
    return kinds.values().stream().mapToInt(k -> k.rules().ruleCount()).sum();
  }

  /** Number of transition rules (rules reading oldSelf), over all kinds. */
  public int transitionRuleCount() {
    return kinds.values().stream().mapToInt(k -> k.rules().transitionRuleCount()).sum();
  }

  /** Validates as {@code kubectl apply} creating {@code object} would be. */
  public Result validate(JsonNode object) {
    return validate(object, Options.admission());
  }

  /** Validates an object given as maps and lists (converted as Jackson converts them). */
  public Result validate(Map<String, ?> object) {
    return validate(YAML.valueToTree(object), Options.admission());
  }

  public Result validate(JsonNode object, Options options) {
    String apiVersion = object.path("apiVersion").asText();
    String kindName = object.path("kind").asText();
    Kind kind = kinds.get(key(apiVersion, kindName));
    if (kind == null) {
      return new Result(object, List.of(new Problem("kind", "no matches for kind \"" + kindName
          + "\" in version \"" + apiVersion + "\" (no such CustomResourceDefinition in " + source + ")")), 0);
    }
    ObjectNode copy = object.deepCopy();
    if (kind.statusSubresource()) {
      copy.remove("status"); // the main resource ignores status when a status subresource exists
    }
    List<Problem> unknownFields =
        Decoding.prepare(copy, kind.schema(), options.rejectUnknownFields(), options.applyDefaults());
    if (!unknownFields.isEmpty()) {
      return new Result(copy, unknownFields, 0); // strict decoding fails before any validation
    }
    Set<Problem> problems = new LinkedHashSet<>(ObjectMetaCheck.check(copy.get("metadata"), kind.namespaced()));
    List<Finding> findings = new ArrayList<>(kind.schemaCheck().check(copy));
    findings.addAll(SchemaExtras.check(copy, kind.schema()));
    findings.forEach(f -> problems.add(f.problem()));
    int skipped = 0;
    if (options.skipRulesAfterBlockingErrors() && findings.stream().anyMatch(Finding::blocking)) {
      problems.add(new Problem("", RULES_NOT_CHECKED));
    } else {
      List<Problem> ruleProblems = new ArrayList<>();
      skipped = kind.rules().evaluate(copy, kind.schema(), ruleProblems);
      problems.addAll(ruleProblems);
    }
    return new Result(copy, List.copyOf(problems), skipped);
  }

  /** The object with the schema defaults applied (and non-nullable nulls dropped), unknown fields kept. */
  public JsonNode defaulted(JsonNode object) {
    Kind kind = kinds.get(key(object.path("apiVersion").asText(), object.path("kind").asText()));
    if (kind == null) {
      throw new IllegalArgumentException("no CustomResourceDefinition in " + source + " for "
          + object.path("apiVersion").asText() + " " + object.path("kind").asText());
    }
    ObjectNode copy = object.deepCopy();
    Decoding.prepare(copy, kind.schema(), true, true);
    return copy;
  }

  private static String key(String apiVersion, String kind) {
    return apiVersion + " " + kind;
  }

  @Override
  public String toString() {
    return "CrdValidator" + kinds.keySet() + " from " + source;
  }
}
