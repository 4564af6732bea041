package io.mlserving.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed under crds/ (and the chart's copy, when the chart has one) are exactly what the API
 * classes generate. With {@code -Dcrds.update=true} the test writes them instead of comparing.
 */
class CrdsAreCurrentTest {
  private static final boolean UPDATE = Boolean.getBoolean("crds.update");

  @Test
  void committedCrdsMatchTheApiClasses() throws IOException {
    Path root = CrdFiles.projectRoot();
    List<Path> folders = new ArrayList<>(List.of(root.resolve("crds")));
    if (Files.isDirectory(root.resolve(CrdFiles.CHART_CRDS))) {
      folders.add(root.resolve(CrdFiles.CHART_CRDS));
    }
    if (UPDATE) {
      for (Path folder : folders) {
        write(folder);
      }
      return;
    }
    List<String> problems = new ArrayList<>();
    for (Path folder : folders) {
      problems.addAll(compare(root, folder));
    }
    if (!problems.isEmpty()) {
      fail("The committed CRDs differ from what the API classes generate:\n  - "
          + String.join("\n  - ", problems)
          + "\nRefresh them from the project root with:\n  " + CrdFiles.REFRESH_COMMAND
          + "\nthen review and commit the changed files.");
    }
  }

  @Test
  void printerColumnsFollowTheDeclarationOrder() {
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name).toList();
      JsonNode rendered = CrdFiles.parse(CrdFiles.render(kind));
      for (JsonNode version : rendered.path("spec").path("versions")) {
        List<String> columns = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).as("printer columns of %s", kind.getSimpleName())
            .containsExactlyElementsOf(declared)
            .startsWith("Ready", "Reason")
            .endsWith("Age");
      }
    }
  }

  @Test
  void renderedYamlReadsBackAsTheGeneratedCrdWithOnlyTheColumnsMoved() {
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      JsonNode generated = CrdFiles.generated(kind);
      JsonNode rendered = CrdFiles.parse(CrdFiles.render(kind));
      assertThat(rendered).as("%s read back", CrdFiles.fileName(kind))
          .isEqualTo(CrdFiles.withDeclaredColumnOrder(generated, kind));
      assertThat(withoutColumns(rendered)).as("%s apart from the printer columns", CrdFiles.fileName(kind))
          .isEqualTo(withoutColumns(generated));
    }
  }

  private static JsonNode withoutColumns(JsonNode crd) {
    JsonNode copy = crd.deepCopy();
    copy.path("spec").path("versions").forEach(v -> ((com.fasterxml.jackson.databind.node.ObjectNode) v)
        .remove("additionalPrinterColumns"));
    return copy;
  }

  private static void write(Path folder) throws IOException {
    Files.createDirectories(folder);
    for (Path stale : staleFiles(folder)) {
      Files.delete(stale);
    }
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      Files.writeString(folder.resolve(CrdFiles.fileName(kind)), CrdFiles.render(kind), StandardCharsets.UTF_8);
    }
  }

  private static List<String> compare(Path root, Path folder) throws IOException {
    List<String> problems = new ArrayList<>();
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      Path file = folder.resolve(CrdFiles.fileName(kind));
      String where = root.relativize(file).toString();
      if (!Files.isRegularFile(file)) {
        problems.add(where + " is missing");
        continue;
      }
      String expected = CrdFiles.render(kind);
      String actual = CrdFiles.read(file);
      if (!expected.equals(actual)) {
        problems.add(where + " is out of date (" + firstDifference(expected, actual) + ")");
      }
    }
    for (Path stale : staleFiles(folder)) {
      problems.add(root.relativize(stale) + " belongs to no kind of the API: remove it");
    }
    return problems;
  }

  /** CRD files of our group that no kind produces any more. */
  private static List<Path> staleFiles(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    Set<String> current = CrdFiles.KINDS.stream().map(CrdFiles::fileName).collect(Collectors.toSet());
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".mlserving.io-v1.yml"))
          .filter(f -> !current.contains(f.getFileName().toString()))
          .sorted().toList();
    }
  }

  private static String firstDifference(String expected, String actual) {
    String[] want = expected.split("\n", -1);
    String[] have = actual.split("\n", -1);
    for (int i = 0; i < Math.max(want.length, have.length); i++) {
      String w = i < want.length ? want[i] : "<end of file>";
      String h = i < have.length ? have[i] : "<end of file>";
      if (!w.equals(h)) {
        return "line " + (i + 1) + ": expected `" + w.strip() + "`, found `" + h.strip() + "`";
      }
    }
    return "line endings differ";
  }
}
