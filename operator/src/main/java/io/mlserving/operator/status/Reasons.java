package io.mlserving.operator.status;

/** The reasons of the Ready condition, CamelCase as Kubernetes conditions want. */
public final class Reasons {
  /** Everything generated is applied and every dependency is ready. */
  public static final String READY = "Ready";
  /** Applied; waiting for pods, a rollout, or a referenced InferenceService. */
  public static final String PROGRESSING = "Progressing";
  /** The Deployment's rollout exceeded its progress deadline. */
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  /** The model-loader init container of a pod keeps failing. */
  public static final String MODEL_LOAD_FAILED = "ModelLoadFailed";
  /** The spec breaks a rule admission should have enforced; nothing is generated. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** A referenced InferenceService does not exist. */
  public static final String INFERENCE_SERVICE_NOT_FOUND = "InferenceServiceNotFound";
  /** Another resource already claims the same host or target. */
  public static final String HOST_CONFLICT = "HostConflict";
  /** spec.autoscaling is set but the cluster serves no HorizontalPodAutoscaler API. */
  public static final String AUTOSCALING_UNAVAILABLE = "AutoscalingUnavailable";
  /** A write to the API server failed; the operator retries with back-off. */
  public static final String RECONCILE_ERROR = "ReconcileError";

  private Reasons() {}
}
