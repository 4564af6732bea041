package io.mlserving.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.RecordingDispatcher.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** What the fault tests share: an operator whose client sees every fault, write predicates, and the checks. */
final class Faults {
  static final String NS = "models";
  /** The operator's request timeout in these tests: a response held back longer than this is a timeout. */
  static final int REQUEST_TIMEOUT_MS = 1000;
  /** A delay well past {@link #REQUEST_TIMEOUT_MS}. */
  static final long LATE_MS = 2500;

  private Faults() {}

  /**
   * The real operator on a mock cluster serving Istio v1. Its client has a short request timeout and no
   * client-side retries (fabric8 retries 5xx and I/O errors itself by default), so each injected fault reaches
   * the operator; watches reconnect quickly.
   */
  static OperatorHarness operator() {
    MockCluster cluster = MockCluster.start(c -> c
        .withRequestTimeout(REQUEST_TIMEOUT_MS)
        .withRequestRetryBackoffLimit(0)
        .withWatchReconnectInterval(100))
        .withIstio("v1");
    return new OperatorHarness(cluster, OperatorSettings.defaults().withFirstStatusGrace(Duration.ZERO));
  }

  // ---- which requests

  /** A server-side apply of the object {@code plural}/{@code name} (the operator's create and its update). */
  static Predicate<Request> apply(String plural, String name) {
    return r -> "PATCH".equals(r.method()) && r.contentType() != null
        && r.contentType().startsWith("application/apply-patch") && bare(r).endsWith("/" + plural + "/" + name);
  }

  /** A write of the status subresource of {@code plural}/{@code name}. */
  static Predicate<Request> status(String plural, String name) {
    return r -> r.isWrite() && bare(r).endsWith("/" + plural + "/" + name + "/status");
  }

  private static String bare(Request r) {
    int q = r.path().indexOf('?');
    return q < 0 ? r.path() : r.path().substring(0, q);
  }

  // ---- checks

  /** Nothing is reconciled and nothing is written for {@code window}. */
  static void assertQuiet(OperatorHarness h, Duration window) {
    int reconciles = h.metrics.total();
    int writes = h.cluster.dispatcher.writes().size();
    await().during(window).atMost(window.plusSeconds(3))
        .until(() -> h.metrics.total() == reconciles && h.cluster.dispatcher.writes().size() == writes);
  }

  /**
   * Waits until the operator has gone quiet: no reconcile and no write for {@code window} (within the usual
   * deadline, so an operator that never settles fails).
   */
  static void awaitQuiet(OperatorHarness h, Duration window) {
    long[] last = {System.nanoTime(), h.metrics.total(), h.cluster.dispatcher.writes().size()};
    await().atMost(OperatorHarness.DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
      int reconciles = h.metrics.total();
      int writes = h.cluster.dispatcher.writes().size();
      if (reconciles != last[1] || writes != last[2]) {
        last[0] = System.nanoTime();
        last[1] = reconciles;
        last[2] = writes;
      }
      return System.nanoTime() - last[0] >= window.toNanos();
    });
  }

  /** Expected generated objects: "Kind/name" to the custom resource that must own it. */
  static Map<String, HasMetadata> children(HasMetadata owner, String... kindSlashNames) {
    Map<String, HasMetadata> out = new LinkedHashMap<>();
    for (String k : kindSlashNames) {
      out.put(k, owner);
    }
    return out;
  }

  /**
   * Exactly the {@code expected} generated objects exist in the namespace (nothing lost, nothing extra with
   * the managed-by label), each with exactly one owner reference: controller and blockOwnerDeletion set, to
   * the uid of the custom resource as it is now.
   */
  static void assertGeneratedExactly(OperatorHarness h, Map<String, HasMetadata> expected) {
    Map<String, HasMetadata> actual = generated(h.cluster.client, NS);
    assertThat(actual.keySet()).as("generated objects").containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (var e : expected.entrySet()) {
      HasMetadata owner = current(h.cluster.client, e.getValue());
      assertThat(owner).as("owner of %s", e.getKey()).isNotNull();
      List<OwnerReference> refs = actual.get(e.getKey()).getMetadata().getOwnerReferences();
      assertThat(refs).as("ownerReferences of %s", e.getKey()).singleElement().satisfies(ref -> {
        assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
        assertThat(ref.getKind()).isEqualTo(owner.getKind());
        assertThat(ref.getName()).isEqualTo(owner.getMetadata().getName());
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
      });
    }
  }

  /** Every object with the managed-by label in {@code namespace}, keyed "Kind/name". */
  static Map<String, HasMetadata> generated(KubernetesClient client, String namespace) {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().deployments().inNamespace(namespace).withLabel(Labels.MANAGED_BY).list().getItems());
    all.addAll(client.services().inNamespace(namespace).withLabel(Labels.MANAGED_BY).list().getItems());
    all.addAll(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace)
        .withLabel(Labels.MANAGED_BY).list().getItems());
    for (String kind : List.of("VirtualService", "DestinationRule")) {
      for (String version : List.of("v1", "v1beta1")) {
        List<GenericKubernetesResource> items = client.genericKubernetesResources("networking.istio.io/" + version,
            kind).inNamespace(namespace).withLabel(Labels.MANAGED_BY).list().getItems();
        all.addAll(items);
      }
    }
    Map<String, HasMetadata> out = new TreeMap<>();
    for (HasMetadata o : all) {
      HasMetadata previous = out.put(o.getKind() + "/" + o.getMetadata().getName(), o);
      assertThat(previous).as("%s/%s stored twice", o.getKind(), o.getMetadata().getName()).isNull();
    }
    return out;
  }

  /** Every custom resource of the four kinds in {@code namespace}. */
  static List<HasMetadata> customResources(KubernetesClient client, String namespace) {
    List<HasMetadata> out = new ArrayList<>();
    for (Class<? extends HasMetadata> type : List.of(InferenceService.class, ABTest.class, ShadowTest.class,
        CircuitBreaker.class)) {
      out.addAll(client.resources(type).inNamespace(namespace).list().getItems());
    }
    return out;
  }

  /**
   * Plays the garbage collector the mock lacks: deletes every generated object none of whose owners exists any
   * more (by uid), as the API server's garbage collector does in the background. Returns what it deleted.
   */
  static Set<String> collectGarbage(KubernetesClient client, String namespace) {
    Set<String> live = customResources(client, namespace).stream().map(r -> r.getMetadata().getUid())
        .collect(Collectors.toSet());
    Set<String> deleted = new java.util.TreeSet<>();
    generated(client, namespace).forEach((key, o) -> {
      List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
      if (refs != null && !refs.isEmpty() && refs.stream().noneMatch(ref -> live.contains(ref.getUid()))) {
        client.resource(o).delete();
        deleted.add(key);
      }
    });
    return deleted;
  }

  @SuppressWarnings("unchecked")
  private static HasMetadata current(KubernetesClient client, HasMetadata r) {
    return client.resources(r.getClass()).inNamespace(r.getMetadata().getNamespace())
        .withName(r.getMetadata().getName()).get();
  }

  /** The Ready condition's reason, or null. */
  static String readyReason(io.fabric8.kubernetes.client.CustomResource<?, ? extends
      io.mlserving.operator.api.v1alpha1.MlServingStatus> r) {
    return r == null || r.getStatus() == null ? null
        : Conditions.find(r.getStatus().getConditions(), Conditions.READY).map(c -> c.getReason()).orElse(null);
  }
}
