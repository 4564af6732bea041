package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.status.Reason;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Failures as an SRE meets them on the real server: a model loader in CrashLoopBackOff (played by the kubelet
 * stand-in) gives ModelLoadFailed with the loader's termination message and recovers once the spec is fixed; a
 * missing reference and a host conflict say so; each failure is a Warning in {@code kubectl get events}.
 */
class FailuresIT extends RealServerTest {
  static final String NO_SUCH_KEY = "fatal error: An error occurred (NoSuchKey) when calling the GetObject"
      + " operation: The specified key does not exist.";

  @Test
  void aCrashLoopingLoaderIsModelLoadFailedWithItsMessageUntilTheSpecIsFixed() {
    String ns = namespace("loader");
    Predicate<Pod> missingModel = p -> ns.equals(p.getMetadata().getNamespace())
        && p.getSpec().getInitContainers() != null && p.getSpec().getInitContainers().stream()
            .filter(c -> KubeletStandIn.MODEL_LOADER.equals(c.getName()))
            .anyMatch(c -> InferenceServiceResources.loaderSettings(c).getOrDefault("STORAGE_URI", "")
                .contains("/missing/"));
    kubelet.crashLoopLoader(missingModel, NO_SUCH_KEY);
    kubectl.apply(Manifests.inferenceService(ns, "fraud", "ghcr.io/acme/onnx-server:1.4",
        "model: {storageUri: s3://models/missing/v1}"));

    InferenceService failed = awaitReady(InferenceService.class, ns, "fraud", "False", Reason.ModelLoadFailed.name());
    Condition ready = ready(failed).orElseThrow();
    assertThat(ready.getMessage()).contains("CrashLoopBackOff").contains("(exit code 1)").contains(NO_SUCH_KEY)
        .contains("kubectl logs -n " + ns);
    await().atMost(DEADLINE).alias("a Warning ModelLoadFailed event for inferenceservice/fraud").untilAsserted(() ->
        assertThat(events(ns)).anySatisfy(line -> assertThat(line).contains("Warning").contains("ModelLoadFailed")
            .contains("inferenceservice/fraud")));

    kubectl.ok("patch", "inferenceservices.mlserving.io", "fraud", "-n", ns, "--type=merge", "-p",
        "{\"spec\":{\"model\":{\"storageUri\":\"s3://models/present/v1\"}}}");

    awaitReady(InferenceService.class, ns, "fraud");
    await().atMost(DEADLINE).alias("a Normal Ready event once it recovered").untilAsserted(() ->
        assertThat(events(ns)).anySatisfy(line -> assertThat(line).contains("Normal").contains("Ready")
            .contains("inferenceservice/fraud")));
    assertThat(admin.pods().inNamespace(ns).list().getItems()).as("the crash-looping pod is gone after the rollout")
        .noneMatch(missingModel);
  }

  @Test
  void aMissingReferenceIsAWarningEventAndRecoversWhenItAppears() {
    String ns = namespace("missing-ref");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.abTest(ns, "ab", "front", "m1", "m2"));
    ABTest waiting = awaitReady(ABTest.class, ns, "ab", "False", Reason.InferenceServiceNotFound.name());
    assertThat(ready(waiting).orElseThrow().getMessage()).contains("m2");
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(events(ns)).anySatisfy(line -> assertThat(line)
        .contains("Warning").contains(Reason.InferenceServiceNotFound.name()).contains("abtest/ab")));

    kubectl.apply(Manifests.inferenceService(ns, "m2"));

    awaitReady(ABTest.class, ns, "ab");
  }

  @Test
  void aHostConflictIsAWarningEventForTheLaterClaimant() {
    String ns = namespace("conflict");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.inferenceService(ns, "m2") + "---\n"
        + Manifests.abTest(ns, "first", "front", "m1", "m2"));
    awaitReady(ABTest.class, ns, "first");

    kubectl.apply(Manifests.shadowTest(ns, "second", "front", "m1", "m2"));

    awaitReady(io.mlserving.operator.api.v1alpha1.ShadowTest.class, ns, "second", "False", Reason.HostConflict.name());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(events(ns)).anySatisfy(line -> assertThat(line)
        .contains("Warning").contains(Reason.HostConflict.name()).contains("shadowtest/second")));
    assertThat(get(ABTest.class, ns, "first")).satisfies(ab -> assertThat(ready(ab).orElseThrow().getStatus())
        .isEqualTo("True"));
  }

  /** The lines of {@code kubectl get events -n ns}, the header included. */
  private java.util.List<String> events(String ns) {
    return kubectl.ok("get", "events", "-n", ns).lines().toList();
  }
}
