package io.mlserving.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the CRDs the fabric8 crd-generator writes into the files committed under {@code crds/}: the same
 * CRD with its printer columns in the order the kind declares its {@code @AdditionalPrinterColumn}s
 * (the generator sorts them by jsonPath, which puts AGE first).
 */
public final class CrdFiles {
  /** The kinds of mlserving.io/v1alpha1, one CRD each. */
  public static final List<Class<? extends HasMetadata>> KINDS =
      List.of(InferenceService.class, ABTest.class, ShadowTest.class, CircuitBreaker.class, Canary.class);

  /** The command that rewrites crds/ (and the chart's copy) from the API classes. */
  public static final String REFRESH_COMMAND =
      "mvn -B test -pl operator -Dtest=CrdsAreCurrentTest -Dcrds.update=true";

  /** The chart's copy of the CRDs, refreshed with crds/ when the folder exists. */
  public static final String CHART_CRDS = "charts/mlserving-operator/crds";

  private static final String HEADER = """
      # Generated from operator/src/main/java/io/mlserving/operator/api/v1alpha1 by the fabric8 crd-generator,
      # with the printer columns in declaration order. Do not edit: see crds/README.md to refresh.
      """;

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build());

  private CrdFiles() {}

  /** {@code <plural>.<group>-v1.yml}, the name the generator gives the kind's CRD. */
  public static String fileName(Class<? extends HasMetadata> kind) {
    return HasMetadata.getPlural(kind) + "." + HasMetadata.getGroup(kind) + "-v1.yml";
  }

  /** The CRD as the generator wrote it into target/classes during process-classes. */
  public static JsonNode generated(Class<? extends HasMetadata> kind) {
    String resource = "META-INF/fabric8/" + fileName(kind);
    try (InputStream in = kind.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test classpath: run `mvn -B process-classes` first");
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** The committed form of the kind's CRD: printer columns reordered, written as YAML with a header. */
  public static String render(Class<? extends HasMetadata> kind) {
    return toYaml(withDeclaredColumnOrder(generated(kind), kind));
  }

  /**
   * A copy of {@code crd} whose every version lists its additionalPrinterColumns in the order {@code kind}
   * declares them. Fails when the CRD and the annotations name different columns.
   */
  public static JsonNode withDeclaredColumnOrder(JsonNode crd, Class<? extends HasMetadata> kind) {
    List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    ObjectNode copy = crd.deepCopy();
    for (JsonNode version : copy.path("spec").path("versions")) {
      JsonNode columns = version.get("additionalPrinterColumns");
      if (columns == null) {
        if (!declared.isEmpty()) {
          throw new IllegalStateException(kind.getSimpleName() + " declares printer columns " + declared
              + " but the generated CRD has none");
        }
        continue;
      }
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      List<String> generatedNames = sorted.stream().map(c -> c.path("name").asText()).toList();
      if (!generatedNames.stream().sorted().toList().equals(declared.stream().sorted().toList())) {
        throw new IllegalStateException(kind.getSimpleName() + " declares printer columns " + declared
            + " but the generated CRD has " + generatedNames);
      }
      sorted.sort(Comparator.comparingInt(c -> declared.indexOf(c.path("name").asText())));
      ArrayNode ordered = ((ObjectNode) version).putArray("additionalPrinterColumns");
      sorted.forEach(ordered::add);
    }
    return copy;
  }

  /** The YAML text of a CRD, with the header that says where it comes from. */
  public static String toYaml(JsonNode crd) {
    try {
      return HEADER + YAML.writeValueAsString(crd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses YAML text (the header comment is ignored). */
  public static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The project root: the surefire system property {@code mlserving.projectRoot}, or, when a test runs
   * outside Maven, the nearest folder at or above the working directory that holds the operator module.
   */
  public static Path projectRoot() {
    String property = System.getProperty("mlserving.projectRoot");
    if (property != null && !property.isBlank()) {
      return Paths.get(property).toAbsolutePath().normalize();
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("operator")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the project root: set -Dmlserving.projectRoot");
  }

  /** Reads a text file as UTF-8. */
  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
