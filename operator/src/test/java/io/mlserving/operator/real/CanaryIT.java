package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.mlserving.operator.analysis.IstioQueries;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.prom.IstioExporter;
import io.mlserving.operator.prom.PrometheusServer;
import io.mlserving.operator.status.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Canary end to end on the real control plane: the operator jar as the chart's ServiceAccount, with the
 * operator setting MLSERVING_PROMETHEUS_URL pointing at a real Prometheus that scrapes a test-side exporter of
 * Istio's metrics. A healthy canary is promoted ({@code kubectl wait --for=condition=Ready} waits for it), a failing
 * one is rolled back with a Warning Event, and a canary whose model loader crash-loops is rolled back at its
 * progress deadline.
 */
class CanaryIT extends RealServerTest {
  private IstioExporter exporter;
  private PrometheusServer prometheus;
  private final List<IstioExporter.Traffic> traffic = new ArrayList<>();

  @Override
  protected Map<String, String> operatorEnv() {
    exporter = IstioExporter.start();
    prometheus = PrometheusServer.scraping(exporter.target());
    return Map.of(OperatorSettings.ENV_PROMETHEUS_URL, prometheus.url());
  }

  @AfterEach
  void stopTraffic() {
    traffic.forEach(IstioExporter.Traffic::stop);
    traffic.clear();
  }

  @AfterAll
  void stopPrometheus() {
    try {
      if (prometheus != null) {
        prometheus.close();
      }
    } finally {
      if (exporter != null) {
        exporter.close();
      }
    }
  }

  @Test
  void aHealthyCanaryIsPromotedAndKubectlWaitSeesIt() {
    String ns = namespace("canary-ok");
    models(ns);
    drive(ns, 200, 20);
    kubectl.apply(canary(ns, "fraud-rollout", "[20, 60]", "4s", "60s", "1"));

    kubectl.ok("wait", "--for=condition=Ready", "canaries.mlserving.io/fraud-rollout", "-n", ns,
        "--timeout=" + DEADLINE.toSeconds() + "s");
    Canary c = get(Canary.class, ns, "fraud-rollout");
    assertThat(c.getStatus().getPhase()).isEqualTo(CanaryPhase.Promoted);
    assertThat(weights(ns, "fraud-rollout")).isEqualTo(Map.of("fraud-v1", 0L, "fraud-v2", 100L));
    String columns = kubectl.ok("get", "mlcanary", "-n", ns);
    assertThat(columns).contains("HOST").contains("STABLE").contains("CANARY").contains("WEIGHT").contains("PHASE");
    assertThat(columns.lines().filter(l -> l.startsWith("fraud-rollout")).findFirst().orElseThrow())
        .contains("True").contains("Promoted").contains("fraud-v1").contains("fraud-v2").contains("100");
    assertThat(events(ns)).anySatisfy(l -> assertThat(l).contains("Normal").contains("Step"))
        .anySatisfy(l -> assertThat(l).contains("Normal").contains("Promoted"));
  }

