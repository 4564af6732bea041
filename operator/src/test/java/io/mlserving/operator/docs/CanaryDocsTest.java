package io.mlserving.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.chart.ProjectFiles;
import io.mlserving.operator.testing.CrdValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/patterns/canary.md says exactly what the operator sends to Prometheus: the built-in queries as
 * {@link IstioQueries} builds them for the sample, and the placeholders of custom queries.
 */
class CanaryDocsTest {
  @Test
  void theBuiltInQueriesAreQuotedExactlyForTheSample() throws IOException {
    String page = Files.readString(ProjectFiles.resolve("docs/patterns/canary.md"));
    JsonNode sample = CrdValidator.readDocuments(ProjectFiles.resolve("samples/50-canary.yaml")).get(0);
    String namespace = sample.at("/metadata/namespace").asText();
    String canary = sample.at("/spec/canary").asText();
    // The page quotes the sample's window; the queries render it as Prometheus does.
    Duration window = Duration.ofMinutes(1);
    assertThat(sample.at("/spec/analysis/window").asText()).isEqualTo(IstioQueries.window(window));
    for (String query : List.of(IstioQueries.requests(namespace, canary, window),
        IstioQueries.successRate(namespace, canary, window), IstioQueries.latencyP99(namespace, canary, window))) {
      assertThat(page).as("docs/patterns/canary.md quotes the query").contains("\n  " + query + "\n");
    }
  }

  @Test
  void thePlaceholderTableListsExactlyThePlaceholders() throws IOException {
    String page = Files.readString(ProjectFiles.resolve("docs/patterns/canary.md"));
    Matcher rows = Pattern.compile("(?m)^\\| `\\{\\{([a-z]+)}}` \\|").matcher(page);
    List<String> documented = new ArrayList<>();
    while (rows.find()) {
      documented.add(rows.group(1));
    }
    assertThat(documented).containsExactlyElementsOf(CanaryMetric.PLACEHOLDERS);
  }
}
