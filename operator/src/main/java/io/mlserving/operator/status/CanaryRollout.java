package io.mlserving.operator.status;

import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.desired.CanaryResources;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Canary's rollout as a pure state machine: {@code next(canary, models, checks, now)} gives the next rollout
 * state (kept whole in status, so a restarted operator resumes from it), the Ready condition, the Events to record
 * and when to look again. No I/O, no clock: the reconciler passes what it observed and the time.
 *
 * <p>Waiting (canary 0 %) until both InferenceServices are Ready, then step 0. At a step, once {@code stepInterval}
 * has passed since the step began (or since the step's last check), the metrics are checked: all Pass advances (after
 * the last step: Promoted, canary 100 %); any Fail or Error counts a failed check, and at {@code failureThreshold}
 * failed checks the rollout is RolledBack (canary 0 %); Inconclusive waits. A step (or the wait) that has not advanced
 * within {@code progressDeadline} is RolledBack. Promoted and RolledBack are final until the Canary's spec or the
 * canary InferenceService's generation changes.
 */
public final class CanaryRollout {
  /** Never look again sooner than this: a rescheduled reconcile is cheap, but not free. */
  static final Duration MIN_REQUEUE = Duration.ofSeconds(1);

  private CanaryRollout() {}

  /**
   * What the reconciler sees of the two InferenceServices.
   *
   * @param stableReady whether the stable's Ready condition is True
   * @param stableWhy the stable's Ready reason and message when it is not Ready
   * @param canaryReady whether the canary's Ready condition is True
   * @param canaryWhy the canary's Ready reason and message when it is not Ready
   * @param canaryGeneration the canary's metadata.generation
   */
  public record Models(boolean stableReady, String stableWhy, boolean canaryReady, String canaryWhy,
      Long canaryGeneration) {}

  /** An Event to record: Normal or Warning, a CamelCase reason, a note. */
  public record RolloutEvent(String type, String reason, String note) {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
  }

  /**
   * The outcome of one look at the rollout.
   *
   * @param status the rollout fields of the next status (phase, step, weight, checks, ...); host, url, conditions
   *     and observedGeneration are the reconciler's
   * @param ready the Ready condition's status (True only when Promoted)
   * @param reason the Ready condition's reason
   * @param message the Ready condition's message
   * @param events what happened, for Events
   * @param requeueAfter when to look again (a check or the deadline falls due); empty when final
   */
  public record Decision(CanaryStatus status, boolean ready, Reason reason, String message, List<RolloutEvent> events,
      Optional<Duration> requeueAfter) {}

  /**
   * Whether the metrics must be checked now: the rollout is (or, starting over, will be) at a step whose check is
   * due, the Canary has metric gates and the canary is Ready. The reconciler runs the queries only then.
   */
  public static boolean checksDue(Canary c, Models models, Instant now) {
    if (c.getSpec().getAnalysis() == null || !models.canaryReady() || !models.stableReady()) {
      return false;
    }
    CanaryStatus current = current(c, models, now);
    return current.getPhase() == CanaryPhase.Progressing && !now.isBefore(nextCheckAt(c.getSpec(), current));
  }

