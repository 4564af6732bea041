package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.CustomResource;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A host renamed: the ABTest's (or ShadowTest's) old apex Service goes, nothing else of the old state stays,
 * and a later claimant of the freed host takes it over on the real server.
 */
class HostChangeIT extends RealServerTest {
  @Test
  void anAbTestsOldApexServiceIsDeletedAndItsHostFreeForTheNextClaimant() {
    String ns = namespace("host-ab");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.inferenceService(ns, "m2") + "---\n"
        + Manifests.abTest(ns, "ab", "old-host", "m1", "m2"));
    awaitReady(ABTest.class, ns, "ab");
    assertThat(ownedBy(ns, "ABTest", "ab")).containsExactlyInAnyOrder("Service/old-host", "VirtualService/ab");

    kubectl.ok("patch", "abtests.mlserving.io", "ab", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"host\":\"new-host\"}}");

    awaitHostMoved(ABTest.class, ns, "ab", "ABTest");
    kubectl.apply(Manifests.abTest(ns, "later", "old-host", "m2", "m1"));
    awaitTakenOver(ABTest.class, ns, "later", "ABTest", "m2");
  }

  @Test
  void aShadowTestsOldApexServiceIsDeletedAndItsHostFreeForTheNextClaimant() {
    String ns = namespace("host-shadow");
    kubectl.apply(Manifests.inferenceService(ns, "m1") + "---\n" + Manifests.inferenceService(ns, "m2") + "---\n"
        + Manifests.shadowTest(ns, "st", "old-host", "m1", "m2"));
    awaitReady(ShadowTest.class, ns, "st");
    assertThat(ownedBy(ns, "ShadowTest", "st")).containsExactlyInAnyOrder("Service/old-host", "VirtualService/st");

    kubectl.ok("patch", "shadowtests.mlserving.io", "st", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"host\":\"new-host\"}}");

    awaitHostMoved(ShadowTest.class, ns, "st", "ShadowTest");
    kubectl.apply(Manifests.shadowTest(ns, "later", "old-host", "m2", "m1"));
    awaitTakenOver(ShadowTest.class, ns, "later", "ShadowTest", "m2");
  }

  /**
   * After the rename: exactly the new apex Service and the VirtualService (now for new-host) carry the owner's
   * labels, and no Service old-host exists at all (labels or not).
   */
  private <T extends CustomResource<?, ? extends MlServingStatus>> void awaitHostMoved(Class<T> type, String ns, String name, String kind) {
    await().atMost(DEADLINE).alias(kind + " " + name + " moved to new-host").untilAsserted(() -> {
      GenericKubernetesResource vs = admin.genericKubernetesResources("networking.istio.io/v1", "VirtualService")
          .inNamespace(ns).withName(name).get();
      assertThat(vs).isNotNull();
      @SuppressWarnings("unchecked")
      List<Object> hosts = (List<Object>) ((Map<?, ?>) vs.getAdditionalProperties().get("spec")).get("hosts");
      assertThat(hosts).contains("new-host").doesNotContain("old-host");
      assertThat(get(Service.class, ns, "new-host")).isNotNull();
    });
    awaitReady(type, ns, name);
    await().atMost(DEADLINE).alias("the old apex Service old-host of " + kind + " " + name + " deleted")
        .untilAsserted(() -> {
          Service old = get(Service.class, ns, "old-host");
          assertThat(old).as("Service old-host, still owned by %s and selecting %s",
              old == null ? null : old.getMetadata().getOwnerReferences(),
              old == null ? null : old.getSpec().getSelector()).isNull();
        });
    assertThat(ownedBy(ns, kind, name)).containsExactlyInAnyOrder("Service/new-host", "VirtualService/" + name);
  }

  /** The newcomer claiming old-host is Ready, and Service old-host is its alone and selects its first variant. */
  private <T extends CustomResource<?, ? extends MlServingStatus>> void awaitTakenOver(Class<T> type, String ns, String name, String kind,
      String firstVariant) {
    T claimant = awaitReady(type, ns, name);
    await().atMost(DEADLINE).alias("Service old-host taken over by " + kind + " " + name).untilAsserted(() -> {
      Service apex = get(Service.class, ns, "old-host");
      assertThat(apex).isNotNull();
      List<OwnerReference> owners = apex.getMetadata().getOwnerReferences();
      assertThat(owners).as("ownerReferences of Service old-host").singleElement().satisfies(o -> {
        assertThat(o.getUid()).isEqualTo(claimant.getMetadata().getUid());
        assertThat(o.getController()).isTrue();
      });
      assertThat(apex.getMetadata().getLabels()).containsEntry(Labels.OWNER_NAME, name);
      assertThat(apex.getSpec().getSelector()).containsEntry(Labels.INFERENCE_SERVICE, firstVariant);
    });
    assertThat(get(InferenceService.class, ns, firstVariant)).isNotNull();
  }

  /** kind/name of every generated object in {@code ns} whose owner labels name {@code kind}/{@code name}. */
  private List<String> ownedBy(String ns, String kind, String name) {
    List<String> found = new ArrayList<>();
    for (String[] type : GarbageCollectionIT.GENERATED) {
      admin.genericKubernetesResources(type[0], type[1]).inNamespace(ns).withLabel(Labels.OWNER_KIND, kind)
          .withLabel(Labels.OWNER_NAME, name).list().getItems()
          .forEach(o -> found.add(o.getKind() + "/" + o.getMetadata().getName()));
    }
    return found;
  }
}
