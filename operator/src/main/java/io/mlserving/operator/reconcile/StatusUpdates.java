package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import java.util.Objects;

/** Status writes that happen only when the status really changed. */
public final class StatusUpdates {
  private StatusUpdates() {}

  /** Whether two statuses are the same (compared as JSON, so no equals() is needed on the status classes). */
  public static boolean same(Object a, Object b) {
    return Objects.equals(Serialization.jsonMapper().valueToTree(a), Serialization.jsonMapper().valueToTree(b));
  }

  /** Patch the status when it changed, otherwise no write at all. */
  public static <S extends MlServingStatus, P extends CustomResource<?, S>> UpdateControl<P> patchIfChanged(
      P resource, S next) {
    if (same(resource.getStatus(), next)) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(next);
    return UpdateControl.patchStatus(resource);
  }

  /** As {@link #patchIfChanged(CustomResource, MlServingStatus)}, recording an Event on a Ready transition. */
  public static <S extends MlServingStatus, P extends CustomResource<?, S>> UpdateControl<P> patchIfChanged(
      P resource, S next, EventRecorder events, KubernetesClient client) {
    if (events != null && !same(resource.getStatus(), next)) {
      events.record(client, resource, resource.getStatus() == null ? null : resource.getStatus().getConditions(),
          next.getConditions());
    }
    return patchIfChanged(resource, next);
  }

  /** The error-path twin of {@link #patchIfChanged}; JOSDK retries with back-off either way. */
  public static <S extends MlServingStatus, P extends CustomResource<?, S>> ErrorStatusUpdateControl<P>
      errorPatchIfChanged(P resource, S next, EventRecorder events, KubernetesClient client) {
    if (same(resource.getStatus(), next)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    if (events != null) {
      events.record(client, resource, resource.getStatus() == null ? null : resource.getStatus().getConditions(),
          next.getConditions());
    }
    resource.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(resource);
  }
}