  /**
   * The next state. {@code checks} are the metric checks made now (only when {@link #checksDue} said so; empty
   * otherwise, and ignored without metric gates).
   */
  public static Decision next(Canary c, Models models, Optional<List<CanaryCheck>> checks, Instant now) {
    CanarySpec spec = c.getSpec();
    List<RolloutEvent> events = new ArrayList<>();
    CanaryStatus s = restartIfNeeded(c, models, now, events);
    if (s.getPhase() == CanaryPhase.Promoted) {
      int weight = s.getCanaryWeight() == null ? MlServing.PERCENT_MAX : s.getCanaryWeight();
      String message = weight == 0
          ? "Promoted: " + spec.getStable() + " (promoted by the previous rollout) serves 100 %."
          : "Promoted: canary " + spec.getCanary() + " serves 100 % after " + spec.getSteps().size()
              + " steps. Make it the stable in Git to finish.";
      return new Decision(s, true, Reason.Promoted, message, events, Optional.empty());
    }
    if (s.getPhase() == CanaryPhase.RolledBack) {
      return new Decision(s, false, Reason.RolledBack, rolledBackMessage(c, s), events, Optional.empty());
    }
    Duration deadline = CanaryResources.progressDeadline(spec);
    Instant started = startedAt(s, now);
    String deadlineText = spec.getProgressDeadline() == null ? CanarySpec.DEFAULT_PROGRESS_DEADLINE
        : spec.getProgressDeadline();

    if (s.getPhase() == CanaryPhase.Waiting) {
      if (models.stableReady() && models.canaryReady()) {
        advanceTo(s, 0, spec, now, events);
      } else {
        String waitingFor = waitingFor(spec, models);
        if (!now.isBefore(started.plus(deadline))) {
          return rollBack(s, "the models were not Ready within progressDeadline " + deadlineText + ": " + waitingFor,
              events);
        }
        return new Decision(s, false, Reason.Progressing, "Waiting: the canary gets 0 % until both models are Ready; "
            + waitingFor + ". Rolls back at " + started.plus(deadline) + " if not.", events,
            Optional.of(atLeast(Duration.between(now, started.plus(deadline)))));
      }
    }

    // Progressing at step s.getStep().
    String blocked = null;
    if (!models.canaryReady() || !models.stableReady()) {
      blocked = waitingFor(spec, models);
    } else if (!now.isBefore(nextCheckAt(spec, s))) {
      if (spec.getAnalysis() == null) {
        if (advance(s, spec, now, events)) {
          return promoted(s, spec, events);
        }
      } else if (checks.isPresent() && !checks.get().isEmpty()) {
        s.setChecks(List.copyOf(checks.get()));
        List<CanaryCheck> bad = checks.get().stream()
            .filter(k -> k.getResult() == CheckResult.Fail || k.getResult() == CheckResult.Error).toList();
        if (!bad.isEmpty()) {
          int failed = (s.getFailedChecks() == null ? 0 : s.getFailedChecks()) + 1;
          s.setFailedChecks(failed);
          int threshold = CanaryResources.failureThreshold(spec);
          String what = bad.stream().map(CanaryRollout::describe).collect(Collectors.joining("; "));
          if (failed >= threshold) {
            return rollBack(s, "failed check " + failed + "/" + threshold + ": " + what, events);
          }
          events.add(new RolloutEvent(RolloutEvent.WARNING, "CheckFailed", stepText(s, spec) + ": failed check "
              + failed + "/" + threshold + ": " + what));
        } else if (checks.get().stream().allMatch(k -> k.getResult() == CheckResult.Pass)) {
          if (advance(s, spec, now, events)) {
            return promoted(s, spec, events);
          }
        } else {
          blocked = checks.get().stream().filter(k -> k.getResult() == CheckResult.Inconclusive).findFirst()
              .map(k -> "checks inconclusive: " + k.getMessage()).orElse("checks inconclusive");
        }
      }
    }
    started = startedAt(s, now);
    if (!now.isBefore(started.plus(deadline))) {
      return rollBack(s, stepText(s, spec) + " did not advance within progressDeadline " + deadlineText + ": "
          + (blocked != null ? blocked : "its checks never all passed"), events);
    }
    Instant nextCheck = nextCheckAt(spec, s);
    // A check that is due but was not made waits for the models to be Ready: the InferenceService informer brings
    // that reconcile, so only the deadline needs a wake-up (waking at the overdue check would poll every second).
    Instant wake = nextCheck.isAfter(now) && nextCheck.isBefore(started.plus(deadline)) ? nextCheck
        : started.plus(deadline);
    // The checks status keeps may be the previous step's (the ones that advanced it): say so.
    Instant stepBegan = started;
    boolean checkedThisStep = s.getChecks().stream().map(k -> parse(k.getTime()))
        .anyMatch(t -> t.isPresent() && t.get().isAfter(stepBegan));
    String message = stepText(s, spec) + ": canary at " + s.getCanaryWeight() + " %"
        + (blocked != null ? "; waiting: " + blocked : "")
        + (s.getChecks().isEmpty() ? "" : (checkedThisStep ? "; " : "; previous step: ")
            + s.getChecks().stream().map(CanaryRollout::describe).collect(Collectors.joining("; ")))
        + (spec.getAnalysis() != null && nextCheck.isAfter(now) ? "; next check at " + nextCheck : "")
        + ".";
    return new Decision(s, false, Reason.Progressing, message, events,
        Optional.of(atLeast(Duration.between(now, wake))));
  }

