package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.crd.CrdFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * samples/ as the README tells a user to apply them, with kubectl, on the real server: every resource of every
 * kind becomes Ready, {@code kubectl get mlserving} shows the printer columns, and the converged operator sends
 * no write, neither in a quiet window nor after a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SamplesIT extends RealServerTest {
  /** The namespace samples/00-namespace.yaml creates. */
  static final String MODELS = "models";
  /** Our five kinds, fully qualified (a short name could resolve to another group's kind of the same name). */
  static final String KINDS = "inferenceservices.mlserving.io,abtests.mlserving.io,shadowtests.mlserving.io,"
      + "circuitbreakers.mlserving.io,canaries.mlserving.io";

  @Test
  @Order(1)
  void everySampleBecomesReadyForKubectlWait() {
    adoptNamespace(MODELS);
    Kubectl.Result applied = kubectl.run("apply", "-f", CrdFiles.projectRoot().resolve("samples").toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    // kubectl wait needs the objects to exist, which they do once apply returned; --all: every one of each kind.
    for (String kind : KINDS.split(",")) {
      Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", kind, "--all", "-n", MODELS,
          "--timeout=" + DEADLINE.toSeconds() + "s");
      assertThat(waited.exitCode()).as("%s\n%s\noperator log %s", waited, kubectl.run("get", "mlserving", "-n", MODELS,
          "-o", "wide").stdout(), operator.log()).isZero();
      assertThat(waited.stdout()).contains("condition met");
    }
    assertThat(kubectl.ok("get", KINDS, "-n", MODELS, "-o", "name").lines().count())
        .as("the 8 InferenceServices, the ABTest, the ShadowTest and the CircuitBreaker").isEqualTo(11);
  }

  @Test
  @Order(2)
  void kubectlGetMlservingShowsThePrinterColumnsWithValues() {
    String out = kubectl.ok("get", "mlserving", "-n", MODELS);
    Map<String, List<Map<String, String>>> tables = tables(out);
    assertThat(tables.keySet()).as(out).hasSize(4);
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      List<String> expected = new ArrayList<>(List.of("NAME"));
      Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(c -> c.name().toUpperCase(Locale.ROOT)).forEach(expected::add);
      List<Map<String, String>> rows = tables.values().stream()
          .filter(t -> t.get(0).get("NAME").startsWith(HasMetadata.getSingular(kind) + "."))
          .findFirst().orElseThrow(() -> new AssertionError("no table of " + kind.getSimpleName() + " in\n" + out));
      assertThat(rows.get(0).keySet()).as(out).containsExactlyElementsOf(expected);
      for (Map<String, String> row : rows) {
        assertThat(row).as(out).doesNotContainValue("<none>").doesNotContainValue("");
        assertThat(row.get("READY")).as(out).isEqualTo("True");
        assertThat(row.get("REASON")).as(out).isEqualTo("Ready");
      }
    }
    assertThat(out).contains("http://fraud-v1.models.svc.cluster.local").contains("control=90,candidate=10");
  }

  @Test
  @Order(3)
  void theConvergedOperatorSendsNoWriteInAQuietWindow() {
    awaitConverged();
    assertNoOperatorWritesDuringQuietWindow("with every sample converged");
  }

  @Test
  @Order(4)
  void aRestartedOperatorSendsNoWrite() {
    awaitConverged();
    int exit = operator.stop();
    assertThat(exit).as(operator.logTail(30)).isIn(0, 143);
    AuditLog.Mark restart = audit.mark();
    operator = OperatorProcess.start(cp).awaitStarted();
    // Its first reconcile of every resource (right after the controllers start) finds nothing to change.
    assertNoOperatorWritesDuringQuietWindow("after a restart");
    List<AuditLog.Entry> writes = audit.writes(operator.user(), restart);
    assertThat(writes).as("writes since the restart:\n%s", AuditLog.describe(writes)).isEmpty();
    assertThat(audit.by(operator.user(), restart)).as("the new process listed and watched")
        .anySatisfy(e -> assertThat(e.verb()).isEqualTo("list"));
  }

  private void awaitConverged() {
    await().atMost(DEADLINE).alias("every sample converged").untilAsserted(() ->
        assertThat(Convergence.problems(admin, MODELS)).isEmpty());
  }

  /**
   * The tables of {@code kubectl get} with several kinds (one per kind, separated by blank lines), by header,
   * each row as column name to value. Columns are cut where the header's are (values may contain single spaces).
   */
  static Map<String, List<Map<String, String>>> tables(String out) {
    Map<String, List<Map<String, String>>> tables = new LinkedHashMap<>();
    for (String block : out.split("\n\\s*\n")) {
      List<String> lines = block.lines().filter(l -> !l.isBlank()).toList();
      if (lines.size() < 2) {
        continue;
      }
      String header = lines.get(0);
      List<Integer> starts = new ArrayList<>();
      List<String> names = new ArrayList<>();
      var m = java.util.regex.Pattern.compile("\\S+").matcher(header);
      while (m.find()) {
        starts.add(m.start());
        names.add(m.group());
      }
      List<Map<String, String>> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          int from = Math.min(starts.get(i), line.length());
          int to = i + 1 < starts.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
          row.put(names.get(i), line.substring(from, to).trim());
        }
        rows.add(row);
      }
      tables.put(header, rows);
    }
    return tables;
  }
}
