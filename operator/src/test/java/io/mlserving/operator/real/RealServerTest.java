package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.status.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every class of the real-server suite shares: the JVM's {@link RealControlPlane} with the CRDs, one
 * operator process (the jar, as the chart's ServiceAccount) and one kubelet stand-in per class, namespaces
 * per test, and at the end the check that the API server never refused the operator (403).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealServerTest {
  /** Bound of every wait for the operator and the controllers on the shared 2 cores. */
  static final Duration DEADLINE = Duration.ofSeconds(60);
  /** How long "the operator sends nothing" is watched. */
  static final Duration QUIET_WINDOW = Duration.ofSeconds(10);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  protected RealControlPlane cp;
  protected KubernetesClient admin;
  protected Kubectl kubectl;
  protected AuditLog audit;
  protected KubeletStandIn kubelet;
  protected OperatorProcess operator;
  /** Where this class's part of the audit log begins. */
  protected AuditLog.Mark classStart;
  private final List<String> namespaces = new ArrayList<>();

  @BeforeAll
  void startOperator() {
    cp = RealControlPlane.shared();
    cp.installCrds();
    admin = cp.adminClient();
    kubectl = cp.kubectl();
    audit = cp.auditLog();
    kubelet = new KubeletStandIn(admin);
    classStart = audit.mark();
    operator = OperatorProcess.start(ChartServiceAccount.of(cp), operatorEnv(), List.of()).awaitStarted();
  }

  /** What the class adds to the operator's environment (its settings); called once, before the operator starts. */
  protected java.util.Map<String, String> operatorEnv() {
    return java.util.Map.of();
  }

  @AfterAll
  void stopOperator() {
    try {
      // Our resources first, while the operator runs: deleting a namespace that still holds them lets the
      // namespace controller remove children before their owners, and the operator's re-create of a child in a
      // terminating namespace is answered 403 (by admission, not RBAC), which would blur the check below.
      deleteOurResources();
      List<AuditLog.Entry> refused = audit.refusedByRbac(operator.user(), classStart);
      assertThat(refused).as("requests of the operator (%s) the API server refused with 403 during %s"
          + " (authorization 'forbid': the chart's ClusterRole lacks a rule):\n%s", operator.user(),
          getClass().getSimpleName(), AuditLog.describe(refused)).isEmpty();
    } finally {
      try {
        operator.close();
      } finally {
        kubelet.close();
        deleteNamespaces(admin, namespaces);
      }
    }
  }

  /** Deletes every resource of our kinds in this class's namespaces and waits until their children are gone. */
  private void deleteOurResources() {
    for (String ns : namespaces) {
      kubectl.run("delete", SamplesIT.KINDS, "--all", "-n", ns, "--wait=true", "--timeout=" + DEADLINE.toSeconds()
          + "s");
    }
    await().atMost(DEADLINE).alias("generated objects of the class's namespaces garbage-collected").until(() ->
        namespaces.stream().allMatch(ns -> admin.services().inNamespace(ns)
            .withLabel(io.mlserving.operator.desired.Labels.MANAGED_BY, io.mlserving.operator.desired.Labels.OPERATOR)
            .list().getItems().isEmpty()
            && admin.apps().deployments().inNamespace(ns).withLabel(io.mlserving.operator.desired.Labels.MANAGED_BY,
                io.mlserving.operator.desired.Labels.OPERATOR).list().getItems().isEmpty()));
  }

  /** A new namespace {@code <prefix>-<n>-<random>}, deleted after the class. */
  protected String namespace(String prefix) {
    String name = createNamespace(admin, prefix);
    namespaces.add(name);
    return name;
  }

  /** A namespace something else creates (samples/), deleted after the class. */
  protected void adoptNamespace(String name) {
    namespaces.add(name);
  }

  static String createNamespace(KubernetesClient client, String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet() + "-"
        + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /** Deletes the namespaces without waiting (the namespace controller empties them in the background). */
  static void deleteNamespaces(KubernetesClient client, List<String> names) {
    for (String name : names) {
      client.namespaces().withName(name).delete();
    }
  }

  /** The resource now, or null. */
  protected <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    return admin.resources(type).inNamespace(namespace).withName(name).get();
  }

  /** The Ready condition of a resource of ours, if it has one. */
  static Optional<Condition> ready(CustomResource<?, ? extends MlServingStatus> resource) {
    return resource == null || resource.getStatus() == null ? Optional.empty()
        : Conditions.find(resource.getStatus().getConditions(), Conditions.READY);
  }

  /** Waits until the resource's Ready condition has {@code status} and {@code reason}; returns it. */
  protected <T extends CustomResource<?, ? extends MlServingStatus>> T awaitReady(Class<T> type, String namespace,
      String name, String status, String reason) {
    return await().atMost(DEADLINE).alias(type.getSimpleName() + " " + namespace + "/" + name + " Ready=" + status
        + " reason " + reason + " (operator log: " + operator.log() + ")")
        .until(() -> get(type, namespace, name), r -> ready(r)
            .map(c -> status.equals(c.getStatus()) && reason.equals(c.getReason())).orElse(false));
  }

  /** Waits until the resource is Ready=True. */
  protected <T extends CustomResource<?, ? extends MlServingStatus>> T awaitReady(Class<T> type, String namespace,
      String name) {
    return awaitReady(type, namespace, name, Conditions.TRUE, "Ready");
  }

  /** Waits until the object is gone (garbage collection, a deletion by the operator). */
  protected void awaitGone(Class<? extends HasMetadata> type, String namespace, String name) {
    await().atMost(DEADLINE).alias(type.getSimpleName() + " " + namespace + "/" + name + " deleted")
        .until(() -> get(type, namespace, name) == null);
  }

  /**
   * Asserts the operator sends no write during {@link #QUIET_WINDOW} from now, listing any it sends. Polls the
   * audit log (the window is what is measured, so it is waited out).
   */
  protected void assertNoOperatorWritesDuringQuietWindow(String when) {
    AuditLog.Mark mark = audit.mark();
    await().during(QUIET_WINDOW).atMost(QUIET_WINDOW.plusSeconds(5)).pollInterval(Duration.ofMillis(500))
        .alias("no write by the operator " + when)
        .until(() -> {
          List<AuditLog.Entry> writes = audit.writes(operator.user(), mark);
          if (!writes.isEmpty()) {
            throw new AssertionError("the operator wrote " + when + " (" + writes.size() + "):\n"
                + AuditLog.describe(writes));
          }
          return true;
        });
  }
}
