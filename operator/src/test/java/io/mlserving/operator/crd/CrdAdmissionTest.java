package io.mlserving.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.testing.CrdValidator;
import io.mlserving.operator.testing.Problem;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Admission parity for our kinds: every sample under samples/ is admitted by the CRDs the API classes
 * generate (schema and CEL rules, after defaulting), and every bad input under
 * src/test/resources/invalid/ is refused with the field and message its {@code # expect:} lines name.
 *
 * <p>Fixture format (shared with the CLI tests): the file starts with one or more lines
 * {@code # expect: <field>: <message fragment>}, field {@code <root>} for the object as a whole, then one
 * YAML document. Each expectation must match a problem (same field, message containing the fragment),
 * and every problem must be expected, apart from the API server's note that rules were not checked.
 */
public class CrdAdmissionTest {
  private static final String EXPECT = "# expect: ";

  private static CrdValidator crds;

  @BeforeAll
  static void loadTheGeneratedCrds() {
    String all = CrdFiles.KINDS.stream().map(CrdFiles::render).collect(Collectors.joining("---\n"));
    crds = CrdValidator.fromYaml(all, MlServing.VERSION);
    assertThat(crds.kinds()).hasSize(CrdFiles.KINDS.size());
  }

  @TestFactory
  Stream<DynamicTest> everySampleIsAdmitted() {
    return samples().stream()
        .filter(s -> crds.handles(s.object()))
        .map(s -> dynamicTest(s.toString(), () -> {
          CrdValidator.Result result = crds.validate(s.object());
          assertThat(result.problems()).as("problems of %s", s).isEmpty();
          assertThat(result.transitionRulesSkipped()).as("transition rules skipped for %s", s).isZero();
        }));
  }

  @Test
  void samplesCoverEveryKindAndPatternAndReferOnlyToEachOther() {
    List<Sample> samples = samples();
    assertThat(samples).as("every sample document is namespaced in models, or is the namespace")
        .allMatch(s -> s.kind().equals("Namespace") ? s.name().equals("models") : s.namespace().equals("models"));
    assertThat(samples.stream().map(Sample::kind)).contains("Namespace");
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      assertThat(samples.stream().map(Sample::kind)).as("samples").contains(HasMetadata.getKind(kind));
    }

    List<JsonNode> services = objects(samples, "InferenceService");
    Set<String> serviceNames = services.stream().map(s -> s.at("/metadata/name").asText()).collect(Collectors.toSet());
    Set<String> schemes = services.stream()
        .map(s -> s.at("/spec/model/storageUri").asText("image://").replaceAll(":/.*", ""))
        .collect(Collectors.toSet());
    // "models" is the MLflow registry URI models:/<name>@<alias> (one slash, hence ":/" above).
    assertThat(schemes).as("storageUri schemes of the samples (image = model in image)")
        .containsExactlyInAnyOrder("image", "s3", "gs", "https", "hf", "pvc", "models");
    assertThat(services).as("a sample with a credentialsSecret").anyMatch(s -> s.at("/spec/model/credentialsSecret").isTextual());
    assertThat(services).as("a sample with sha256").anyMatch(s -> s.at("/spec/model/sha256").isTextual());
    assertThat(services).as("a parameter-based sample").anyMatch(s -> s.at("/spec/predictor/env").isArray());
    assertThat(services).as("an autoscaling sample").anyMatch(s -> s.at("/spec/autoscaling").isObject());

    Set<String> referenced = new HashSet<>();
    objects(samples, "ABTest").forEach(ab -> ab.at("/spec/variants").forEach(v -> referenced.add(v.path("inferenceService").asText())));
    objects(samples, "ShadowTest").forEach(st -> {
      referenced.add(st.at("/spec/primary").asText());
      referenced.add(st.at("/spec/shadow").asText());
    });
    objects(samples, "CircuitBreaker").forEach(cb -> referenced.add(cb.at("/spec/inferenceService").asText()));
    objects(samples, "Canary").forEach(c -> {
      referenced.add(c.at("/spec/stable").asText());
      referenced.add(c.at("/spec/canary").asText());
    });
    assertThat(serviceNames).as("InferenceServices of the samples").containsAll(referenced);

    // A host belongs to one ABTest, ShadowTest or Canary per namespace, and is no InferenceService's name.
    List<String> hosts = new ArrayList<>();
    Stream.of("ABTest", "ShadowTest", "Canary").flatMap(kind -> objects(samples, kind).stream())
        .forEach(t -> hosts.add(t.at("/spec/host").asText(t.at("/metadata/name").asText())));
    assertThat(hosts).as("hosts of the ABTest, ShadowTest and Canary samples").hasSize(3).doesNotHaveDuplicates()
        .doesNotContainAnyElementsOf(serviceNames);

    // The Canary sample shows every part of the analysis: both built-in metrics and a custom query.
    JsonNode canary = objects(samples, "Canary").get(0);
    List<String> metricNames = new ArrayList<>();
    canary.at("/spec/analysis/metrics").forEach(m -> metricNames.add(m.path("name").asText()));
    assertThat(metricNames).as("metrics of the Canary sample").contains("success-rate", "latency-p99");
    assertThat(canary.at("/spec/analysis/metrics")).as("a custom query in the Canary sample")
        .anyMatch(m -> m.path("query").isTextual());
  }

  @TestFactory
  Stream<DynamicTest> everyInvalidInputIsRefusedForTheExpectedReason() throws IOException {
    return invalidFixtures().stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      List<Problem> expected = expectations(file);
      List<JsonNode> documents = CrdValidator.readDocuments(file);
      assertThat(expected).as("%s starts with `%s<field>: <message fragment>` lines", file.getFileName(), EXPECT)
          .isNotEmpty();
      assertThat(documents).as("documents in %s", file.getFileName()).hasSize(1);

      List<Problem> problems = crds.validate(documents.get(0)).problems();
      for (Problem expectation : expected) {
        assertThat(problems).as("%s: expected a problem `%s`", file.getFileName(), expectation)
            .anyMatch(p -> matches(p, expectation));
      }
      assertThat(problems).as("%s: problems nobody expected", file.getFileName())
          .allMatch(p -> p.message().equals(CrdValidator.RULES_NOT_CHECKED)
              || expected.stream().anyMatch(e -> matches(p, e)));
    }));
  }

  @Test
  void thereAreEnoughInvalidInputsForEveryKind() throws IOException {
    List<Path> fixtures = invalidFixtures();
    assertThat(fixtures).hasSizeGreaterThanOrEqualTo(30);
    Set<String> kinds = new HashSet<>();
    for (Path fixture : fixtures) {
      kinds.add(CrdValidator.readDocuments(fixture).get(0).path("kind").asText());
    }
    assertThat(kinds).containsExactlyInAnyOrder("InferenceService", "ABTest", "ShadowTest", "CircuitBreaker", "Canary");
  }

  private static boolean matches(Problem problem, Problem expectation) {
    return problem.fieldOrRoot().equals(expectation.field()) && problem.message().contains(expectation.message());
  }

  /** The {@code # expect: <field>: <fragment>} lines at the top of a fixture. */
  public static List<Problem> expectations(Path fixture) throws IOException {
    List<Problem> expected = new ArrayList<>();
    for (String line : Files.readAllLines(fixture)) {
      if (!line.startsWith("#")) {
        break;
      }
      if (line.startsWith(EXPECT)) {
        String rest = line.substring(EXPECT.length());
        int colon = rest.indexOf(": ");
        expected.add(colon < 0 ? new Problem(rest.strip(), "") : new Problem(rest.substring(0, colon), rest.substring(colon + 2).strip()));
      }
    }
    return expected;
  }

  public static List<Path> invalidFixtures() throws IOException {
    Path folder;
    try {
      folder = Path.of(Objects.requireNonNull(CrdAdmissionTest.class.getResource("/invalid")).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** One document of a file under samples/. */
  record Sample(Path file, JsonNode object) {
    String kind() {
      return object.path("kind").asText();
    }

    String name() {
      return object.at("/metadata/name").asText();
    }

    String namespace() {
      return object.at("/metadata/namespace").asText();
    }

    @Override
    public String toString() {
      return file.getFileName() + ": " + kind() + "/" + name();
    }
  }

  static List<Sample> samples() {
    Path folder = CrdFiles.projectRoot().resolve("samples");
    try (Stream<Path> files = Files.list(folder)) {
      List<Sample> samples = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        CrdValidator.readDocuments(file).forEach(d -> samples.add(new Sample(file, d)));
      }
      assertThat(samples).as("documents under %s", folder).isNotEmpty();
      return samples;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + folder, e);
    }
  }

  private static List<JsonNode> objects(List<Sample> samples, String kind) {
    return samples.stream().filter(s -> s.kind().equals(kind)).map(Sample::object).toList();
  }
}
