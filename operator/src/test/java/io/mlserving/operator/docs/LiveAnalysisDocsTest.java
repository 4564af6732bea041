package io.mlserving.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.analysis.LiveQueries;
import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestStatus;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerStatus;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestStatus;
import io.mlserving.operator.chart.ProjectFiles;
import io.mlserving.operator.desired.CircuitBreakerResources;
import io.mlserving.operator.status.AbVerdict;
import io.mlserving.operator.status.AnalysisEvents;
import io.mlserving.operator.status.BreakerState;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.LiveStatus;
import io.mlserving.operator.status.ShadowHealth;
import io.mlserving.operator.testing.CrdValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The live-analysis docs say what the code does: docs/sre.md lists exactly the analysis conditions with their reasons
 * and statuses, and the Events with their types; the pattern pages quote the batched PromQL and the outlier-stats
 * hint exactly, and their status excerpts and example messages are what {@link LiveStatus} computes for the samples
 * from the counts the pages' stories use.
 */
class LiveAnalysisDocsTest {
  /** The samples' window, the one the pages quote. */
  private static final Duration WINDOW = Duration.ofMinutes(5);
  /** The Prometheus the pages' examples name (the samples leave it to the operator's setting). */
  private static final String URL = "http://prometheus.istio-system:9090";
  private static final Instant NOW = Instant.parse("2026-12-01T10:15:00Z");
  private static final String NS = "models";
  private static final String CB_HOST = "fraud-v1.models.svc.cluster.local";
  private static final LiveAnalysis.Key WORKLOADS = new LiveAnalysis.Key(LiveAnalysis.Source.WORKLOADS, URL, WINDOW);
  private static final LiveAnalysis.Key BREAKERS = new LiveAnalysis.Key(LiveAnalysis.Source.BREAKERS, URL, WINDOW);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  // ---- docs/sre.md

  @Test
  void theSreGuideListsExactlyTheAnalysisConditionsWithTheirReasonsAndStatuses() {
    String section = section(read("docs/sre.md"), "## Live analysis");
    Matcher rows = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\| `([A-Za-z]+)` \\| (True|False|Unknown) \\|")
        .matcher(section);
    Set<String> documented = new TreeSet<>();
    while (rows.find()) {
      documented.add(rows.group(1) + "/" + rows.group(2) + "=" + rows.group(3));
    }
    // Every reason the code has, per condition...
    Map<String, List<String>> reasons = Map.of(
        Conditions.ANALYSIS_AVAILABLE, List.of(LiveStatus.PROMETHEUS_ANSWERED, LiveStatus.PROMETHEUS_UNAVAILABLE),
        Conditions.CONCLUDED, names(AbVerdict.Reason.values()),
        Conditions.SHADOW_HEALTHY, names(ShadowHealth.Reason.values()),
        Conditions.CIRCUIT_OPEN, names(BreakerState.Reason.values()));
    assertThat(reasons.keySet()).isEqualTo(LiveStatus.CONDITION_TYPES);
    Set<String> codeReasons = new TreeSet<>();
    reasons.forEach((type, rs) -> rs.forEach(r -> codeReasons.add(type + "/" + r)));
    // ...with the status LiveStatus gives it in the pages' scenarios, which between them reach every reason.
    Set<String> computed = new TreeSet<>();
    for (MlServingStatus s : everyScenario()) {
      s.getConditions().stream().filter(c -> LiveStatus.CONDITION_TYPES.contains(c.getType()))
          .forEach(c -> computed.add(c.getType() + "/" + c.getReason() + "=" + c.getStatus()));
    }
    Set<String> reached = computed.stream().map(t -> t.substring(0, t.indexOf('=')))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(reached).as("the scenarios reach every reason").isEqualTo(codeReasons);
    assertThat(documented).as("condition rows of the Live analysis table in docs/sre.md").isEqualTo(computed);
  }

