package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.mlserving.operator.desired.Labels;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Set;

/** Finds the custom resource a generated object belongs to. */
public final class Owners {
  private Owners() {}

  /**
   * The owner of kind {@code kind}: from the controller owner reference, else from the owner-name label (so
   * an object whose labels or references were edited by hand is still traced back and restored).
   */
  public static Set<ResourceID> of(HasMetadata object, String kind) {
    String namespace = object.getMetadata().getNamespace();
    if (object.getMetadata().getOwnerReferences() != null) {
      for (OwnerReference ref : object.getMetadata().getOwnerReferences()) {
        if (kind.equals(ref.getKind()) && Boolean.TRUE.equals(ref.getController())) {
          return Set.of(new ResourceID(ref.getName(), namespace));
        }
      }
    }
    Map<String, String> labels = object.getMetadata().getLabels();
    if (labels != null && kind.equals(labels.get(Labels.OWNER_KIND)) && labels.get(Labels.OWNER_NAME) != null) {
      return Set.of(new ResourceID(labels.get(Labels.OWNER_NAME), namespace));
    }
    return Set.of();
  }
}
