package io.mlserving.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceStatus;
import io.mlserving.operator.desired.InferenceServiceResources;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the Ready condition of an InferenceService off its Deployment and pods: Ready once the rollout is
 * complete and available (as {@code kubectl rollout status} judges it); ModelLoadFailed when a pod's
 * model-loader keeps failing. Pure.
 */
public final class InferenceServiceReadiness {
  private static final Set<String> IMAGE_PROBLEMS =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError");

  /** The verdict: condition status, reason and message. */
  public record Verdict(String status, String reason, String message) {
    static Verdict ready(String message) {
      return new Verdict(Conditions.TRUE, Reason.Ready.name(), message);
    }

    static Verdict progressing(String message) {
      return new Verdict(Conditions.FALSE, Reason.Progressing.name(), message);
    }
  }

  private InferenceServiceReadiness() {}

  /**
   * However steady its progress, a new InferenceService goes without a status for at most this many graces after
   * its creation: a long rollout of many replicas shows how far it got.
   */
  public static final int MAX_FIRST_STATUS_HOLD_GRACES = 6;

  /**
   * How much longer to hold back the very first status of {@code isvc} (empty: write it now), counting from its
   * creation alone. As {@link #firstStatusDelay(InferenceService, Verdict, Duration, Instant, Optional)} with no
   * progress seen.
   */
  public static Optional<Duration> firstStatusDelay(InferenceService isvc, Verdict verdict, Duration grace,
      Instant now) {
    return firstStatusDelay(isvc, verdict, grace, now, Optional.empty());
  }

  /**
   * How much longer to hold back the very first status of {@code isvc} (empty: write it now). A new
   * InferenceService that is merely rolling out ({@code Progressing}) goes without a status for as long as its
   * rollout keeps moving: until {@code grace} has passed since its creation or since {@code lastProgress} (the
   * latest step the controllers took for it, see {@link #lastProgress}), whichever is later, and never longer than
   * {@link #MAX_FIRST_STATUS_HOLD_GRACES} graces after its creation. So one whose pods come up gets a single status
   * write, Ready, instead of two, also on a busy cluster where that takes longer than the grace; one whose rollout
   * stalls shows Progressing, and where it stalls, a grace after its last step. A failure, Ready, or a resource
   * that already has a status is written at once. Without a status, {@code kubectl wait} keeps waiting and Argo
   * CD shows Progressing, which is true.
   */
  public static Optional<Duration> firstStatusDelay(InferenceService isvc, Verdict verdict, Duration grace,
      Instant now, Optional<Instant> lastProgress) {
    boolean hasStatus = isvc.getStatus() != null && (isvc.getStatus().getObservedGeneration() != null
        || !isvc.getStatus().getConditions().isEmpty());
    if (hasStatus || !Reason.Progressing.name().equals(verdict.reason()) || grace.isZero()
        || isvc.getMetadata().getCreationTimestamp() == null) {
      return Optional.empty();
    }
    return holdWhileMoving(Instant.parse(isvc.getMetadata().getCreationTimestamp()), lastProgress, grace, now);
  }

  /**
   * The rule both hold-backs share: until {@code grace} after {@code start} or after {@code lastProgress},
   * whichever is later, and never later than {@link #MAX_FIRST_STATUS_HOLD_GRACES} graces after {@code start}.
   */
  private static Optional<Duration> holdWhileMoving(Instant start, Optional<Instant> lastProgress, Duration grace,
      Instant now) {
    // A clock behind the API server's puts the start or the progress in the future: count them as now, so that
    // the hold-back is never longer than the grace itself.
    Instant since = start.isAfter(now) ? now : start;
    Instant cap = since.plus(grace.multipliedBy(MAX_FIRST_STATUS_HOLD_GRACES));
    if (lastProgress.isPresent() && lastProgress.get().isAfter(since)) {
      since = lastProgress.get().isAfter(now) ? now : lastProgress.get();
    }
    Instant until = since.plus(grace);
    if (until.isAfter(cap)) {
      until = cap;
    }
    return now.isBefore(until) ? Optional.of(Duration.between(now, until)) : Optional.empty();
  }

