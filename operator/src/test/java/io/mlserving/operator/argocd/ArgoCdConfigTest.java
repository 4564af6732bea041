package io.mlserving.operator.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserving.operator.chart.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** argocd/argocd-cm-patch.yaml carries exactly the health.lua files; argocd/application.yaml syncs samples/. */
class ArgoCdConfigTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path ARGOCD = ProjectFiles.resolve("argocd");

  @Test
  void configMapPatchEmbedsEachHealthLuaExactly() throws IOException {
    JsonNode cm = YAML.readTree(ARGOCD.resolve("argocd-cm-patch.yaml").toFile());
    assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(cm.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
    List<String> keys = new ArrayList<>();
    cm.path("data").fieldNames().forEachRemaining(keys::add);
    List<String> expectedKeys = ArgoHealthTest.KINDS.stream()
        .map(kind -> "resource.customizations.health.mlserving.io_" + kind).toList();
    assertThat(keys).containsExactlyInAnyOrderElementsOf(expectedKeys);
    for (String kind : ArgoHealthTest.KINDS) {
      String lua = Files.readString(ARGOCD.resolve("health/mlserving.io/" + kind + "/health.lua"));
      assertThat(cm.path("data").path("resource.customizations.health.mlserving.io_" + kind).asText())
          .as("argocd-cm-patch.yaml's %s entry must be argocd/health/mlserving.io/%s/health.lua verbatim", kind, kind)
          .isEqualTo(lua);
    }
  }

  @Test
  void applicationSyncsTheSamples() throws IOException {
    JsonNode app = YAML.readTree(ARGOCD.resolve("application.yaml").toFile());
    assertThat(app.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
    assertThat(app.path("kind").asText()).isEqualTo("Application");
    assertThat(app.path("spec").path("source").path("path").asText()).isEqualTo("samples");
    assertThat(app.path("spec").path("destination").path("namespace").asText()).isNotEmpty();
    assertThat(app.path("spec").path("syncPolicy").path("automated").path("selfHeal").asBoolean()).isTrue();
  }

  @Test
  void theScriptsAreOneScriptApartFromTheKindName() throws IOException {
    // Argo CD wants a self-contained script per kind; they must not drift apart.
    String abTest = Files.readString(ProjectFiles.root().resolve("argocd/health/mlserving.io/ABTest/health.lua"));
    for (String kind : ArgoHealthTest.KINDS) {
      String script = Files.readString(ProjectFiles.root().resolve("argocd/health/mlserving.io/" + kind + "/health.lua"));
      assertThat(script.replace("mlserving.io/" + kind, "mlserving.io/ABTest").replace('"' + kind + '"', "\"ABTest\""))
          .as(kind).isEqualTo(abTest);
    }
  }
}
