package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.desired.CanaryResources;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.LiveStatus;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.MlflowStandIn;
import io.mlserving.operator.testing.SampleFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * samples/ as the README tells a user to apply them, with kubectl, on the real server: every resource of every
 * kind becomes Ready (the Canary: steps, then rolls back, since the Prometheus it is given does not answer), the
 * live analysis of the ABTest, ShadowTest and CircuitBreaker says Prometheus is unavailable without touching Ready,
 * {@code kubectl get mlserving} shows the printer columns, and the converged operator sends no write, neither in a
 * quiet window nor after a restart.
 *
 * <p>The operator's Prometheus setting points at a loopback port where nothing listens: that turns the samples'
 * live analysis on (they leave the URL to the operator's setting) and gives every query a prompt, constant
 * "Connection refused", the same answer at every refresh.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SamplesIT extends RealServerTest {
  /** The namespace samples/00-namespace.yaml creates. */
  static final String MODELS = "models";
  /** Our five kinds, fully qualified (a short name could resolve to another group's kind, Flagger's canary). */
  static final String KINDS = "inferenceservices.mlserving.io,abtests.mlserving.io,shadowtests.mlserving.io,"
      + "circuitbreakers.mlserving.io,canaries.mlserving.io";
  /** The kinds whose samples are Ready once applied: all but the Canary, Ready only when Promoted. */
  static final List<String> READY_KINDS = Arrays.stream(KINDS.split(","))
      .filter(k -> !k.equals("canaries.mlserving.io")).toList();
  /** samples/50-canary.yaml. */
  static final String CANARY = "fraud-rollout";

  /** Weights of the Canary's VirtualService as the watch saw them, "stable/canary", consecutive repeats dropped. */
  private final List<String> canaryWeights = new CopyOnWriteArrayList<>();
  /** Phases of the Canary as the watch saw them, consecutive repeats dropped. */
  private final List<String> canaryPhases = new CopyOnWriteArrayList<>();
  private final List<Watch> watches = new ArrayList<>();
  /** The operator's environment, kept for the restart: its Prometheus setting, a URL nothing answers. */
  private Map<String, String> env;

  /** The MLflow registry of the samples' models:/ URIs: each resolves to version 1 in a bucket. */
  private MlflowStandIn mlflow;

  @Override
  protected Map<String, String> operatorEnv() {
    mlflow = MlflowStandIn.start();
    for (String uri : SampleFiles.registryUris()) {
      ModelUri m = ModelUri.parse(uri).orElseThrow();
      mlflow.register(m.name(), "1", "s3://mlflow/" + m.name() + "/1/artifacts/model");
      if (m.isAlias()) {
        mlflow.setAlias(m.name(), m.alias(), "1");
      }
    }
    env = Map.of(OperatorSettings.ENV_PROMETHEUS_URL, "http://127.0.0.1:" + closedPort(),
        OperatorSettings.ENV_MLFLOW_TRACKING_URI, mlflow.url());
    return env;
  }

  @AfterAll
  void stopRegistry() {
    if (mlflow != null) {
      mlflow.close();
    }
  }

  /** The Prometheus URL the operator was given. */
  private String prometheusUrl() {
    return env.get(OperatorSettings.ENV_PROMETHEUS_URL);
  }

  @Test
  @Order(1)
  void everySampleBecomesReadyForKubectlWait() {
    adoptNamespace(MODELS);
    watchTheCanary();
    Kubectl.Result applied = kubectl.run("apply", "-f", CrdFiles.projectRoot().resolve("samples").toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    // kubectl wait needs the objects to exist, which they do once apply returned; --all: every one of each kind.
    for (String kind : READY_KINDS) {
      Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", kind, "--all", "-n", MODELS,
          "--timeout=" + DEADLINE.toSeconds() + "s");
      assertThat(waited.exitCode()).as("%s\n%s\noperator log %s", waited, kubectl.run("get", "mlserving", "-n", MODELS,
          "-o", "wide").stdout(), operator.log()).isZero();
      assertThat(waited.stdout()).contains("condition met");
    }
    assertThat(kubectl.ok("get", KINDS, "-n", MODELS, "-o", "name").lines().count())
        .as("the 9 InferenceServices, the ABTest, the ShadowTest, the CircuitBreaker and the Canary").isEqualTo(13);
  }

  /**
   * The Canary sample with a Prometheus that does not answer: it waits for its two models, applies its first step
   * (stable 90, canary 10) in the VirtualService, then its checks are Error (Prometheus unreachable), and after
   * failureThreshold of them it is RolledBack with the canary back at 0. That is the rollout's one sensible end
   * here: no promotion without evidence. Every weight and phase is seen through watches, so a step shorter than the
   * test's polling cannot be missed.
   */
  @Test
  @Order(2)
  void theCanarySampleStepsThenRollsBackForWantOfPrometheus() {
    Canary sample = get(Canary.class, MODELS, CANARY);
    Duration stepInterval = CanaryResources.stepInterval(sample.getSpec());
    int threshold = CanaryResources.failureThreshold(sample.getSpec());
    // Both models Ready (done above), then a check every stepInterval: the rollback is due after threshold of them.
    Duration rollback = DEADLINE.plus(stepInterval.multipliedBy(threshold));
    Canary c = await().atMost(rollback).alias("Canary " + CANARY + " RolledBack (operator log " + operator.log() + ")")
        .until(() -> get(Canary.class, MODELS, CANARY),
            r -> r.getStatus() != null && r.getStatus().getPhase() == CanaryPhase.RolledBack);

    CanaryStatus status = c.getStatus();
    assertThat(status.getObservedGeneration()).isEqualTo(c.getMetadata().getGeneration());
    assertThat(status.getStep()).as("rolled back at the first step").isZero();
    assertThat(status.getCanaryWeight()).isZero();
    assertThat(status.getFailedChecks()).isEqualTo(threshold);
    assertThat(status.getChecks()).extracting(CanaryCheck::getName)
        .containsExactlyElementsOf(sample.getSpec().getAnalysis().getMetrics().stream().map(m -> m.getName()).toList());
    assertThat(status.getChecks()).allSatisfy(k -> {
      assertThat(k.getResult()).isEqualTo(CheckResult.Error);
      assertThat(k.getMessage()).contains("Prometheus at " + prometheusUrl() + " is unreachable");
    });
    Condition ready = ready(c).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
    assertThat(ready.getReason()).isEqualTo(Reason.RolledBack.name());
    assertThat(ready.getMessage()).contains("canary fraud-v2 gets 0 %")
        .contains("failed check " + threshold + "/" + threshold).contains(prometheusUrl() + " is unreachable");

    // The VirtualService went to the first step and back; the apex Service stayed on the stable.
    int first = sample.getSpec().getSteps().get(0);
    await().atMost(DEADLINE).alias("the watch saw the VirtualService back at stable 100")
        .until(() -> !canaryWeights.isEmpty() && canaryWeights.get(canaryWeights.size() - 1).equals("100/0"));
    assertThat(canaryWeights).as("weights of VirtualService %s, stable/canary", CANARY)
        .containsSubsequence((100 - first) + "/" + first, "100/0")
        .allMatch(w -> w.equals("100/0") || w.equals((100 - first) + "/" + first));
    assertThat(canaryPhases).as("phases of Canary %s", CANARY).containsSubsequence("Progressing", "RolledBack")
        .doesNotContain("Promoted");
    assertThat(admin.services().inNamespace(MODELS).withName(CANARY).get().getSpec().getSelector())
        .containsEntry(Labels.INFERENCE_SERVICE, "fraud-v1");

    // And it said so in Events: the step, the failed check, the rollback.
    await().atMost(DEADLINE).alias("Events of Canary " + CANARY).untilAsserted(() ->
        assertThat(admin.events().v1().events().inNamespace(MODELS).list().getItems().stream()
            .filter(e -> e.getRegarding() != null && "Canary".equals(e.getRegarding().getKind())
                && CANARY.equals(e.getRegarding().getName()))
            .map(e -> e.getReason() + ": " + e.getNote()).toList())
            .anyMatch(e -> e.startsWith("Step: step 1/" + sample.getSpec().getSteps().size() + ": canary fraud-v2 at "
                + first + " %"))
            .anyMatch(e -> e.startsWith("CheckFailed: "))
            .anyMatch(e -> e.startsWith("RolledBack: " + ready.getMessage())));
  }

  /**
   * The ABTest, ShadowTest and CircuitBreaker samples have live analysis (spec.analysis, and the operator's
   * Prometheus URL): after the first refresh each says AnalysisAvailable=False, reason PrometheusUnavailable,
   * naming the URL and the error; no figures (Prometheus never answered) and no verdict condition; Ready stays True.
   * {@code kubectl wait} waits for it as a user would.
   */
  @Test
  @Order(3)
  void liveAnalysisSaysPrometheusIsUnavailableAndReadyStaysTrue() {
    for (String kind : List.of("abtests.mlserving.io", "shadowtests.mlserving.io", "circuitbreakers.mlserving.io")) {
      Kubectl.Result waited = kubectl.run("wait", "--for=condition=" + Conditions.ANALYSIS_AVAILABLE + "=False", kind,
          "--all", "-n", MODELS, "--timeout=" + DEADLINE.toSeconds() + "s");
      assertThat(waited.exitCode()).as("%s\noperator log %s", waited, operator.log()).isZero();
    }
    List<CustomResource<?, ? extends MlServingStatus>> analysed = List.of(get(ABTest.class, MODELS, "fraud-ab"),
        get(ShadowTest.class, MODELS, "fraud-shadow"), get(CircuitBreaker.class, MODELS, "fraud-v1-breaker"));
    for (CustomResource<?, ? extends MlServingStatus> r : analysed) {
      String id = r.getKind() + " " + r.getMetadata().getName();
      assertThat(r.getSpec()).as(id).extracting("analysis").as(id + " has spec.analysis").isNotNull();
      List<Condition> conditions = r.getStatus().getConditions();
      Condition available = Conditions.find(conditions, Conditions.ANALYSIS_AVAILABLE).orElseThrow();
      assertThat(available.getStatus()).as(id).isEqualTo(Conditions.FALSE);
      assertThat(available.getReason()).as(id).isEqualTo(LiveStatus.PROMETHEUS_UNAVAILABLE);
      assertThat(available.getMessage()).as(id).contains("Prometheus at " + prometheusUrl())
          .contains("Connection refused").contains("Ready is not affected");
      assertThat(available.getObservedGeneration()).as(id).isEqualTo(r.getMetadata().getGeneration());
      // Prometheus never answered: nothing to show, nothing to conclude.
      assertThat(conditions).extracting(Condition::getType).as(id)
          .containsExactlyInAnyOrder(Conditions.READY, Conditions.ANALYSIS_AVAILABLE);
      Condition ready = ready(r).orElseThrow();
      assertThat(ready.getStatus()).as(id).isEqualTo(Conditions.TRUE);
      assertThat(ready.getReason()).as(id).isEqualTo(Reason.Ready.name());
    }
    assertThat(get(ABTest.class, MODELS, "fraud-ab").getStatus().getAnalysis()).isNull();
    assertThat(get(ShadowTest.class, MODELS, "fraud-shadow").getStatus().getAnalysis()).isNull();
    assertThat(get(CircuitBreaker.class, MODELS, "fraud-v1-breaker").getStatus().getAnalysis()).isNull();
  }

  @Test
  @Order(4)
  void kubectlGetMlservingShowsThePrinterColumnsWithValues() {
    String out = kubectl.ok("get", "mlserving", "-n", MODELS);
    Map<String, List<Map<String, String>>> tables = tables(out);
    assertThat(tables.keySet()).as(out).hasSize(5);
    for (Class<? extends HasMetadata> kind : CrdFiles.KINDS) {
      List<String> expected = new ArrayList<>(List.of("NAME"));
      Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(c -> c.name().toUpperCase(Locale.ROOT)).forEach(expected::add);
      List<Map<String, String>> rows = tables.values().stream()
          .filter(t -> t.get(0).get("NAME").startsWith(HasMetadata.getSingular(kind) + "."))
          .findFirst().orElseThrow(() -> new AssertionError("no table of " + kind.getSimpleName() + " in\n" + out));
      assertThat(rows.get(0).keySet()).as(out).containsExactlyElementsOf(expected);
      for (Map<String, String> row : rows) {
        if (kind == ABTest.class) {
          // No winner: Prometheus never answered (above); the server's table leaves an absent value blank.
          assertThat(row).as(out).containsEntry("WINNER", "");
          row = new LinkedHashMap<>(row);
          row.remove("WINNER");
        }
        assertThat(row).as(out).doesNotContainValue("<none>").doesNotContainValue("");
        if (kind == Canary.class) {
          // Rolled back above: not Ready, the canary at 0, the models named.
          assertThat(row).as(out).containsEntry("READY", "False").containsEntry("REASON", "RolledBack")
              .containsEntry("HOST", CANARY).containsEntry("STABLE", "fraud-v1").containsEntry("CANARY", "fraud-v2")
              .containsEntry("WEIGHT", "0").containsEntry("PHASE", "RolledBack");
          continue;
        }
        assertThat(row.get("READY")).as(out).isEqualTo("True");
        assertThat(row.get("REASON")).as(out).isEqualTo("Ready");
      }
    }
    assertThat(out).contains("http://fraud-v1.models.svc.cluster.local").contains("control=90,candidate=10");
  }

  @Test
  @Order(5)
  void theConvergedOperatorSendsNoWriteInAQuietWindow() {
    awaitConverged();
    assertNoOperatorWritesDuringQuietWindow("with every sample converged");
  }

  @Test
  @Order(6)
  void aRestartedOperatorSendsNoWrite() {
    awaitConverged();
    int exit = operator.stop();
    assertThat(exit).as(operator.logTail(30)).isIn(0, 143);
    AuditLog.Mark restart = audit.mark();
    // With the same settings: a restart without the Prometheus URL would turn analysis off, which is a change.
    operator = OperatorProcess.start(ChartServiceAccount.of(cp), env, List.of()).awaitStarted();
    // Its first reconcile of every resource (right after the controllers start) and its first analysis refresh
    // (Prometheus still refusing, as before) find nothing to change.
    assertNoOperatorWritesDuringQuietWindow("after a restart");
    List<AuditLog.Entry> writes = audit.writes(operator.user(), restart);
    assertThat(writes).as("writes since the restart:\n%s", AuditLog.describe(writes)).isEmpty();
    assertThat(audit.by(operator.user(), restart)).as("the new process listed and watched")
        .anySatisfy(e -> assertThat(e.verb()).isEqualTo("list"));
  }

  @AfterAll
  void stopWatching() {
    watches.forEach(Watch::close);
  }

  /**
   * Watches the Canary sample and its VirtualService from before the apply, recording each phase and weight pair
   * as it changes: a watch delivers every change in order, where a poll could miss a short step.
   */
  private void watchTheCanary() {
    watches.add(admin.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace(MODELS)
        .withName(CANARY).watch(new Watcher<GenericKubernetesResource>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource vs) {
            if (action == Action.DELETED) {
              return;
            }
            List<Map<String, Object>> routes = routes(vs);
            if (routes.size() == 2) {
              appendChanged(canaryWeights, routes.get(0).get("weight") + "/" + routes.get(1).get("weight"));
            }
          }

          @Override
          public void onClose(WatcherException cause) {}
        }));
    watches.add(admin.resources(Canary.class).inNamespace(MODELS).withName(CANARY).watch(new Watcher<Canary>() {
      @Override
      public void eventReceived(Action action, Canary c) {
        if (action != Action.DELETED && c.getStatus() != null && c.getStatus().getPhase() != null) {
          appendChanged(canaryPhases, c.getStatus().getPhase().name());
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    }));
  }

  /** The destinations of the VirtualService's single http route, stable first. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> routes(GenericKubernetesResource vs) {
    Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
    List<Map<String, Object>> http = spec == null ? null : (List<Map<String, Object>>) spec.get("http");
    if (http == null || http.isEmpty()) {
      return List.of();
    }
    List<Map<String, Object>> route = (List<Map<String, Object>>) http.get(0).get("route");
    return route == null ? List.of() : route;
  }

  private static void appendChanged(List<String> seen, String value) {
    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(value)) {
      seen.add(value);
    }
  }

  private void awaitConverged() {
    await().atMost(DEADLINE).alias("every sample converged").untilAsserted(() ->
        assertThat(Convergence.problems(admin, MODELS)).isEmpty());
    // And the analysis has said what it has to say: the first refresh's condition is written.
    await().atMost(DEADLINE).alias("the analysed samples show AnalysisAvailable").untilAsserted(() -> {
      for (CustomResource<?, ? extends MlServingStatus> r : List.of(get(ABTest.class, MODELS, "fraud-ab"),
          get(ShadowTest.class, MODELS, "fraud-shadow"), get(CircuitBreaker.class, MODELS, "fraud-v1-breaker"))) {
        assertThat(Conditions.find(r.getStatus().getConditions(), Conditions.ANALYSIS_AVAILABLE)).as(r.getKind())
            .isPresent();
      }
    });
  }

  /**
   * A loopback port nothing listens on: one the kernel just handed out and that was closed again, so a connection
   * to it is refused at once. Should another process bind it later, the messages asserted here would say so.
   */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
