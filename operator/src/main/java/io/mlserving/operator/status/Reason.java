package io.mlserving.operator.status;

/**
 * The reasons of the Ready condition, CamelCase as Kubernetes conditions want: each constant's name is the
 * reason as it appears in status. The one list of them: the Argo CD health checks (argocd/health) and the SRE
 * guide (docs/sre.md) are tested against it.
 */
public enum Reason {
  /** Everything generated is applied and every dependency is ready. */
  Ready(false),
  /** Applied; waiting for pods, a rollout, or a referenced InferenceService. */
  Progressing(false),
  /** The Deployment's rollout exceeded its progress deadline. */
  ProgressDeadlineExceeded(true),
  /** The model-loader init container of a pod keeps failing. */
  ModelLoadFailed(true),
  /** The MLflow registry has no such model, version or alias; a version pinned before keeps serving. */
  ModelNotFound(true),
  /** The MLflow registry cannot be asked and no version is pinned yet, so nothing serves the model. */
  RegistryUnavailable(true),
  /** The registry gave an artifact URI that no model loader fetches (for example file:///mlruns/...). */
  UnsupportedArtifactUri(true),
  /** The spec breaks a rule admission should have enforced; nothing is generated. */
  InvalidSpec(true),
  /** A referenced InferenceService does not exist. */
  InferenceServiceNotFound(true),
  /** Another resource already claims the same host or target. */
  HostConflict(true),
  /** The cluster serves no networking.istio.io API the operator can write. */
  IstioNotInstalled(true),
  /** spec.autoscaling is set but the cluster serves no HorizontalPodAutoscaler API. */
  AutoscalingUnavailable(true),
  /** Canary: every step passed and the canary gets 100 % (Ready=True). */
  Promoted(false),
  /** Canary: a metric failed too often or a step stalled past progressDeadline; the canary gets 0 %. */
  RolledBack(true),
  /** A write to the API server failed; the operator retries with back-off. */
  ReconcileError(true);

  private final boolean degraded;

  Reason(boolean degraded) {
    this.degraded = degraded;
  }

  /**
   * Whether Ready=False for this reason needs someone to act (Argo CD shows Degraded) rather than time (Argo CD
   * shows Progressing).
   */
  public boolean degraded() {
    return degraded;
  }
}