  /**
   * The rollout state {@code c}'s status holds, or a fresh one when a new rollout is due: no status yet, a spec
   * change since the rollout began, or a new canary generation.
   */
  static CanaryStatus current(Canary c, Models models, Instant now) {
    return restartIfNeeded(c, models, now, new ArrayList<>());
  }

  private static CanaryStatus restartIfNeeded(Canary c, Models models, Instant now, List<RolloutEvent> events) {
    CanaryStatus prev = c.getStatus();
    Long generation = c.getMetadata().getGeneration();
    CanarySpec spec = c.getSpec();
    boolean hasRollout = prev != null && prev.getPhase() != null;
    if (hasRollout && Objects.equals(prev.getRolloutGeneration(), generation)
        && Objects.equals(prev.getCanaryGeneration(), models.canaryGeneration())) {
      return copy(prev);
    }
    CanaryStatus s = new CanaryStatus();
    s.setRolloutGeneration(generation);
    s.setCanaryGeneration(models.canaryGeneration());
    s.setStable(spec.getStable());
    s.setCanary(spec.getCanary());
    s.setFailedChecks(0);
    s.setStepStartedAt(time(now));
    if (hasRollout && prev.getPhase() == CanaryPhase.Promoted
        && Objects.equals(prev.getCanaryWeight(), MlServing.PERCENT_MAX)
        && spec.getStable().equals(prev.getCanary()) && spec.getCanary().equals(prev.getStable())) {
      // The user made the promoted canary the stable (and the old stable the canary): nothing to roll out. Only
      // after a real promotion (the canary at 100 %): reverting such a swap names a stable nobody promoted, and
      // its canary, never rolled out over it, gets a new rollout.
      s.setPhase(CanaryPhase.Promoted);
      s.setStep(spec.getSteps().size() - 1);
      s.setCanaryWeight(0);
      events.add(new RolloutEvent(RolloutEvent.NORMAL, Reason.Promoted.name(), "Promoted: " + spec.getStable()
          + ", promoted by the previous rollout, is now the stable and serves 100 %."));
      return s;
    }
    s.setPhase(CanaryPhase.Waiting);
    s.setStep(CanaryStatus.WAITING_STEP);
    s.setCanaryWeight(0);
    if (hasRollout) {
      String why = !Objects.equals(prev.getRolloutGeneration(), generation)
          ? "the Canary's spec changed (generation " + generation + ")"
          : "canary " + spec.getCanary() + " has a new generation (" + models.canaryGeneration() + ")";
      events.add(new RolloutEvent(RolloutEvent.NORMAL, "RolloutStarted", "New rollout: " + why
          + "; the canary gets 0 % until both models are Ready."));
    }
    return s;
  }

  /** When the current step's next check falls due: stepInterval after the step began or after its last check. */
  static Instant nextCheckAt(CanarySpec spec, CanaryStatus s) {
    Instant from = startedAt(s, Instant.EPOCH);
    for (CanaryCheck check : s.getChecks()) {
      Optional<Instant> t = parse(check.getTime());
      if (t.isPresent() && t.get().isAfter(from)) {
        from = t.get();
      }
    }
    return from.plus(CanaryResources.stepInterval(spec));
  }

  /** Moves to the next step; true when there was none left (promote). */
  private static boolean advance(CanaryStatus s, CanarySpec spec, Instant now, List<RolloutEvent> events) {
    int next = s.getStep() + 1;
    if (next >= spec.getSteps().size()) {
      return true;
    }
    advanceTo(s, next, spec, now, events);
    return false;
  }

