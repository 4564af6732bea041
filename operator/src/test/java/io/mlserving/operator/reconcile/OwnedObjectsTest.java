package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.testing.Fixtures;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the owned-objects sync may delete: only objects with our owner labels and a controller reference; and
 * what it remembers of a deleted primary.
 */
class OwnedObjectsTest {
  private static final String UID = "uid-ab";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("labels and controller reference", (Consumer<Service>) s -> {}, true),
        Arguments.of("no owner labels", (Consumer<Service>) s -> s.getMetadata().setLabels(null), false),
        Arguments.of("another owner name", (Consumer<Service>) s -> s.getMetadata().getLabels()
            .put(Labels.OWNER_NAME, "other"), false),
        Arguments.of("another owner kind", (Consumer<Service>) s -> s.getMetadata().getLabels()
            .put(Labels.OWNER_KIND, "ShadowTest"), false),
        Arguments.of("no owner reference", (Consumer<Service>) s -> s.getMetadata().setOwnerReferences(null), false),
        Arguments.of("reference to another uid (an earlier ABTest of that name)", (Consumer<Service>) s ->
            s.getMetadata().getOwnerReferences().get(0).setUid("uid-old"), false),
        Arguments.of("reference that is not the controller", (Consumer<Service>) s ->
            s.getMetadata().getOwnerReferences().get(0).setController(false), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ownedByNeedsBothTheLabelsAndTheControllerReference(String name, Consumer<Service> edit, boolean owned) {
    ABTest ab = Fixtures.abTest("models", "ab", "fraud", "m1", 50, "m2", 50);
    ab.getMetadata().setUid(UID);
    Service svc = service(ab);
    edit.accept(svc);
    assertThat(OwnedObjects.ownedBy(svc, ab)).isEqualTo(owned);
  }

  @Test
  void aDeletedPrimarysRememberedSyncIsForgottenAtOnce() {
    // No generated kinds: a sync of nothing writes nothing, so each primary's sync is remembered.
    OwnedObjects<ABTest> owned = new OwnedObjects<>();
    ABTest gone = Fixtures.abTest("models", "gone", "fraud", "m1", 50, "m2", 50);
    ABTest kept = Fixtures.abTest("models", "kept", "churn", "m1", 50, "m2", 50);
    for (ABTest ab : List.of(gone, kept)) {
      owned.syncUnlessSame(ab, List.of("inputs"), List::of, null);
    }
    assertThat(owned.rememberedSyncs()).isEqualTo(2);

    @SuppressWarnings("unchecked")
    ResourceEventAware<ABTest> listener = (ResourceEventAware<ABTest>) owned.forgetDeleted("forget");
    listener.onResourceUpdated(kept, kept);
    listener.onResourceDeleted(gone);

    assertThat(owned.rememberedSyncs()).as("only the deleted primary's sync is forgotten").isEqualTo(1);
    assertThat(owned.forgetDeleted("forget").getSecondaryResources(kept)).isEmpty();
  }

  private static Service service(HasMetadata owner) {
    return new ServiceBuilder().withNewMetadata().withName("fraud").withNamespace("models")
        .withLabels(new java.util.HashMap<>(Labels.owned(owner)))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion())
            .withKind(owner.getKind()).withName(owner.getMetadata().getName()).withUid(UID)
            .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata().build();
  }
}
