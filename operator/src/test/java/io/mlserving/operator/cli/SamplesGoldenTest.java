package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.desired.IstioWebhookRules;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.testing.CrdValidator;
import io.mlserving.operator.testing.IstioCrds;
import io.mlserving.operator.testing.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code render -f samples/} in both Istio API versions: the output for each sample is its committed golden file, stable,
 * the same in both versions apart from the Istio objects' apiVersion, every object carries the ownership
 * labels, and every VirtualService and DestinationRule passes Istio's CRD schema, its CEL rules and istiod's
 * webhook rules.
 */
class SamplesGoldenTest {
  /** {@code -Dgolden.update=true} rewrites the golden files from the current output. */
  static final String UPDATE_PROPERTY = "golden.update";

  /** The command, from the project root, that rewrites the golden files. */
  static final String REFRESH_COMMAND = "mvn -B test -pl operator -Dtest=SamplesGoldenTest -D" + UPDATE_PROPERTY + "=true";

  /** The golden files, relative to the project root. */
  static final String GOLDEN_FOLDER = "operator/src/test/resources/golden";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<IstioApi, String> RENDERED = new EnumMap<>(IstioApi.class);

  // ---- golden files: one per sample, named after it ----

  /**
   * For each file under samples/ with mlserving resources: what {@code render -f samples/} prints for the
   * resources of that file is its golden file {@code <sample>.yaml}. The whole folder is rendered, so that
   * references resolve as they do in a cluster; a reviewer reads the diff of one pattern.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sampleFiles")
  void renderOfEachSampleIsItsGoldenFile(String sample) throws IOException {
    assertThat(loaderImageVariablesSet()).as("the golden files hold the default loader images: unset these"
        + " variables to run this test").isEmpty();
    Path golden = golden(sample);
    String expected = header(sample) + renderedFor(sample);
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, expected, StandardCharsets.UTF_8);
      System.out.println("SamplesGoldenTest: wrote " + golden);
      return;
    }
    if (!Files.isRegularFile(golden)) {
      fail("%s is missing: create it with `%s`", relative(golden), REFRESH_COMMAND);
    }
    String actual = Files.readString(golden, StandardCharsets.UTF_8).replace("\r\n", "\n");
    if (!actual.equals(expected)) {
      fail(firstDifference(relative(golden), actual, expected, IstioApi.V1));
    }
  }

  @Test
  void everyRenderedObjectIsInTheGoldenFileOfItsSample() {
    long inGoldenFiles = sampleFiles().mapToLong(f -> documentsOf(renderedFor((String) f.get()[0])).size()).sum();
    assertThat(inGoldenFiles).isEqualTo(documents(IstioApi.V1).size()).isPositive();
  }

  @Test
  void noGoldenFileWithoutItsSample() throws IOException {
    Set<String> expected = new TreeSet<>();
    sampleFiles().forEach(f -> expected.add(golden((String) f.get()[0]).getFileName().toString()));
    try (Stream<Path> files = Files.list(CrdFiles.projectRoot().resolve(GOLDEN_FOLDER))) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .as("files in %s (delete the stale ones)", GOLDEN_FOLDER).containsExactlyElementsOf(expected);
    }
  }

  /** The sample files (names) that define mlserving resources, in name order. */
  static Stream<Arguments> sampleFiles() {
    return sampleResourcesByFile().keySet().stream().map(Arguments::of);
  }

  /** The documents of the v1 render whose owner is defined in {@code sample}, as rendered, in render order. */
  private static String renderedFor(String sample) {
    Set<String> owners = sampleResourcesByFile().get(sample);
    StringBuilder out = new StringBuilder();
    for (String document : rendered(IstioApi.V1).split("(?m)^(?=---\n)")) {
      if (document.isBlank()) {
        continue;
      }
      JsonNode labels = documentsOf(document).get(0).at("/metadata/labels");
      if (owners.contains(labels.path(Labels.OWNER_KIND).asText() + "/" + labels.path(Labels.OWNER_NAME).asText())) {
        out.append(document);
      }
    }
    return out.toString();
  }

  /** The golden file's first line that differs from the output, and how to refresh the file. */
  static String firstDifference(String golden, String goldenText, String renderedText, IstioApi api) {
    String[] g = goldenText.split("\n", -1);
    String[] r = renderedText.split("\n", -1);
    int line = 0;
    while (line < g.length && line < r.length && g[line].equals(r[line])) {
      line++;
    }
    return String.format("%s differs from `render -f samples/ --istio-api %s` at line %d:%n"
        + "  golden:   %s%n  rendered: %s%n"
        + "If the change is intended, refresh the golden files with `%s` and review `git diff %s`.",
        golden, api.version(), line + 1, line < g.length ? g[line] : "<end of file>",
        line < r.length ? r[line] : "<end of output>", REFRESH_COMMAND, GOLDEN_FOLDER);
  }