  private static void advanceTo(CanaryStatus s, int step, CanarySpec spec, Instant now, List<RolloutEvent> events) {
    s.setPhase(CanaryPhase.Progressing);
    s.setStep(step);
    s.setCanaryWeight(spec.getSteps().get(step));
    s.setStepStartedAt(time(now));
    events.add(new RolloutEvent(RolloutEvent.NORMAL, "Step", stepText(s, spec) + ": canary " + spec.getCanary()
        + " at " + s.getCanaryWeight() + " %"));
  }

  private static Decision promoted(CanaryStatus s, CanarySpec spec, List<RolloutEvent> events) {
    s.setPhase(CanaryPhase.Promoted);
    s.setCanaryWeight(MlServing.PERCENT_MAX);
    String message = "Promoted: canary " + spec.getCanary() + " serves 100 % after " + spec.getSteps().size()
        + " steps. Make it the stable in Git to finish.";
    events.add(new RolloutEvent(RolloutEvent.NORMAL, Reason.Promoted.name(), message));
    return new Decision(s, true, Reason.Promoted, message, events, Optional.empty());
  }

  private static Decision rollBack(CanaryStatus s, String why, List<RolloutEvent> events) {
    s.setPhase(CanaryPhase.RolledBack);
    s.setCanaryWeight(0);
    String message = "RolledBack: canary " + s.getCanary() + " gets 0 %; " + why
        + ". Fix the model (a new canary generation) or change the Canary's spec to start a new rollout.";
    events.add(new RolloutEvent(RolloutEvent.WARNING, Reason.RolledBack.name(), message));
    return new Decision(s, false, Reason.RolledBack, message, events, Optional.empty());
  }

  /** The Ready message the rollback wrote (the why is kept there), so that a later look says the same. */
  private static String rolledBackMessage(Canary c, CanaryStatus s) {
    return Conditions.find(c.getStatus().getConditions(), Conditions.READY)
        .filter(r -> Reason.RolledBack.name().equals(r.getReason()))
        .map(r -> r.getMessage())
        .orElse("RolledBack: canary " + s.getCanary() + " gets 0 %. Fix the model (a new canary generation) or"
            + " change the Canary's spec to start a new rollout.");
  }

  private static String waitingFor(CanarySpec spec, Models models) {
    List<String> parts = new ArrayList<>();
    if (!models.stableReady()) {
      parts.add("stable " + spec.getStable() + " is not Ready (" + models.stableWhy() + ")");
    }
    if (!models.canaryReady()) {
      parts.add("canary " + spec.getCanary() + " is not Ready (" + models.canaryWhy() + ")");
    }
    return String.join("; ", parts);
  }

  /** "step 2/3". */
  private static String stepText(CanaryStatus s, CanarySpec spec) {
    return "step " + (s.getStep() + 1) + "/" + spec.getSteps().size();
  }

  /** "success-rate 97.3 < min 99 Fail" or the check's message when it has no value. */
  static String describe(CanaryCheck k) {
    if (k.getValue() == null) {
      return k.getName() + " " + k.getResult() + ": " + k.getMessage();
    }
    return k.getName() + " " + CanaryChecks.format(k.getValue()) + " " + CanaryChecks.bounds(k) + " " + k.getResult();
  }

  private static Instant startedAt(CanaryStatus s, Instant fallback) {
    return parse(s.getStepStartedAt()).orElse(fallback);
  }

  private static Optional<Instant> parse(String time) {
    if (time == null || time.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** RFC 3339 to the second, as the API server stores times. */
  static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static Duration atLeast(Duration d) {
    return d.compareTo(MIN_REQUEUE) < 0 ? MIN_REQUEUE : d;
  }

  private static CanaryStatus copy(CanaryStatus prev) {
    CanaryStatus s = new CanaryStatus();
    s.setPhase(prev.getPhase());
    s.setStep(prev.getStep());
    s.setCanaryWeight(prev.getCanaryWeight());
    s.setFailedChecks(prev.getFailedChecks());
    s.setStepStartedAt(prev.getStepStartedAt());
    s.setChecks(new ArrayList<>(prev.getChecks()));
    s.setCanaryGeneration(prev.getCanaryGeneration());
    s.setRolloutGeneration(prev.getRolloutGeneration());
    s.setStable(prev.getStable());
    s.setCanary(prev.getCanary());
    return s;
  }
}
