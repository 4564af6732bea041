package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata of a generated object: name, the owner's namespace, ownership labels and controller reference. */
public final class OwnedMeta {
  private OwnedMeta() {}

  /**
   * Metadata for an object named {@code name} owned by {@code owner}. The controller reference needs the
   * owner's uid, which a resource read from a file (render) does not have yet: then it is left out.
   */
  public static ObjectMeta of(HasMetadata owner, String name) {
    ObjectMetaBuilder meta = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(Labels.owned(owner));
    String uid = owner.getMetadata().getUid();
    if (uid != null && !uid.isEmpty()) {
      meta.withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(owner.getApiVersion())
          .withKind(owner.getKind())
          .withName(owner.getMetadata().getName())
          .withUid(uid)
          .withController(true)
          .withBlockOwnerDeletion(true)
          .build());
    }
    return meta.build();
  }
}