  @Test
  void aFailingCanaryIsRolledBackWithAWarningEvent() {
    String ns = namespace("canary-5xx");
    models(ns);
    drive(ns, 200, 10);
    drive(ns, 500, 10);
    kubectl.apply(canary(ns, "fraud-rollout", "[20, 60]", "3s", "60s", "1"));

    Canary c = awaitCanary(ns, "fraud-rollout", s -> s.getPhase() == CanaryPhase.RolledBack);
    assertThat(c.getStatus().getCanaryWeight()).isZero();
    assertThat(c.getStatus().getFailedChecks()).isEqualTo(2);
    assertThat(weights(ns, "fraud-rollout")).isEqualTo(Map.of("fraud-v1", 100L, "fraud-v2", 0L));
    assertThat(ready(c).orElseThrow().getReason()).isEqualTo(Reason.RolledBack.name());
    assertThat(ready(c).orElseThrow().getMessage()).contains("success-rate").contains("< 99 Fail");
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(events(ns))
        .anySatisfy(l -> assertThat(l).contains("Warning").contains("RolledBack").contains("canary/fraud-rollout")));
  }

  @Test
  void aCrashLoopingCanaryLoaderRollsBackAtTheProgressDeadline() {
    String ns = namespace("canary-crash");
    Predicate<Pod> canaryPods = p -> ns.equals(p.getMetadata().getNamespace())
        && p.getMetadata().getName().startsWith("fraud-v2-");
    kubelet.crashLoopLoader(canaryPods, "fatal error: model.onnx not found");
    kubectl.apply(Manifests.inferenceService(ns, "fraud-v1") + "---\n" + Manifests.inferenceService(ns, "fraud-v2",
        "ghcr.io/acme/fraud-v2:1", "model: {storageUri: s3://models/fraud/v2}"));
    awaitReady(io.mlserving.operator.api.v1alpha1.InferenceService.class, ns, "fraud-v1");
    kubectl.apply(canary(ns, "fraud-rollout", "[50]", "2s", "15s", "1"));

    Canary waiting = awaitCanary(ns, "fraud-rollout", s -> s.getPhase() == CanaryPhase.Waiting
        && ready(get(Canary.class, ns, "fraud-rollout")).map(r -> r.getMessage().contains("ModelLoadFailed"))
            .orElse(false));
    assertThat(waiting.getStatus().getCanaryWeight()).isZero();
    Canary rolledBack = awaitCanary(ns, "fraud-rollout", s -> s.getPhase() == CanaryPhase.RolledBack);
    assertThat(ready(rolledBack).orElseThrow().getMessage()).contains("not Ready within progressDeadline 15s")
        .contains("ModelLoadFailed").contains("model.onnx not found");
    assertThat(weights(ns, "fraud-rollout")).isEqualTo(Map.of("fraud-v1", 100L, "fraud-v2", 0L));
  }

  private void models(String ns) {
    kubectl.apply(Manifests.inferenceService(ns, "fraud-v1") + "---\n" + Manifests.inferenceService(ns, "fraud-v2"));
    awaitReady(io.mlserving.operator.api.v1alpha1.InferenceService.class, ns, "fraud-v1");
    awaitReady(io.mlserving.operator.api.v1alpha1.InferenceService.class, ns, "fraud-v2");
  }

  /** Requests answered by the canary with {@code code}, 20 ms each, and waits until Prometheus has them. */
  private void drive(String ns, int code, double perSecond) {
    traffic.add(exporter.traffic(IstioExporter.Requests.to(ns, "fraud-v2").code(code)).latencyMs(20)
        .rate(perSecond));
    prometheus.awaitValue(IstioQueries.requests(ns, "fraud-v2", Duration.ofSeconds(5)), v -> v > 0, DEADLINE);
  }

  private static String canary(String ns, String name, String steps, String interval, String deadline,
      String minRequests) {
    return """
        apiVersion: mlserving.io/v1alpha1
        kind: Canary
        metadata: {name: %s, namespace: %s}
        spec:
          stable: fraud-v1
          canary: fraud-v2
          steps: %s
          stepInterval: %s
          progressDeadline: %s
          analysis:
            window: 5s
            failureThreshold: 2
            minRequests: %s
            metrics:
              - {name: success-rate, min: 99}
              - {name: latency-p99, max: 500}
        """.formatted(name, ns, steps, interval, deadline, minRequests);
  }

  private Canary awaitCanary(String ns, String name, Predicate<io.mlserving.operator.api.v1alpha1.CanaryStatus> p) {
    return await().atMost(DEADLINE).until(() -> get(Canary.class, ns, name),
        c -> c != null && c.getStatus() != null && p.test(c.getStatus()));
  }

  /** The VirtualService's weight by destination InferenceService. */
  @SuppressWarnings("unchecked")
  private Map<String, Long> weights(String ns, String name) {
    GenericKubernetesResource vs = admin.genericKubernetesResources("networking.istio.io/v1", "VirtualService")
        .inNamespace(ns).withName(name).get();
    Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
    List<Map<String, Object>> route = (List<Map<String, Object>>) ((List<Map<String, Object>>) spec.get("http"))
        .get(0).get("route");
    Map<String, Long> out = new HashMap<>();
    for (Map<String, Object> d : route) {
      String host = (String) ((Map<String, Object>) d.get("destination")).get("host");
      Object w = d.get("weight");
      out.put(host.substring(0, host.indexOf('.')), w == null ? 0L : ((Number) w).longValue());
    }
    return out;
  }

  private List<String> events(String ns) {
    return kubectl.ok("get", "events", "-n", ns).lines().toList();
  }
}
