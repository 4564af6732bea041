package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a generated object only when the cluster's copy differs from what we want, with server-side apply
 * (field manager {@value #FIELD_MANAGER}, forcing conflicts on the fields we own: an edit by hand is undone).
 * The actual object comes from the informer cache, so a converged resource costs no request at all.
 */
public final class ChildApplier {
  public static final String FIELD_MANAGER = "mlserving-operator";
  private static final Logger LOG = LoggerFactory.getLogger(ChildApplier.class);

  private final KubernetesClient client;

  public ChildApplier(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Makes {@code desired} true in the cluster. Returns the object as it now is (the cached one when nothing
   * had to change). The informer is told of our own write so it does not trigger another reconcile.
   */
  public <R extends HasMetadata> R apply(R desired, Optional<R> actual, InformerEventSource<R, ?> source,
      HasMetadata primary) {
    @SuppressWarnings("unchecked")
    Class<R> type = (Class<R>) desired.getClass();
    return apply(desired, actual, source, type, primary);
  }

  /**
   * As {@link #apply(HasMetadata, Optional, InformerEventSource, HasMetadata)}, for an informer whose type
   * differs from the desired object's (a generic informer for Istio objects of the detected version).
   */
  public <R extends HasMetadata> R apply(HasMetadata desired, Optional<R> actual, InformerEventSource<R, ?> source,
      Class<R> type, HasMetadata primary) {
    if (actual.isPresent() && Matcher.matches(desired, actual.get())) {
      return actual.get();
    }
    markAsOurs(desired, actual, source, type);
    HasMetadata result = applyOrReplaceLists(desired, actual.isPresent());
    R applied = type.isInstance(result) ? type.cast(result) : Serialization.jsonMapper().convertValue(result, type);
    ResourceID primaryId = ResourceID.fromResource(primary);
    if (actual.isPresent()) {
      LOG.info("Restored or updated {} {}/{} for {} {}", desired.getKind(), desired.getMetadata().getNamespace(),
          desired.getMetadata().getName(), primary.getKind(), primary.getMetadata().getName());
      source.handleRecentResourceUpdate(primaryId, applied, actual.get());
    } else {
      LOG.info("Created {} {}/{} for {} {}", desired.getKind(), desired.getMetadata().getNamespace(),
          desired.getMetadata().getName(), primary.getKind(), primary.getMetadata().getName());
      source.handleRecentResourceCreate(primaryId, applied);
    }
    return applied;
  }

  /**
   * Server-side apply of {@code desired}. An apply the API server refuses as invalid (422) on an existing object
   * is retried once after a JSON merge patch that replaces the lists we set with ours: a list keyed by its
   * entries' content (a Service's ports by port and protocol, a container's ports) that another field manager
   * edited keeps their entry next to ours under apply, and the merged object is invalid (for example two ports
   * named http), so apply alone can never restore it.
   */
  private HasMetadata applyOrReplaceLists(HasMetadata desired, boolean exists) {
    try {
      return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    } catch (KubernetesClientException e) {
      if (!exists || e.getCode() != 422) {
        throw e;
      }
      LOG.warn("Apply of {} {}/{} was refused ({}); replacing the lists we set, then applying again",
          desired.getKind(), desired.getMetadata().getNamespace(), desired.getMetadata().getName(),
          e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
      client.resource(desired).patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
          .withFieldManager(FIELD_MANAGER).build());
      return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  /**
   * Adds JOSDK's "previous" annotation (this informer's id and the version we replace) to {@code desired}, so
   * the informer recognises the event of this write as our own even when the watch delivers it before the
   * write returns and {@code handleRecent...} has run; otherwise that event starts one more reconcile, which
   * finds nothing to do. The Matcher ignores the annotation (it is not in what we generate).
   */
  private static <R extends HasMetadata> void markAsOurs(HasMetadata desired, Optional<R> actual,
      InformerEventSource<R, ?> source, Class<R> type) {
    R probe = Serialization.jsonMapper().convertValue(Map.of("metadata", Map.of("annotations", Map.of())), type);
    String value = source.addPreviousAnnotation(actual.map(a -> a.getMetadata().getResourceVersion()).orElse(null),
        probe).getMetadata().getAnnotations().get(InformerEventSource.PREVIOUS_ANNOTATION_KEY);
    Map<String, String> annotations = desired.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(desired.getMetadata().getAnnotations());
    annotations.put(InformerEventSource.PREVIOUS_ANNOTATION_KEY, value);
    desired.getMetadata().setAnnotations(annotations);
  }

  /**
   * Deletes a generated object that is no longer wanted (for example the HPA once autoscaling is removed); what
   * it owns in turn (a Deployment's ReplicaSets) goes by garbage collection in the background.
   */
  public void delete(HasMetadata existing, HasMetadata primary) {
    LOG.info("Deleting {} {}/{} of {} {}: no longer part of its desired state", existing.getKind(),
        existing.getMetadata().getNamespace(), existing.getMetadata().getName(), primary.getKind(),
        primary.getMetadata().getName());
    client.resource(existing).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }
}
