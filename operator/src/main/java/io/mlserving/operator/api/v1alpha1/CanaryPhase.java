package io.mlserving.operator.api.v1alpha1;

/** Where a Canary's rollout is. */
public enum CanaryPhase {
  /** The canary gets 0 % until both InferenceServices are Ready. */
  Waiting,
  /** The canary gets the weight of the current step. */
  Progressing,
  /** Every step passed: the canary gets 100 %. Final for this spec and canary generation. */
  Promoted,
  /** A check failed too often or a step stalled: the canary gets 0 %. Final for this spec and canary generation. */
  RolledBack;

  /** Whether the rollout is over for the spec and canary generation it was about. */
  public boolean isFinal() {
    return this == Promoted || this == RolledBack;
  }
}
