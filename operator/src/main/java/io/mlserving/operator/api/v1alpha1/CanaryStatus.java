package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of a Canary: the whole state of its rollout, so that an operator restart resumes where it was.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStatus extends HostStatus {
  /** Index into spec.steps while Waiting. */
  public static final int WAITING_STEP = -1;

  /** Waiting, Progressing, Promoted or RolledBack. */
  @JsonPropertyDescription("Waiting, Progressing, Promoted or RolledBack.")
  private CanaryPhase phase;

  /** Index into spec.steps of the current step; -1 while Waiting. */
  @JsonPropertyDescription("Index into spec.steps of the current step; -1 while Waiting.")
  private Integer step;

  /** Percent of the requests the canary gets now. */
  @JsonPropertyDescription("Percent of the requests the canary gets now.")
  private Integer canaryWeight;

  /** Failed checks of this rollout so far. */
  @JsonPropertyDescription("Failed checks of this rollout so far.")
  private Integer failedChecks;

  /** When the current step (or the wait) began (RFC 3339). */
  @JsonPropertyDescription("When the current step (or the wait) began (RFC 3339).")
  private String stepStartedAt;

  /** The last check of each metric. */
  @JsonPropertyDescription("The last check of each metric.")
  private List<CanaryCheck> checks = new ArrayList<>();

  /** The canary InferenceService's metadata.generation this rollout is about. */
  @JsonPropertyDescription("The canary InferenceService's metadata.generation this rollout is about.")
  private Long canaryGeneration;

  /** The Canary's metadata.generation this rollout started from: a spec change starts a new rollout. */
  @JsonPropertyDescription("The Canary's metadata.generation this rollout started from: a spec change starts a new"
      + " rollout.")
  private Long rolloutGeneration;

  /** The stable InferenceService this rollout is about. */
  @JsonPropertyDescription("The stable InferenceService this rollout is about.")
  private String stable;

  /** The canary InferenceService this rollout is about. */
  @JsonPropertyDescription("The canary InferenceService this rollout is about.")
  private String canary;

  public CanaryPhase getPhase() {
    return phase;
  }

  public void setPhase(CanaryPhase phase) {
    this.phase = phase;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getCanaryWeight() {
    return canaryWeight;
  }

  public void setCanaryWeight(Integer canaryWeight) {
    this.canaryWeight = canaryWeight;
  }

  public Integer getFailedChecks() {
    return failedChecks;
  }

  public void setFailedChecks(Integer failedChecks) {
    this.failedChecks = failedChecks;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public List<CanaryCheck> getChecks() {
    return checks;
  }

  public void setChecks(List<CanaryCheck> checks) {
    this.checks = checks == null ? new ArrayList<>() : checks;
  }

  public Long getCanaryGeneration() {
    return canaryGeneration;
  }

  public void setCanaryGeneration(Long canaryGeneration) {
    this.canaryGeneration = canaryGeneration;
  }

  public Long getRolloutGeneration() {
    return rolloutGeneration;
  }

  public void setRolloutGeneration(Long rolloutGeneration) {
    this.rolloutGeneration = rolloutGeneration;
  }

  public String getStable() {
    return stable;
  }

  public void setStable(String stable) {
    this.stable = stable;
  }

  public String getCanary() {
    return canary;
  }

  public void setCanary(String canary) {
    this.canary = canary;
  }
}
