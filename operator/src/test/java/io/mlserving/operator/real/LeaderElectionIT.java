package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.reconcile.MlServingOperator;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.testing.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Leader election on the real control plane (issues 8 and 12): replicas of the jar as separate processes, as the
 * chart's ServiceAccount with its leader-election Role, started as outside a pod (no POD_NAME, no HOSTNAME). Each
 * replica sends its own User-Agent, so the audit log tells their requests apart although they share the account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderElectionIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** The bound for a SIGTERM with the API server up. */
  private static final Duration QUICK_EXIT = Duration.ofSeconds(5);
  /** The pod's default termination grace period: the bound with the API server stopped. */
  private static final Duration GRACE_PERIOD = Duration.ofSeconds(30);
  private static final Pattern STARTING = Pattern.compile("Starting mlserving-operator as (\\S+) against");

  private RealControlPlane cp;
  private KubernetesClient admin;
  private AuditLog audit;
  private KubeletStandIn kubelet;
  private AuditLog.Mark classStart;
  private final List<String> namespaces = new ArrayList<>();
  /** Every process a test started, stopped after it (SIGTERM, then SIGKILL) even when it fails. */
  private final List<OperatorProcess> processes = new ArrayList<>();
  private String user;

  /** One operator process, the User-Agent it sends and the identity it logged. */
  private record Replica(OperatorProcess process, String userAgent, String identity) {}

  @BeforeAll
  void startControlPlane() {
    cp = RealControlPlane.shared();
    cp.installCrds();
    admin = cp.adminClient();
    audit = cp.auditLog();
    kubelet = new KubeletStandIn(admin);
    classStart = audit.mark();
  }

  @AfterEach
  void stopReplicas() {
    processes.forEach(OperatorProcess::close);
    processes.clear();
  }

  @AfterAll
  void cleanUp() {
    try {
      if (user != null) {
        List<AuditLog.Entry> refused = audit.refusedByRbac(user, classStart);
        assertThat(refused).as("requests of the replicas refused with 403:\n%s", AuditLog.describe(refused))
            .isEmpty();
      }
    } finally {
      kubelet.close();
      RealServerTest.deleteNamespaces(admin, namespaces);
    }
  }

  @Test
  void onlyTheLeaseHolderWritesAndASigtermHandsOverToTheOther() {
    String ns = namespace("leader");
    Replica a = start(ns, "a");
    Replica b = start(ns, "b");
    assertThat(a.identity()).as("identities of two replicas on one host without POD_NAME")
        .isNotEqualTo(b.identity()).isNotEqualTo("local");

    Replica leader = awaitLeader(ns, a, b);
    Replica standby = leader == a ? b : a;
    standby.process().awaitLog("Started as " + standby.identity() + ": waiting for the Lease", DEADLINE);

    AuditLog.Mark created = audit.mark();
    admin.resource(Fixtures.isvc(ns, "iris", "ghcr.io/acme/iris:1")).create();
    awaitReady(ns, "iris", 1L, leader);
    assertThat(holder(ns)).isEqualTo(leader.identity());
    List<AuditLog.Entry> leaderWrites = writes(leader, created);
    assertThat(leaderWrites).as("the leader's writes").extracting(AuditLog.Entry::fullResource)
        .contains("deployments", "services", "inferenceservices/status");
    assertThat(writes(standby, created)).as("the stand-by's writes while the other leads:\n%s",
        AuditLog.describe(writes(standby, created))).isEmpty();

    // SIGTERM to the holder: it exits 0 within 5 s, having given the Lease up.
    Instant signalled = Instant.now();
    int exit = leader.process().stop();
    Duration took = Duration.between(signalled, Instant.now());
    assertThat(exit).as("exit status of the holder after SIGTERM; log:\n%s", leader.process().logTail(30)).isZero();
    assertThat(took).as("holder's exit after SIGTERM").isLessThan(QUICK_EXIT);
    assertThat(leader.process().logText()).contains("Released the Lease " + ns + "/" + MlServingOperator.LEASE_NAME);
    System.out.printf("LeaderElectionIT: holder exited %d ms after SIGTERM%n", took.toMillis());

    // A change made while nobody leads: the stand-by takes over and converges it.
    admin.resources(InferenceService.class).inNamespace(ns).withName("iris").edit(i -> {
      i.getSpec().getPredictor().setImage("ghcr.io/acme/iris:2");
      return i;
    });
    await().atMost(DEADLINE).alias("the stand-by holds the Lease").until(() -> holder(ns), standby.identity()::equals);
    System.out.printf("LeaderElectionIT: stand-by held the Lease %d ms after the SIGTERM%n",
        Duration.between(signalled, Instant.now()).toMillis());
    standby.process().awaitLog("Leading as " + standby.identity(), DEADLINE);
    awaitReady(ns, "iris", 2L, standby);
    Deployment d = admin.apps().deployments().inNamespace(ns).withName("iris").get();
    assertThat(d.getSpec().getTemplate().getSpec().getContainers())
        .anySatisfy(c -> assertThat(c.getImage()).isEqualTo("ghcr.io/acme/iris:2"));
    assertThat(writes(standby, created)).as("the new leader's writes").extracting(AuditLog.Entry::fullResource)
        .contains("deployments", "inferenceservices/status");

    assertThat(standby.process().stop()).as(standby.process().logTail(30)).isZero();
  }

  @Test
  void aSigtermToTheWaitingReplicaEndsItWithin5sAndLeavesTheLeaderAlone() {
    String ns = namespace("standby");
    Replica a = start(ns, "a");
    Replica b = start(ns, "b");
    Replica leader = awaitLeader(ns, a, b);
    Replica standby = leader == a ? b : a;
    standby.process().awaitLog("Started as " + standby.identity() + ": waiting for the Lease", DEADLINE);

    Instant signalled = Instant.now();
    int exit = standby.process().stop();
    Duration took = Duration.between(signalled, Instant.now());
    assertThat(exit).as("exit status of the waiting replica; log:\n%s", standby.process().logTail(30)).isZero();
    assertThat(took).as("waiting replica's exit after SIGTERM").isLessThan(QUICK_EXIT);
    System.out.printf("LeaderElectionIT: waiting replica exited %d ms after SIGTERM%n", took.toMillis());

    // The leader keeps the Lease and keeps renewing it.
    Lease before = lease(ns);
    await().atMost(Duration.ofSeconds(15)).alias("the leader renews the Lease").until(() -> lease(ns),
        l -> leader.identity().equals(l.getSpec().getHolderIdentity())
            && l.getSpec().getRenewTime().isAfter(before.getSpec().getRenewTime()));
    assertThat(leader.process().isAlive()).isTrue();
    assertThat(leader.process().stop()).isZero();
  }

  @Test
  void aSigtermWithTheApiServerStoppedEndsTheProcessWithinTheGracePeriod() throws Exception {
    String ns = namespace("apiserver");
    Replica only = start(ns, "a");
    awaitLeader(ns, only);
    only.process().awaitLog("Leading as " + only.identity(), DEADLINE);
    // kube-apiserver stops listening at once on SIGTERM but may take its 20 s stop deadline to exit (it waits for
    // long-running requests): signal the operator as soon as the port refuses connections, well inside the 10 s
    // renew deadline, so that this is a SIGTERM to a leader that cannot reach its API server, not a lost Lease.
    URI api = URI.create(cp.url());
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(cp::stopApiServer);
    try {
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).alias("the API server refuses connections")
          .until(() -> !accepts(api));
      Instant signalled = Instant.now();
      int exit = only.process().stop();
      Duration took = Duration.between(signalled, Instant.now());
      System.out.printf("LeaderElectionIT: with the API server stopped, exit %d %d ms after SIGTERM%n", exit,
          took.toMillis());
      assertThat(exit).as("exit status (-1: it had to be killed); log:\n%s", only.process().logTail(30)).isZero();
      assertThat(took).isLessThan(GRACE_PERIOD);
      assertThat(only.process().logText()).contains("Stopped (SIGTERM): exit status 0")
          .doesNotContain("Lost the Lease");
    } finally {
      stopping.get(60, TimeUnit.SECONDS);
      cp.startApiServer();
    }
  }

  private static boolean accepts(URI api) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(api.getHost(), api.getPort()), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A replica watching {@code ns} with its Lease in {@code ns}, its User-Agent naming it. */
  private Replica start(String ns, String name) {
    // The chart with leader election, its Lease (and so its Role) in the test's namespace; names of its own,
    // so that the shared control plane's default ServiceAccount and bindings stay as the other classes expect.
    ChartServiceAccount account = ChartServiceAccount.of(cp, "fullnameOverride: le-" + ns
        + "\nreplicaCount: 2\nleaderElection:\n  enabled: true\n  leaseNamespace: " + ns + "\n");
    user = account.user();
    String userAgent = "mlserving-operator-it/" + ns + "/" + name;
    Map<String, String> env = new HashMap<>();
    env.put("HOSTNAME", null); // as in a shell without an exported HOSTNAME
    env.put("POD_NAME", null);
    env.put("KUBERNETES_USER_AGENT", userAgent);
    OperatorProcess process = OperatorProcess.start(account, env,
        List.of("--leader-election", "--lease-namespace", ns, "--namespaces", ns));
    processes.add(process);
    process.awaitStarted();
    Matcher m = STARTING.matcher(process.logText());
    assertThat(m.find()).as("startup line with the identity in:\n%s", process.logTail(30)).isTrue();
    return new Replica(process, userAgent, m.group(1));
  }

  /** Waits until one of {@code candidates} holds the Lease, and returns it. */
  private Replica awaitLeader(String ns, Replica... candidates) {
    String holder = await().atMost(DEADLINE).alias("a replica holds the Lease in " + ns)
        .until(() -> holder(ns), h -> h != null && List.of(candidates).stream().anyMatch(r -> h.equals(r.identity())));
    return List.of(candidates).stream().filter(r -> holder.equals(r.identity())).findFirst().orElseThrow();
  }

  private void awaitReady(String ns, String name, long generation, Replica by) {
    await().atMost(DEADLINE).alias("InferenceService " + ns + "/" + name + " Ready for generation " + generation
        + " (log of " + by.identity() + ": " + by.process().log() + ")")
        .until(() -> admin.resources(InferenceService.class).inNamespace(ns).withName(name).get(), i -> i != null
            && i.getStatus() != null && Long.valueOf(generation).equals(i.getStatus().getObservedGeneration())
            && Conditions.find(i.getStatus().getConditions(), Conditions.READY).map(Condition::getStatus)
                .filter(Conditions.TRUE::equals).isPresent());
  }

  private List<AuditLog.Entry> writes(Replica r, AuditLog.Mark since) {
    return audit.writes(user, since).stream().filter(e -> r.userAgent().equals(e.userAgent())).toList();
  }

  private Lease lease(String ns) {
    return admin.leases().inNamespace(ns).withName(MlServingOperator.LEASE_NAME).get();
  }

  private String holder(String ns) {
    return Optional.ofNullable(lease(ns)).map(Lease::getSpec).map(s -> s.getHolderIdentity()).orElse(null);
  }

  private String namespace(String prefix) {
    String name = RealServerTest.createNamespace(admin, prefix);
    namespaces.add(name);
    return name;
  }
}
