package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.InferenceServiceReadiness.Verdict;
import io.mlserving.operator.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InferenceServiceReadinessTest {
  private final InferenceService isvc = Fixtures.isvc("ns", "iris", "img");

  private static Deployment deployment(Long generation, Long observed, Integer spec, Integer updated, Integer replicas,
      Integer available, String availableStatus) {
    DeploymentBuilder b = new DeploymentBuilder()
        .withNewMetadata().withName("iris").withNamespace("ns").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(spec).endSpec()
        .withNewStatus().withObservedGeneration(observed).withUpdatedReplicas(updated).withReplicas(replicas)
          .withAvailableReplicas(available).withReadyReplicas(available).endStatus();
    if (availableStatus != null) {
      b.editStatus().addToConditions(new DeploymentConditionBuilder().withType("Available")
          .withStatus(availableStatus).build()).endStatus();
    }
    return b.build();
  }

  private Verdict verdict(Deployment d, Pod... pods) {
    return InferenceServiceReadiness.verdict(isvc, Optional.ofNullable(d), List.of(pods));
  }

  @Test
  void completeAvailableRolloutIsReady() {
    Verdict v = verdict(deployment(2L, 2L, 2, 2, 2, 2, "True"));
    assertThat(v.status()).isEqualTo("True");
    assertThat(v.reason()).isEqualTo(Reason.Ready.name());
    assertThat(v.message()).isEqualTo("2/2 replicas ready.");
  }

  @Test
  void notReadyUntilTheRolloutIsComplete() {
    assertThat(verdict(null).reason()).isEqualTo(Reason.Progressing.name());
    assertThat(verdict(deployment(3L, 2L, 2, 2, 2, 2, "True")).message()).contains("observe");
    assertThat(verdict(deployment(2L, 2L, 3, 2, 2, 2, "True")).message()).contains("2 of 3 pods updated");
    assertThat(verdict(deployment(2L, 2L, 2, 2, 3, 2, "True")).message()).contains("old pods are terminating");
    assertThat(verdict(deployment(2L, 2L, 2, 2, 2, 1, "True")).message()).contains("1 of 2 updated pods available");
    assertThat(verdict(deployment(2L, 2L, 2, 2, 2, 2, "False")).message()).contains("not Available");
    assertThat(verdict(deployment(2L, 2L, 2, 2, 2, 2, "False")).status()).isEqualTo("False");
  }

  static Stream<Arguments> firstStatusCases() {
    Verdict progressing = new Verdict(Conditions.FALSE, Reason.Progressing.name(), "Rolling out");
    Verdict ready = new Verdict(Conditions.TRUE, Reason.Ready.name(), "1/1 replicas ready.");
    Verdict failed = new Verdict(Conditions.FALSE, Reason.ModelLoadFailed.name(), "loader failed");
    return Stream.of(
        // name, has a status already, verdict, grace, seconds since creation, expected hold-back (null: none)
        Arguments.of("new and rolling out: wait out the grace", false, progressing, 10, 3, 7),
        Arguments.of("new, created just now", false, progressing, 10, 0, 10),
        Arguments.of("operator clock behind the server's: never more than the grace", false, progressing, 10, -5, 10),
        Arguments.of("grace over", false, progressing, 10, 10, null),
        Arguments.of("ready: write at once", false, ready, 10, 1, null),
        Arguments.of("a failure: write at once", false, failed, 10, 1, null),
        Arguments.of("has a status: every change is written", true, progressing, 10, 1, null),
        Arguments.of("grace 0: every intermediate status is written", false, progressing, 0, 0, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firstStatusCases")
  void firstStatusIsHeldBackOnlyForANewResourceThatIsMerelyRollingOut(String name, boolean hasStatus,
      Verdict verdict, int graceSeconds, int ageSeconds, Integer expected) {
    Instant created = Instant.parse("2026-12-01T10:00:00Z");
    InferenceService fresh = Fixtures.isvc("ns", "iris", "img");
    fresh.getMetadata().setCreationTimestamp(created.toString());
    if (hasStatus) {
      fresh.getStatus().setObservedGeneration(1L);
    }
    Optional<Duration> delay = InferenceServiceReadiness.firstStatusDelay(fresh, verdict,
        Duration.ofSeconds(graceSeconds), created.plusSeconds(ageSeconds));
    assertThat(delay).isEqualTo(Optional.ofNullable(expected).map(Duration::ofSeconds));
  }

  static Stream<Arguments> progressCases() {
    return Stream.of(
        // name, seconds since creation, seconds since creation of the last progress (null: none), expected
        Arguments.of("no progress seen: the grace counts from creation", 12, null, null),
        Arguments.of("a step 5 s ago: hold until a grace after it", 12, 7, 5),
        Arguments.of("a step just now", 30, 30, 10),
        Arguments.of("stalled for a grace since its last step: write", 30, 20, null),
        Arguments.of("progress before creation (clock skew) does not shorten the grace", 3, -20, 7),
        Arguments.of("progress ahead of the operator's clock: never more than the grace", 12, 40, 10),
        Arguments.of("steady progress: at most six graces after creation", 55, 54, 5),
        Arguments.of("steady progress: written once six graces are over", 60, 59, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("progressCases")
  void firstStatusIsHeldBackWhileTheRolloutKeepsMoving(String name, int ageSeconds, Integer progressSeconds,
      Integer expected) {
    Instant created = Instant.parse("2026-12-01T10:00:00Z");
    InferenceService fresh = Fixtures.isvc("ns", "iris", "img");
    fresh.getMetadata().setCreationTimestamp(created.toString());
    Verdict progressing = new Verdict(Conditions.FALSE, Reason.Progressing.name(), "Rolling out");
    Optional<Duration> delay = InferenceServiceReadiness.firstStatusDelay(fresh, progressing,
        Duration.ofSeconds(10), created.plusSeconds(ageSeconds),
        Optional.ofNullable(progressSeconds).map(created::plusSeconds));
    assertThat(delay).isEqualTo(Optional.ofNullable(expected).map(Duration::ofSeconds));
  }

  /** A status of generation {@code generation} with Ready as given, shown since 10:00:00. */
  private static io.mlserving.operator.api.v1alpha1.InferenceServiceStatus status(long generation, String ready,
      String reason, String message, Integer readyReplicas) {
    var st = new io.mlserving.operator.api.v1alpha1.InferenceServiceStatus();
    st.setUrl("http://iris.ns.svc.cluster.local");
    st.setObservedGeneration(generation);
    st.setReadyReplicas(readyReplicas);
    st.setConditions(Conditions.put(List.of(), Conditions.of(Conditions.READY, ready, reason, message, generation),
        Instant.parse("2026-12-01T10:00:00Z")));
    return st;
  }

  static Stream<Arguments> laterProgressCases() {
    String p = Reason.Progressing.name();
    return Stream.of(
        // name, shown (gen, status, reason), next (gen, status, reason, message), seconds since shown,
        // seconds since shown of the last step (null: none), grace, expected hold-back (null: write now)
        Arguments.of("a further step of the same rollout, just taken: hold a grace", 2, "False", p,
            2, "False", p, "Rolling out: 1 of 1 updated pods available.", 4, 4, 10, 10),
        Arguments.of("a step 3 s ago", 2, "False", p, 2, "False", p, "Rolling out: 1 old pods are terminating.",
            9, 6, 10, 7),
        Arguments.of("no step seen since it was shown: a grace from then", 2, "False", p,
            2, "False", p, "other", 4, null, 10, 6),
        Arguments.of("stalled for a grace: write where it stalls", 2, "False", p, 2, "False", p, "other", 25, 15,
            10, null),
        Arguments.of("steady steps: at most six graces after it was shown", 2, "False", p, 2, "False", p, "other",
            58, 57, 10, 2),
        Arguments.of("steady steps: written once six graces are over", 2, "False", p, 2, "False", p, "other",
            61, 60, 10, null),
        Arguments.of("Ready: at once", 2, "False", p, 2, "True", Reason.Ready.name(), "1/1 replicas ready.", 4, 4,
            10, null),
        Arguments.of("a failure: at once", 2, "False", p, 2, "False", Reason.ModelLoadFailed.name(), "failed", 4,
            4, 10, null),
        Arguments.of("a new generation: at once", 2, "False", p, 3, "False", p, "other", 4, 4, 10, null),
        Arguments.of("shown Ready, now rolling out: at once", 2, "True", Reason.Ready.name(), 2, "False", p,
            "other", 4, 4, 10, null),
        Arguments.of("shown failed, now progressing: at once", 2, "False", Reason.ModelLoadFailed.name(),
            2, "False", p, "other", 4, 4, 10, null),
        Arguments.of("grace 0: every step is written", 2, "False", p, 2, "False", p, "other", 4, 4, 0, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("laterProgressCases")
  void laterProgressIsHeldWhileTheRolloutKeepsMoving(String name, long shownGen, String shownStatus,
      String shownReason, long nextGen, String nextStatus, String nextReason, String nextMessage, int age,
      Integer stepAge, int grace, Integer expected) {
    Instant shownAt = Instant.parse("2026-12-01T10:00:00Z");
    InferenceService shown = Fixtures.isvc("ns", "iris", "img");
    shown.setStatus(status(shownGen, shownStatus, shownReason, "Rolling out: 0 of 1 pods updated.", 0));
    var next = status(shownGen, shownStatus, shownReason, "Rolling out: 0 of 1 pods updated.", 0);
    next.setObservedGeneration(nextGen);
    next.setReadyReplicas(1);
    next.setConditions(Conditions.put(next.getConditions(), Conditions.of(Conditions.READY, nextStatus, nextReason,
        nextMessage, nextGen), shownAt.plusSeconds(age)));
    Optional<Duration> delay = InferenceServiceReadiness.progressDelay(shown, next, Duration.ofSeconds(grace),
        shownAt.plusSeconds(age), Optional.ofNullable(stepAge).map(shownAt::plusSeconds));
    assertThat(delay).isEqualTo(Optional.ofNullable(expected).map(Duration::ofSeconds));
  }

  @Test
  void laterProgressIsWrittenAtOnceWhenAnythingButTheProgressChanged() {
    Instant shownAt = Instant.parse("2026-12-01T10:00:00Z");
    InferenceService shown = Fixtures.isvc("ns", "iris", "img");
    String p = Reason.Progressing.name();
    shown.setStatus(status(2, "False", p, "Rolling out: 0 of 1 pods updated.", 0));
    Duration grace = Duration.ofSeconds(10);
    Instant now = shownAt.plusSeconds(3);

    var sameProgress = status(2, "False", p, "Rolling out: 1 of 1 updated pods available.", 1);
    assertThat(InferenceServiceReadiness.progressDelay(shown, sameProgress, grace, now, Optional.of(now)))
        .contains(Duration.ofSeconds(10));

    var otherUrl = status(2, "False", p, "Rolling out: 1 of 1 updated pods available.", 1);
    otherUrl.setUrl("http://other.ns.svc.cluster.local");
    assertThat(InferenceServiceReadiness.progressDelay(shown, otherUrl, grace, now, Optional.of(now))).isEmpty();

    var anotherCondition = status(2, "False", p, "Rolling out: 1 of 1 updated pods available.", 1);
    anotherCondition.setConditions(Conditions.put(anotherCondition.getConditions(), Conditions.of(
        ModelResolution.CONDITION, Conditions.FALSE, Reason.RegistryUnavailable.name(), "down", 2L), now));
    assertThat(InferenceServiceReadiness.progressDelay(shown, anotherCondition, grace, now, Optional.of(now)))
        .isEmpty();

    var pinned = status(2, "False", p, "Rolling out: 1 of 1 updated pods available.", 1);
    var model = new io.mlserving.operator.api.v1alpha1.ModelStatus();
    model.setVersion("4");
    pinned.setModel(model);
    assertThat(InferenceServiceReadiness.progressDelay(shown, pinned, grace, now, Optional.of(now))).isEmpty();

    InferenceService none = Fixtures.isvc("ns", "iris", "img");
    none.setStatus(null);
    assertThat(InferenceServiceReadiness.progressDelay(none, sameProgress, grace, now, Optional.of(now))).isEmpty();
  }

  @Test
  void lastProgressIsTheLatestStepOfTheDeploymentAndItsPods() {
    assertThat(InferenceServiceReadiness.lastProgress(Optional.empty(), List.of())).isEmpty();
    Deployment d = deployment(1L, 1L, 1, 1, 1, 0, "False");
    d.getMetadata().setCreationTimestamp("2026-12-01T10:00:00Z");
    assertThat(InferenceServiceReadiness.lastProgress(Optional.of(d), List.of()))
        .contains(Instant.parse("2026-12-01T10:00:00Z"));
    d.getStatus().getConditions().add(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
        .withReason("ReplicaSetUpdated").withLastUpdateTime("2026-12-01T10:00:07Z")
        .withLastTransitionTime("2026-12-01T10:00:02Z").build());
    assertThat(InferenceServiceReadiness.lastProgress(Optional.of(d), List.of()))
        .contains(Instant.parse("2026-12-01T10:00:07Z"));
    Pod pod = new PodBuilder().withNewMetadata().withName("iris-1").withCreationTimestamp("2026-12-01T10:00:08Z")
        .endMetadata().withNewStatus().addNewCondition().withType("Initialized").withStatus("True")
        .withLastTransitionTime("2026-12-01T10:00:11Z").endCondition().endStatus().build();
    assertThat(InferenceServiceReadiness.lastProgress(Optional.of(d), List.of(pod)))
        .contains(Instant.parse("2026-12-01T10:00:11Z"));
  }

  @Test
  void scaledToZeroIsReady() {
    Verdict v = verdict(deployment(1L, 1L, 0, 0, 0, 0, null));
    assertThat(v.status()).isEqualTo("True");
    assertThat(v.message()).contains("Scaled to zero");
  }

  @Test
  void progressDeadlineExceededIsItsOwnReason() {
    Deployment d = deployment(1L, 1L, 1, 1, 1, 0, "False");
    d.getStatus().getConditions().add(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
        .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"iris-1\" has timed out progressing.").build());
    Verdict v = verdict(d);
    assertThat(v.reason()).isEqualTo(Reason.ProgressDeadlineExceeded.name());
    assertThat(v.message()).contains("timed out").contains("kubectl describe pods");
  }

  @Test
  void crashLoopingOrFailedLoaderIsModelLoadFailedEvenIfTheDeploymentLooksAvailable() {
    Pod crash = pod("iris-a", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
        .withNewLastState().withNewTerminated().withExitCode(1).withMessage("403 Forbidden").endTerminated()
        .endLastState().build());
    Verdict v = verdict(deployment(1L, 1L, 1, 1, 1, 1, "True"), crash);
    assertThat(v.reason()).isEqualTo(Reason.ModelLoadFailed.name());
    assertThat(v.message()).contains("iris-a").contains("exit code 1").contains("403 Forbidden")
        .contains("kubectl logs -n ns <pod> -c model-loader");

    Pod failed = pod("iris-b", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewTerminated().withExitCode(2).withReason("Error").endTerminated().endState().build());
    assertThat(verdict(null, failed).message()).contains("iris-b failed (exit code 2): Error");

    Pod pull = pod("iris-c", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("no such image").endWaiting()
        .endState().build());
    assertThat(verdict(null, pull).reason()).isEqualTo(Reason.ModelLoadFailed.name());
  }

  @Test
  void runningOrSucceededLoaderIsNoFailure() {
    Pod ok = pod("iris-a", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().build());
    Pod running = pod("iris-b", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewRunning().endRunning().endState().build());
    assertThat(InferenceServiceReadiness.loaderFailure(List.of(ok, running))).isEmpty();
  }

  @Test
  void crashLoopingPredictorIsNamedInTheProgressMessage() {
    Pod pod = new PodBuilder().withNewMetadata().withName("iris-x").endMetadata().withNewStatus()
        .addToContainerStatuses(new ContainerStatusBuilder().withName("predictor")
            .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().build())
        .endStatus().build();
    Verdict v = verdict(deployment(1L, 1L, 1, 1, 1, 0, "False"), pod);
    assertThat(v.reason()).isEqualTo(Reason.Progressing.name());
    assertThat(v.message()).contains("Pod iris-x: container predictor is in CrashLoopBackOff");
  }

  /** Which pod events may start a reconcile: only pods that show something the verdict reports. */
  @Test
  void onlyPodsInTroubleAreWorthAReconcile() {
    Pod healthyLoader = pod("a", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().build());
    Pod noStatus = new PodBuilder().withNewMetadata().withName("b").endMetadata().build();
    Pod crashingLoader = pod("c", new ContainerStatusBuilder().withName("model-loader")
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().build());
    Pod unpullablePredictor = new PodBuilder().withNewMetadata().withName("d").endMetadata().withNewStatus()
        .addToContainerStatuses(new ContainerStatusBuilder().withName("predictor")
            .withNewState().withNewWaiting().withReason("ImagePullBackOff").endWaiting().endState().build())
        .endStatus().build();
    assertThat(InferenceServiceReadiness.troubled(healthyLoader)).isFalse();
    assertThat(InferenceServiceReadiness.troubled(noStatus)).isFalse();
    assertThat(InferenceServiceReadiness.troubled(null)).isFalse();
    assertThat(InferenceServiceReadiness.troubled(crashingLoader)).isTrue();
    assertThat(InferenceServiceReadiness.troubled(unpullablePredictor)).isTrue();
  }

  private static Pod pod(String name, io.fabric8.kubernetes.api.model.ContainerStatus loader) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().addToInitContainerStatuses(loader).endStatus().build();
  }
}