  /**
   * How much longer to hold back a status that only tells a rollout's further progress (empty: write it now). A
   * rollout that is already shown Progressing for the current generation is not rewritten for each step it takes
   * (pods updated, pods available, old pods terminating): the next status waits while the rollout keeps moving, a
   * {@code grace} after its latest step ({@code lastProgress}), and never longer than
   * {@link #MAX_FIRST_STATUS_HOLD_GRACES} graces after it became Progressing. Anything else is written at once: a
   * new generation, Ready, a failure, another reason or condition, a change of the model or URL. {@code next} is
   * the status about to be written, with its Ready condition; the current one is {@code isvc}'s.
   */
  public static Optional<Duration> progressDelay(InferenceService isvc, InferenceServiceStatus next,
      Duration grace, Instant now, Optional<Instant> lastProgress) {
    InferenceServiceStatus current = isvc.getStatus();
    if (grace.isZero() || current == null || next == null
        || !Objects.equals(current.getObservedGeneration(), next.getObservedGeneration())
        || !Objects.equals(current.getUrl(), next.getUrl()) || !Objects.equals(current.getModel(), next.getModel())
        || current.getConditions().size() != next.getConditions().size()) {
      return Optional.empty();
    }
    Optional<Condition> shown = Conditions.find(current.getConditions(), Conditions.READY);
    Optional<Condition> coming = Conditions.find(next.getConditions(), Conditions.READY);
    if (shown.isEmpty() || coming.isEmpty() || !progressing(shown.get()) || !progressing(coming.get())
        || !Objects.equals(shown.get().getObservedGeneration(), coming.get().getObservedGeneration())) {
      return Optional.empty();
    }
    for (Condition c : next.getConditions()) {
      if (!Conditions.READY.equals(c.getType())
          && !Conditions.find(current.getConditions(), c.getType()).map(c::equals).orElse(false)) {
        return Optional.empty();
      }
    }
    Optional<Instant> since = instant(shown.get().getLastTransitionTime());
    return since.isEmpty() ? Optional.empty() : holdWhileMoving(since.get(), lastProgress, grace, now);
  }

  private static boolean progressing(Condition c) {
    return Conditions.FALSE.equals(c.getStatus()) && Reason.Progressing.name().equals(c.getReason());
  }

  /**
   * The latest step the controllers took for a rollout, as the API server recorded it: the Deployment's creation
   * and the last updates of its conditions (the Deployment controller touches Progressing whenever the rollout
   * advances), and each pod's creation and condition transitions (scheduled, initialized, ready). Empty when
   * none of these is there.
   */
  public static Optional<Instant> lastProgress(Optional<Deployment> deployment, Collection<Pod> pods) {
    List<String> stamps = new java.util.ArrayList<>();
    deployment.ifPresent(d -> {
      stamps.add(d.getMetadata().getCreationTimestamp());
      if (d.getStatus() != null && d.getStatus().getConditions() != null) {
        d.getStatus().getConditions().forEach(c -> {
          stamps.add(c.getLastUpdateTime());
          stamps.add(c.getLastTransitionTime());
        });
      }
    });
    for (Pod p : pods) {
      stamps.add(p.getMetadata().getCreationTimestamp());
      if (p.getStatus() != null && p.getStatus().getConditions() != null) {
        p.getStatus().getConditions().forEach(c -> stamps.add(c.getLastTransitionTime()));
      }
    }
    return stamps.stream().map(InferenceServiceReadiness::instant).flatMap(Optional::stream)
        .max(Comparator.naturalOrder());
  }

  private static Optional<Instant> instant(String stamp) {
    if (stamp == null || stamp.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(stamp));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The verdict for an InferenceService with {@code spec.autoscaling} on a cluster that serves no
   * HorizontalPodAutoscaler API: its Deployment runs, unscaled, and Ready stays False until the spec or the
   * cluster changes.
   */
  public static Verdict autoscalingUnavailable(InferenceService isvc) {
    return new Verdict(Conditions.FALSE, Reason.AutoscalingUnavailable.name(), "spec.autoscaling is set, but the"
        + " cluster serves no HorizontalPodAutoscaler API (autoscaling/v2 or autoscaling/v2beta2): Deployment "
        + isvc.getMetadata().getName() + " runs without autoscaling. Remove spec.autoscaling (and set"
        + " spec.replicas), or enable the autoscaling API and restart the operator.");
  }

  /** The Ready verdict for {@code isvc} given its Deployment (if any) and its pods. */
  public static Verdict verdict(InferenceService isvc, Optional<Deployment> deployment, Collection<Pod> pods) {
    String name = isvc.getMetadata().getName();
    Optional<String> loaderFailure = loaderFailure(pods);
    if (loaderFailure.isPresent()) {
      return new Verdict(Conditions.FALSE, Reason.ModelLoadFailed.name(), loaderFailure.get()
          + " Check spec.model.storageUri and the credentials Secret, then see: kubectl logs -n "
          + isvc.getMetadata().getNamespace() + " <pod> -c " + InferenceServiceResources.MODEL_LOADER + ".");
    }
    if (deployment.isEmpty()) {
      return Verdict.progressing("Deployment " + name + " is being created.");
    }
    Deployment d = deployment.get();
    DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    Long generation = d.getMetadata().getGeneration();
    if (generation != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < generation)) {
      return Verdict.progressing("Waiting for the Deployment controller to observe Deployment " + name
          + " generation " + generation + ".");
    }
    Optional<DeploymentCondition> progressing = condition(s, "Progressing");
    if (progressing.isPresent() && "ProgressDeadlineExceeded".equals(progressing.get().getReason())) {
      return new Verdict(Conditions.FALSE, Reason.ProgressDeadlineExceeded.name(), "Deployment " + name
          + " exceeded its progress deadline: " + nullToEmpty(progressing.get().getMessage())
          + " Check the pods: kubectl describe pods -n " + isvc.getMetadata().getNamespace()
          + " -l mlserving.io/inference-service=" + name + "." + podHint(pods));
    }
    int updated = nz(s.getUpdatedReplicas());
    int current = nz(s.getReplicas());
    int available = nz(s.getAvailableReplicas());
    int ready = nz(s.getReadyReplicas());
    Integer desired = d.getSpec() == null ? null : d.getSpec().getReplicas();
    int want = desired == null ? Math.max(current, 1) : desired;
    if (updated < want) {
      return Verdict.progressing("Rolling out: " + updated + " of " + want + " pods updated." + podHint(pods));
    }
    if (current > updated) {
      return Verdict.progressing("Rolling out: " + (current - updated) + " old pods are terminating.");
    }
    if (available < updated) {
      return Verdict.progressing("Rolling out: " + available + " of " + updated + " updated pods available."
          + podHint(pods));
    }
    Optional<DeploymentCondition> availableCond = condition(s, "Available");
    if (want > 0 && (availableCond.isEmpty() || !"True".equals(availableCond.get().getStatus()))) {
      return Verdict.progressing("Deployment " + name + " is not Available yet." + podHint(pods));
    }
    return Verdict.ready(want == 0 ? "Scaled to zero replicas." : ready + "/" + want + " replicas ready.");
  }

