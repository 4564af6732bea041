package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.LogCapture;
import io.mlserving.operator.testing.OperatorHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A credentials Secret referenced by an InferenceService is handed to the model loader by name and never read:
 * a canary value in it appears nowhere the operator writes (logs, statuses, events, any stored object), also
 * on the error path, and the operator sends no request for Secrets at all.
 */
class SecretCanaryTest {
  private static final String SECRET = "s3-creds";
  private final String canary = "canary-" + UUID.randomUUID();
  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = Faults.operator();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aCanaryInAReferencedSecretAppearsNowhereAndTheSecretIsReferencedByNameOnly() {
    try (LogCapture logs = new LogCapture("io.mlserving")) {
      h.create(new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(NS).endMetadata()
          .addToStringData("AWS_ACCESS_KEY_ID", "AKIA" + canary)
          .addToStringData("AWS_SECRET_ACCESS_KEY", canary)
          .addToStringData("AWS_ENDPOINT_URL", "https://minio.example.com/" + canary)
          .build());
      h.cluster.dispatcher.clearRequests();
      // The error path too: the first Deployment write fails, so a ReconcileError is logged and put in status.
      h.cluster.dispatcher.failNext(Faults.apply("deployments", "fraud"), 500, 1);
      InferenceService isvc = Fixtures.isvcWithModel(NS, "fraud", "s3://models/fraud/v1");
      isvc.getSpec().getModel().setCredentialsSecret(SECRET);
      h.create(isvc);
      h.awaitReason(InferenceService.class, NS, "fraud", Reason.ReconcileError.name());
      h.markAvailable(NS, "fraud");
      h.awaitStatus(InferenceService.class, NS, "fraud", s -> Conditions.isReady(s.getConditions()));
      h.readyInferenceService(NS, "fraud-v2");
      h.create(Fixtures.abTest(NS, "fraud-ab", "fraud-main", "fraud", 90, "fraud-v2", 10));
      h.create(Fixtures.circuitBreaker(NS, "fraud-cb", "fraud"));
      h.awaitStatus(ABTest.class, NS, "fraud-ab", s -> Conditions.isReady(s.getConditions()));
      h.awaitStatus(CircuitBreaker.class, NS, "fraud-cb", s -> Conditions.isReady(s.getConditions()));
      Faults.awaitQuiet(h, Duration.ofMillis(500));
      // Never read: no request for Secrets since the Secret was created (the test's own listings come later).
      assertThat(h.cluster.dispatcher.requests()).noneMatch(r -> r.path().contains("/secrets"));

      List<String> logLines = logs.lines();
      assertThat(logLines).as("the test saw the operator's logs").anyMatch(l -> l.contains("Created Deployment"))
          .anyMatch(l -> l.contains("HTTP 500"));
      assertThat(occurrences(String.join("\n", logLines))).as("in the logs").isZero();
    }

    KubernetesClient client = h.cluster.client;
    List<HasMetadata> customResources = new ArrayList<>();
    for (Class<? extends HasMetadata> type : List.of(InferenceService.class, ABTest.class, ShadowTest.class,
        CircuitBreaker.class)) {
      customResources.addAll(client.resources(type).inAnyNamespace().list().getItems());
    }
    assertThat(customResources).hasSize(4);
    assertThat(occurrences(Serialization.asJson(customResources))).as("in the custom resources and statuses")
        .isZero();

    List<HasMetadata> events = new ArrayList<>(client.v1().events().inAnyNamespace().list().getItems());
    events.addAll(client.events().v1().events().inAnyNamespace().list().getItems());
    assertThat(occurrences(Serialization.asJson(events))).as("in core and events.k8s.io Events").isZero();

    Map<String, List<? extends HasMetadata>> listed = new LinkedHashMap<>();
    listed.put("deployments", client.apps().deployments().inAnyNamespace().list().getItems());
    listed.put("replicasets", client.apps().replicaSets().inAnyNamespace().list().getItems());
    listed.put("pods", client.pods().inAnyNamespace().list().getItems());
    listed.put("services", client.services().inAnyNamespace().list().getItems());
    listed.put("configmaps", client.configMaps().inAnyNamespace().list().getItems());
    listed.put("serviceaccounts", client.serviceAccounts().inAnyNamespace().list().getItems());
    listed.put("hpas", client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().list().getItems());
    listed.put("virtualservices",
        client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inAnyNamespace().list()
            .getItems());
    listed.put("destinationrules",
        client.genericKubernetesResources("networking.istio.io/v1", "DestinationRule").inAnyNamespace().list()
            .getItems());
    assertThat(listed.get("deployments")).hasSize(2);
    listed.forEach((kind, items) -> assertThat(occurrences(Serialization.asJson(items))).as(kind).isZero());
    List<Secret> secrets = client.secrets().inAnyNamespace().list().getItems();
    assertThat(secrets).as("no copy of the Secret").extracting(s -> s.getMetadata().getName())
        .containsExactly(SECRET);
    assertThat(occurrences(Serialization.asJson(secrets))).as("the search finds the canary where it is").isPositive();

    // Everything the mock API server stores, whatever its kind, except the Secret itself.
    List<String> stored = h.cluster.dispatcher.getMap().values().stream()
        .filter(json -> !json.contains("\"kind\":\"Secret\"")).toList();
    assertThat(stored.size()).isGreaterThan(10);
    assertThat(occurrences(String.join("\n", stored))).as("in the objects stored by the API server").isZero();

    // Referenced by name only, in the loader's envFrom.
    PodSpec pod = h.get(Deployment.class, NS, "fraud").orElseThrow().getSpec().getTemplate().getSpec();
    Container loader = pod.getInitContainers().stream()
        .filter(c -> c.getName().equals(InferenceServiceResources.MODEL_LOADER)).findFirst().orElseThrow();
    assertThat(loader.getEnvFrom()).singleElement().satisfies(e -> {
      assertThat(e.getSecretRef().getName()).isEqualTo(SECRET);
      assertThat(e.getConfigMapRef()).isNull();
    });
    assertThat(loader.getEnv()).noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null);
    Container predictor = pod.getContainers().get(0);
    assertThat(Serialization.asJson(predictor)).doesNotContain(SECRET);
    assertThat(pod.getVolumes()).noneMatch(v -> v.getSecret() != null);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  /** How often the canary appears in {@code text}, as is or base64-encoded (as Secret data is stored). */
  private int occurrences(String text) {
    int n = 0;
    for (String needle : List.of(canary, base64(canary), base64("AKIA" + canary))) {
      for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
        n++;
      }
    }
    return n;
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