  @Test
  void theSreGuideListsExactlyTheEventsWithTheirTypes() throws IllegalAccessException {
    String events = section(section(read("docs/sre.md"), "## Live analysis"), "### Events");
    Matcher rows = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\| (Normal|Warning) \\|").matcher(events);
    Map<String, String> documented = new TreeMap<>();
    while (rows.find()) {
      documented.put(rows.group(1), rows.group(2));
    }
    // The Events of the transitions the table describes, as AnalysisEvents records them.
    Map<String, String> recorded = new TreeMap<>();
    Stream.of(
        AnalysisEvents.of(List.of(), List.of(c(Conditions.CONCLUDED, Conditions.TRUE))),
        AnalysisEvents.of(List.of(c(Conditions.SHADOW_HEALTHY, Conditions.TRUE)),
            List.of(c(Conditions.SHADOW_HEALTHY, Conditions.FALSE))),
        AnalysisEvents.of(List.of(c(Conditions.SHADOW_HEALTHY, Conditions.FALSE)),
            List.of(c(Conditions.SHADOW_HEALTHY, Conditions.TRUE))),
        AnalysisEvents.of(List.of(c(Conditions.CIRCUIT_OPEN, Conditions.FALSE)),
            List.of(c(Conditions.CIRCUIT_OPEN, Conditions.TRUE))),
        AnalysisEvents.of(List.of(c(Conditions.CIRCUIT_OPEN, Conditions.TRUE)),
            List.of(c(Conditions.CIRCUIT_OPEN, Conditions.FALSE))))
        .flatMap(List::stream).forEach(e -> recorded.put(e.reason(), e.type()));
    Set<String> declared = new TreeSet<>();
    for (Field f : AnalysisEvents.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        declared.add((String) f.get(null));
      }
    }
    assertThat(recorded.keySet()).as("the transitions reach every Event reason").isEqualTo(declared);
    assertThat(documented).as("Events table of the Live analysis section of docs/sre.md").isEqualTo(recorded);
    // "A condition that appears in its ordinary state makes no Event", as the guide says.
    assertThat(AnalysisEvents.of(List.of(), List.of(c(Conditions.CONCLUDED, Conditions.FALSE),
        c(Conditions.SHADOW_HEALTHY, Conditions.TRUE), c(Conditions.CIRCUIT_OPEN, Conditions.FALSE),
        c(Conditions.ANALYSIS_AVAILABLE, Conditions.FALSE)))).isEmpty();
  }

  // ---- the pattern pages: queries and hints quoted exactly

  @Test
  void thePatternPagesQuoteTheBatchedQueriesExactlyForTheSamplesWindow() {
    for (String sample : List.of("samples/20-abtest.yaml", "samples/30-shadowtest.yaml",
        "samples/40-circuitbreaker.yaml")) {
      assertThat(sampleNode(sample).at("/spec/analysis/window").asText()).as(sample)
          .isEqualTo(IstioQueries.window(WINDOW));
    }
    String workloads = "\n" + LiveQueries.workloads(WINDOW) + "\n";
    assertThat(read("docs/patterns/ab-testing.md")).contains(workloads);
    assertThat(read("docs/patterns/shadow-testing.md")).contains(workloads);
    assertThat(read("docs/patterns/circuit-breaking.md")).contains("\n" + LiveQueries.breakers(WINDOW) + "\n");
    assertThat(LiveQueries.refreshInterval(WINDOW)).as("'every minute' for a 5m window").isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theCircuitBreakerPageQuotesHowToExportTheOutlierStats() {
    String page = read("docs/patterns/circuit-breaking.md");
    assertThat(page).contains("\n" + BreakerState.ENABLE_OUTLIER_STATS + "\n");
    // The annotation the page shows is the one the message tells of.
    Matcher annotation = Pattern.compile("proxy.istio.io/config: ('[^']+')").matcher(BreakerState.ENABLE_OUTLIER_STATS);
    assertThat(annotation.find()).isTrue();
    assertThat(page).contains("    proxy.istio.io/config: " + annotation.group(1) + "\n");
  }

  // ---- the pattern pages: excerpts and example messages are what LiveStatus computes

  @Test
  void theAbTestPageShowsWhatLiveStatusComputes() {
    String page = read("docs/patterns/ab-testing.md");
    ABTestStatus winner = abTest(stats(9000, 8910, 212.43), stats(1000, 997, 198.71));
    JsonNode excerpt = yamlAfter(page, "get abtest fraud-ab -o yaml").get("status");
    assertThat(normalised(excerpt.get("analysis"))).isEqualTo(normalised(Serialization.jsonMapper()
        .valueToTree(winner.getAnalysis())));
    assertSameAnalysisConditions(excerpt.get("conditions"), winner);

    ABTestStatus noWinner = abTest(stats(900, 891, 212.43), stats(100, 99, 198.71));
    ABTestStatus insufficient = abTest(stats(900, 891, 212.43), stats(42, 42, 198.71));
    for (ABTestStatus s : List.of(winner, noWinner, insufficient)) {
      assertThat(page).contains("`" + message(s, Conditions.CONCLUDED) + "`");
    }
    assertThat(page).contains("(" + noWinner.getAnalysis().getVariants().get(0).getProbabilityBest() + " against "
        + noWinner.getAnalysis().getVariants().get(1).getProbabilityBest() + " in the NoWinnerYet example above)");

    JsonNode unavailable = yamlAfter(page, "### When Prometheus does not answer");
    ABTestStatus down = abTestUnanswered();
    assertSameAnalysisConditions(unavailable, down);
    assertThat(down.getAnalysis()).isNull();
  }

  @Test
  void theShadowTestPageShowsWhatLiveStatusComputes() {
    String page = read("docs/patterns/shadow-testing.md");
    ShadowTestStatus healthy = shadowTest(stats(4000, 3996, 180.26), stats(1000, 998, 231.04));
    JsonNode excerpt = yamlAfter(page, "get shadowtest fraud-shadow -o yaml").get("status");
    assertThat(normalised(excerpt.get("analysis"))).isEqualTo(normalised(Serialization.jsonMapper()
        .valueToTree(healthy.getAnalysis())));
    assertSameAnalysisConditions(excerpt.get("conditions"), healthy);
    for (ShadowTestStatus s : List.of(shadowTest(stats(4000, 3996, 180.26), stats(1000, 981, 231.04)),
        shadowTest(stats(4000, 3996, 180.26), stats(1000, 998, 412.9)),
        shadowTest(stats(4000, 3996, 180.26), LiveQueries.WorkloadStats.NONE))) {
      assertThat(page).contains("`" + message(s, Conditions.SHADOW_HEALTHY) + "`");
    }
  }

  @Test
  void theCircuitBreakerPageShowsWhatLiveStatusComputes() {
    String page = read("docs/patterns/circuit-breaking.md");
    CircuitBreakerStatus overflowing = circuitBreaker(new LiveQueries.BreakerStats(37, 0, null));
    JsonNode excerpt = yamlAfter(page, "get circuitbreaker fraud-v1-breaker -o yaml").get("status");
    assertThat(normalised(excerpt.get("analysis"))).isEqualTo(normalised(Serialization.jsonMapper()
        .valueToTree(overflowing.getAnalysis())));
    assertSameAnalysisConditions(excerpt.get("conditions"), overflowing);
    CircuitBreakerStatus noHealthy = circuitBreaker(new LiveQueries.BreakerStats(0, 12, 0L));
    // The page quotes this message across two lines of prose.
    assertThat(page.replace("\n", " ")).contains("`" + message(noHealthy, Conditions.CIRCUIT_OPEN) + "`");
  }

  // ---- the scenarios

  /** Every scenario of the pages: between them, every reason of every analysis condition. */
  private static List<MlServingStatus> everyScenario() {
    return List.of(
        abTest(stats(9000, 8910, 212.43), stats(1000, 997, 198.71)),
        abTest(stats(900, 891, 212.43), stats(100, 99, 198.71)),
        abTest(stats(900, 891, 212.43), stats(42, 42, 198.71)),
        abTestUnanswered(),
        shadowTest(stats(4000, 3996, 180.26), stats(1000, 998, 231.04)),
        shadowTest(stats(4000, 3996, 180.26), stats(1000, 981, 231.04)),
        shadowTest(stats(4000, 3996, 180.26), stats(1000, 998, 412.9)),
        shadowTest(stats(4000, 3996, 180.26), LiveQueries.WorkloadStats.NONE),
        circuitBreaker(new LiveQueries.BreakerStats(0, 0, null)),
        circuitBreaker(new LiveQueries.BreakerStats(37, 0, null)),
        circuitBreaker(new LiveQueries.BreakerStats(0, 12, 0L)),
        circuitBreaker(new LiveQueries.BreakerStats(0, 0, 2L)));
  }

  private static LiveQueries.WorkloadStats stats(long requests, long successes, Double p99) {
    return new LiveQueries.WorkloadStats(requests, successes, p99);
  }

  /** The ABTest sample's status when Prometheus says control (fraud-v1) and candidate (fraud-v2) served these. */
  private static ABTestStatus abTest(LiveQueries.WorkloadStats control, LiveQueries.WorkloadStats candidate) {
    ABTestStatus status = new ABTestStatus();
    LiveStatus.abTest(sample("samples/20-abtest.yaml", ABTest.class), status,
        Optional.of(answer(Map.of(new LiveQueries.WorkloadKey(NS, "fraud-v1"), control,
            new LiveQueries.WorkloadKey(NS, "fraud-v2"), candidate))), WORKLOADS, NOW);
    return status;
  }

  /** The ABTest sample's status when the first query found nothing listening at the URL. */
  private static ABTestStatus abTestUnanswered() {
    ABTestStatus status = new ABTestStatus();
    LiveStatus.abTest(sample("samples/20-abtest.yaml", ABTest.class), status, Optional.of(new LiveAnalysis.Snapshot<>(
        NOW, Optional.empty(), QueryResult.unreachable(URL, "Connection refused").message())), WORKLOADS, NOW);
    return status;
  }

  /** The ShadowTest sample's status when its primary (fraud-v1) and shadow (fraud-v2) served these. */
  private static ShadowTestStatus shadowTest(LiveQueries.WorkloadStats primary, LiveQueries.WorkloadStats shadow) {
    ShadowTest st = sample("samples/30-shadowtest.yaml", ShadowTest.class);
    assertThat(List.of(st.getSpec().getPrimary(), st.getSpec().getShadow())).containsExactly("fraud-v1", "fraud-v2");
    ShadowTestStatus status = new ShadowTestStatus();
    LiveStatus.shadowTest(st, status, Optional.of(answer(Map.of(new LiveQueries.WorkloadKey(NS, "fraud-v1"), primary,
        new LiveQueries.WorkloadKey(NS, "fraud-v2"), shadow))), WORKLOADS, NOW);
    return status;
  }

  /** The CircuitBreaker sample's status when its target's clients saw these. */
  private static CircuitBreakerStatus circuitBreaker(LiveQueries.BreakerStats stats) {
    CircuitBreaker cb = sample("samples/40-circuitbreaker.yaml", CircuitBreaker.class);
    assertThat(CircuitBreakerResources.host(cb)).isEqualTo(CB_HOST);
    CircuitBreakerStatus status = new CircuitBreakerStatus();
    LiveStatus.circuitBreaker(cb, status, Optional.of(answer(Map.of(CB_HOST, stats))), BREAKERS, NOW);
    return status;
  }

  private static <T> LiveAnalysis.Snapshot<T> answer(T data) {
    return new LiveAnalysis.Snapshot<>(NOW, Optional.of(data), null);
  }

  // ---- helpers

  /** The analysis conditions of {@code page} (a YAML list) are those of {@code status}, but for their times. */
  private static void assertSameAnalysisConditions(JsonNode page, MlServingStatus status) {
    List<String> shown = new ArrayList<>();
    for (JsonNode c : page) {
      if (LiveStatus.CONDITION_TYPES.contains(c.path("type").asText())) {
        shown.add(c.path("type").asText() + "|" + c.path("status").asText() + "|" + c.path("reason").asText() + "|"
            + c.path("message").asText() + "|" + c.path("observedGeneration").asLong());
      }
    }
    List<String> computed = status.getConditions().stream().map(c -> c.getType() + "|" + c.getStatus() + "|"
        + c.getReason() + "|" + c.getMessage() + "|" + c.getObservedGeneration()).toList();
    assertThat(shown).isEqualTo(computed);
  }

  private static String message(MlServingStatus status, String type) {
    return Conditions.find(status.getConditions(), type).map(Condition::getMessage).orElseThrow();
  }

  private static Condition c(String type, String status) {
    return Conditions.of(type, status, "Reason", "a message", 1L);
  }

  private static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).toList();
  }

  /** A sample as the operator reads it, at generation 1 (what the pages' excerpts show). */
  private static <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> T sample(String file, Class<T> type) {
    T resource = Serialization.jsonMapper().convertValue(sampleNode(file), type);
    resource.getMetadata().setGeneration(1L);
    return resource;
  }

  private static JsonNode sampleNode(String file) {
    return CrdValidator.readDocuments(ProjectFiles.resolve(file)).get(0);
  }

  /** From {@code heading} to the next heading of the same level, or the end. */
  private static String section(String page, String heading) {
    int from = page.indexOf("\n" + heading + "\n");
    assertThat(from).as("heading %s", heading).isNotNegative();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int to = page.indexOf("\n" + level, from + heading.length() + 1);
    return to < 0 ? page.substring(from) : page.substring(from, to);
  }

  /** The first ```yaml block after {@code marker}, parsed. */
  private static JsonNode yamlAfter(String page, String marker) {
    int at = page.indexOf(marker);
    assertThat(at).as("marker %s", marker).isNotNegative();
    int start = page.indexOf("```yaml\n", at) + "```yaml\n".length();
    int end = page.indexOf("\n```", start);
    try {
      return YAML.readTree(page.substring(start, end));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same numbers compare equal whichever mapper read them (an int and a long 9000 differ as nodes). */
  private static JsonNode normalised(JsonNode node) {
    try {
      return JSON.readTree(JSON.writeValueAsString(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(String file) {
    try {
      return Files.readString(ProjectFiles.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