  /**
   * Whether {@code pod} shows something the verdict reports from pods: a failing model loader, or a predictor
   * container that crash-loops or cannot pull its image. Only such pods (and pods that were such) can change
   * a verdict; readiness itself comes from the Deployment.
   */
  public static boolean troubled(Pod pod) {
    return pod != null && (loaderFailure(pod).isPresent() || !podHint(List.of(pod)).isEmpty());
  }

  /** The first failing model-loader among {@code pods}, described for an SRE, in a stable pod order. */
  public static Optional<String> loaderFailure(Collection<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(InferenceServiceReadiness::loaderFailure)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<String> loaderFailure(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    String podName = pod.getMetadata().getName();
    for (ContainerStatus cs : pod.getStatus().getInitContainerStatuses()) {
      if (!InferenceServiceResources.MODEL_LOADER.equals(cs.getName())) {
        continue;
      }
      ContainerState state = cs.getState();
      if (state != null && state.getWaiting() != null) {
        String reason = state.getWaiting().getReason();
        if ("CrashLoopBackOff".equals(reason)) {
          return Optional.of("The model loader of pod " + podName + " is in CrashLoopBackOff"
              + describe(cs.getLastState() == null ? null : cs.getLastState().getTerminated()) + ".");
        }
        if (reason != null && IMAGE_PROBLEMS.contains(reason)) {
          return Optional.of("The model loader of pod " + podName + " cannot start (" + reason + "): "
              + nullToEmpty(state.getWaiting().getMessage()) + ".");
        }
      }
      if (state != null && state.getTerminated() != null && nz(state.getTerminated().getExitCode()) != 0) {
        return Optional.of("The model loader of pod " + podName + " failed" + describe(state.getTerminated()) + ".");
      }
    }
    return Optional.empty();
  }

  private static String describe(ContainerStateTerminated t) {
    if (t == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" (exit code ").append(nz(t.getExitCode())).append(")");
    String msg = t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage().trim() : t.getReason();
    if (msg != null && !msg.isBlank()) {
      sb.append(": ").append(truncate(msg.trim(), 512));
    }
    return sb.toString();
  }

  /** A short hint naming a predictor container that is crash-looping or cannot pull its image. */
  private static String podHint(Collection<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .flatMap(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
            ? java.util.stream.Stream.<String>empty()
            : p.getStatus().getContainerStatuses().stream()
                .filter(cs -> cs.getState() != null && cs.getState().getWaiting() != null
                    && cs.getState().getWaiting().getReason() != null
                    && (IMAGE_PROBLEMS.contains(cs.getState().getWaiting().getReason())
                        || "CrashLoopBackOff".equals(cs.getState().getWaiting().getReason())))
                .map(cs -> " Pod " + p.getMetadata().getName() + ": container " + cs.getName() + " is in "
                    + cs.getState().getWaiting().getReason() + "."))
        .findFirst()
        .orElse("");
  }

  private static Optional<DeploymentCondition> condition(DeploymentStatus s, String type) {
    List<DeploymentCondition> conditions = s.getConditions();
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