  @Test
  void firstDifferenceNamesTheLineAndTheRefreshCommand() {
    String message = firstDifference("g.yaml", "a\nb\nc\n", "a\nB\nc\n", IstioApi.V1);
    assertThat(message).contains("g.yaml differs from `render -f samples/ --istio-api v1` at line 2:")
        .contains("golden:   b").contains("rendered: B").contains(REFRESH_COMMAND);
    assertThat(firstDifference("g.yaml", "a\n", "a\nb\n", IstioApi.V1BETA1))
        .contains("at line 2:").contains("golden:   \n").contains("rendered: b");
    assertThat(firstDifference("g.yaml", "a", "a\nb", IstioApi.V1)).contains("golden:   <end of file>");
  }

  // ---- properties of the rendered samples ----

  @ParameterizedTest
  @EnumSource(IstioApi.class)
  void renderingTwiceGivesTheSameOutput(IstioApi api) {
    assertThat(render(api)).isEqualTo(render(api));
  }

  @Test
  void v1beta1DiffersFromV1OnlyInTheApiVersionOfIstioObjects() {
    String[] v1 = rendered(IstioApi.V1).split("\n", -1);
    String[] v1beta1 = rendered(IstioApi.V1BETA1).split("\n", -1);
    assertThat(v1beta1).as("lines").hasSameSizeAs(v1);
    int differing = 0;
    for (int i = 0; i < v1.length; i++) {
      if (!v1[i].equals(v1beta1[i])) {
        assertThat(List.of(v1[i], v1beta1[i])).as("line %d", i + 1)
            .containsExactly("apiVersion: networking.istio.io/v1", "apiVersion: networking.istio.io/v1beta1");
        differing++;
      }
    }
    long istioObjects = documents(IstioApi.V1).stream().filter(SamplesGoldenTest::isIstio).count();
    assertThat(differing).as("apiVersion lines that differ").isEqualTo(istioObjects).isPositive();
  }

  @ParameterizedTest
  @EnumSource(IstioApi.class)
  void everyObjectHasTheFourOwnershipLabels(IstioApi api) {
    Set<String> sampleResources = sampleResources();
    List<JsonNode> documents = documents(api);
    assertThat(documents).isNotEmpty();
    for (JsonNode o : documents) {
      JsonNode labels = o.at("/metadata/labels");
      String owner = labels.path(Labels.OWNER_KIND).asText() + "/" + labels.path(Labels.OWNER_NAME).asText();
      assertThat(labels.path(Labels.MANAGED_BY).asText()).as("%s %s", describe(o), Labels.MANAGED_BY)
          .isEqualTo(Labels.OPERATOR);
      assertThat(labels.path(Labels.PART_OF).asText()).as("%s %s", describe(o), Labels.PART_OF)
          .isEqualTo(Labels.PART_OF_VALUE);
      assertThat(sampleResources).as("%s: owner %s/%s", describe(o), Labels.OWNER_KIND, Labels.OWNER_NAME)
          .contains(owner);
    }
  }

