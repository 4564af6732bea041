package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Status writes that happen only when the status really changed.
 *
 * <p>The write replaces the whole status (PUT of the status subresource) with optimistic locking, and the
 * answer goes into JOSDK's cache of primaries, so the next reconcile starts from the status just written. It
 * does not go through {@code UpdateControl.patchStatus}: without server-side apply JOSDK sends a JSON Patch
 * computed against the copy the reconcile started from, without a resourceVersion, and does not cache the
 * answer. When a reconcile starts before the watch has delivered the previous reconcile's own status write,
 * that patch is computed against a stale status and applied to the newer one: only the fields that differ
 * from the stale copy are replaced (for example observedGeneration), the rest of the newer status stays, and
 * the resource keeps the previous verdict (Progressing) with nothing left to trigger another reconcile.
 */
public final class StatusUpdates {
  private static final Logger LOG = LoggerFactory.getLogger(StatusUpdates.class);

  private StatusUpdates() {}

  /** Whether two statuses are the same (compared as JSON, so no equals() is needed on the status classes). */
  public static boolean same(Object a, Object b) {
    return Objects.equals(Serialization.jsonMapper().valueToTree(a), Serialization.jsonMapper().valueToTree(b));
  }

  /**
   * Writes the status when it changed, otherwise no write at all; records an Event when the Ready condition
   * made a transition an SRE cares about ({@code events} may be null).
   */
  public static <S extends MlServingStatus, P extends CustomResource<?, S>> UpdateControl<P> patchIfChanged(
      P resource, S next, Context<P> ctx, EventRecorder events) {
    if (!same(resource.getStatus(), next)) {
      List<Condition> before = resource.getStatus() == null ? null : resource.getStatus().getConditions();
      write(resource, next, ctx);
      if (events != null) {
        events.record(ctx.getClient(), resource, before, next.getConditions());
      }
    }
    return UpdateControl.noUpdate();
  }

  /** The error-path twin of {@link #patchIfChanged}; JOSDK retries with back-off either way. */
  public static <S extends MlServingStatus, P extends CustomResource<?, S>> ErrorStatusUpdateControl<P>
      errorPatchIfChanged(P resource, S next, Context<P> ctx, EventRecorder events) {
    if (!same(resource.getStatus(), next)) {
      List<Condition> before = resource.getStatus() == null ? null : resource.getStatus().getConditions();
      try {
        write(resource, next, ctx);
        if (events != null) {
          events.record(ctx.getClient(), resource, before, next.getConditions());
        }
      } catch (RuntimeException e) {
        // The API server may be what failed: the retry of the reconcile writes the status again.
        LOG.warn("Could not write the error status of {} {}/{}: {}", resource.getKind(),
            resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e.toString());
      }
    }
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  private static <S extends MlServingStatus, P extends CustomResource<?, S>> void write(P resource, S next,
      Context<P> ctx) {
    // PUT of the status subresource carrying the cached resourceVersion: a stale copy gets 409 and the
    // reconcile is retried from the cache; the answer goes into the cache, so the next reconcile starts
    // from the status just written.
    resource.setStatus(next);
    P updated = ctx.getClient().resource(resource).updateStatus();
    ctx.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(resource), updated, resource);
  }

}