  @Test
  void theSamplesRenderVirtualServicesAndADestinationRule() {
    for (IstioApi api : IstioApi.values()) {
      assertThat(istioObjects(api).map(a -> (String) a.get()[0]))
          .containsExactly(api.version() + " DestinationRule/fraud-v1-breaker",
              api.version() + " VirtualService/fraud-ab", api.version() + " VirtualService/fraud-rollout",
              api.version() + " VirtualService/fraud-shadow");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("istioObjects")
  void istioObjectPassesIstiosCrdSchemaAndCelRules(String label, JsonNode object) {
    CrdValidator.Result result = IstioCrds.validator().validate(object, CrdValidator.Options.admission());
    assertThat(result.problems()).as("%s%n%s", label, object.toPrettyString()).extracting(Problem::toString).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("istioObjects")
  void istioObjectPassesIstiodsWebhookRules(String label, JsonNode object) {
    IstioApi api = IstioApi.parse(object.path("apiVersion").asText());
    Class<? extends HasMetadata> type = object.path("kind").asText().equals("VirtualService")
        ? api.virtualServiceClass() : api.destinationRuleClass();
    HasMetadata typed = Serialization.jsonMapper().convertValue(object, type);
    assertThat(IstioWebhookRules.problems(typed)).as("%s%n%s", label, object.toPrettyString()).isEmpty();
  }

  static Stream<Arguments> istioObjects() {
    return Stream.of(IstioApi.values()).flatMap(SamplesGoldenTest::istioObjects);
  }

  private static Stream<Arguments> istioObjects(IstioApi api) {
    return documents(api).stream().filter(SamplesGoldenTest::isIstio)
        .map(o -> Arguments.of(api.version() + " " + describe(o), o));
  }

  // ---- helpers ----

  /** The loader image variables of this process's environment that are set (render would use them). */
  static List<String> loaderImageVariablesSet() {
    List<String> set = new ArrayList<>();
    for (String name : LoaderImages.defaults().asMap().keySet()) {
      String value = System.getenv(name);
      if (value != null && !value.isBlank()) {
        set.add(name + "=" + value);
      }
    }
    return set.stream().sorted().toList();
  }

  /** {@code render -f samples/ --istio-api <version>} through the command line, once per version. */
  static synchronized String rendered(IstioApi api) {
    return RENDERED.computeIfAbsent(api, SamplesGoldenTest::render);
  }

  private static String render(IstioApi api) {
    CliRun run = CliRun.of("render", "-f", samples().toString(), "--istio-api", api.version());
    assertThat(run.exitCode()).as("render exit status; stderr: %s", run.err()).isZero();
    // stderr holds one note per models:/ sample (render reaches no registry, so it prints the URI unresolved) and
    // nothing else.
    List<String> expectedNotes = registrySamples().stream().map(r -> "render: InferenceService " + r
        + " is printed unresolved: the operator resolves it against the MLflow registry and pins the version"
        + " in the Deployment (render reaches no registry)").toList();
    assertThat(expectedNotes).as("models:/ samples").isNotEmpty();
    assertThat(run.err().lines().toList()).as("render stderr").containsExactlyElementsOf(expectedNotes);
    return run.out();
  }

  /** {@code <namespace>/<name>: <storageUri>} of every sample InferenceService whose storageUri is models:/, in file order. */
  private static List<String> registrySamples() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(samples())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode d : CrdValidator.readDocuments(file)) {
          String uri = d.at("/spec/model/storageUri").asText("");
          if (d.path("kind").asText().equals("InferenceService") && uri.startsWith("models:/")) {
            out.add(d.at("/metadata/namespace").asText() + "/" + d.at("/metadata/name").asText() + ": " + uri);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static List<JsonNode> documents(IstioApi api) {
    return documentsOf(rendered(api));
  }

  private static List<JsonNode> documentsOf(String yaml) {
    try {
      return YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
          .filter(n -> n != null && !n.isNull() && !n.isMissingNode()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code Kind/name} of every mlserving.io resource under samples/. */
  private static Set<String> sampleResources() {
    Set<String> out = new TreeSet<>();
    sampleResourcesByFile().values().forEach(out::addAll);
    assertThat(out).as("mlserving.io resources under samples/").isNotEmpty();
    return out;
  }

  /** Sample file name to the {@code Kind/name} of the mlserving.io resources it defines (files with none left out). */
  private static Map<String, Set<String>> sampleResourcesByFile() {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.list(samples())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode d : CrdValidator.readDocuments(file)) {
          if (d.path("apiVersion").asText().equals(MlServing.API_VERSION)) {
            out.computeIfAbsent(file.getFileName().toString(), k -> new TreeSet<>())
                .add(d.path("kind").asText() + "/" + d.at("/metadata/name").asText());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static boolean isIstio(JsonNode o) {
    return o.path("apiVersion").asText().startsWith(IstioApi.GROUP + "/");
  }

  private static String describe(JsonNode o) {
    return o.path("kind").asText() + "/" + o.at("/metadata/name").asText();
  }

  private static Path samples() {
    return CrdFiles.projectRoot().resolve("samples");
  }

  private static Path golden(String sample) {
    return CrdFiles.projectRoot().resolve(GOLDEN_FOLDER).resolve(sample);
  }

  private static String relative(Path file) {
    return CrdFiles.projectRoot().relativize(file).toString();
  }

  private static String header(String sample) {
    return """
        # Golden file: what `mlserving render -f samples/` prints for samples/%s (default loader images,
        # Istio v1; v1beta1 differs only in the Istio objects' apiVersion). SamplesGoldenTest compares the
        # output with this file. Do not edit: refresh it from the project root with
        #   %s
        """.formatted(sample, REFRESH_COMMAND);
  }
}
