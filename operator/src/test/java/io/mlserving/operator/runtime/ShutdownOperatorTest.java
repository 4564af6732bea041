package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.mlserving.operator.reconcile.MlServingOperator;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorJvm;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code run} as a separate process against the fabric8 mock API server: what SIGTERM does with and without leader
 * election, while leading, while waiting and with the API server gone; losing the Lease; identities outside a pod.
 */
class ShutdownOperatorTest {
  private static final String LEASE_NS = "ops";
  private static final Duration START = Duration.ofSeconds(60);
  /** The bound for a SIGTERM with the API server up. */
  private static final Duration QUICK_EXIT = Duration.ofSeconds(5);
  private static final String[] LEADER_ELECTION = {"--leader-election", "--lease-namespace", LEASE_NS};

  @Test
  void sigtermWithoutLeaderElectionExitsZero() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorJvm op = OperatorJvm.start(cluster.client, Map.of())) {
      op.awaitLog("Started as ", START);
      op.sigterm();
      assertThat(op.awaitExit(QUICK_EXIT)).as(op.log()).isZero();
      assertThat(op.log()).contains("Stopped (SIGTERM): exit status 0");
    }
  }

  @Test
  void sigtermWhileLeadingReleasesTheLeaseAndExitsZero() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorJvm op = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
      String id = op.identity(START);
      await().atMost(START).until(() -> holder(cluster), id::equals);
      op.awaitLog("Leading as " + id, START);

      op.sigterm();
      assertThat(op.awaitExit(QUICK_EXIT)).as(op.log()).isZero();
      Lease lease = lease(cluster);
      assertThat(lease.getSpec().getHolderIdentity()).as("holder after the release").isNull();
      assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
      assertThat(op.log()).contains("Released the Lease ops/mlserving-operator-leader held as " + id)
          .doesNotContain("Lost the Lease");
    }
  }

  @Test
  void twoReplicasOutsideAPodGetTheirOwnIdentitiesAndHandOverOnSigterm() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorJvm first = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
      String one = first.identity(START);
      await().atMost(START).until(() -> holder(cluster), one::equals);
      try (OperatorJvm second = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
        String two = second.identity(START);
        assertThat(two).as("identities of two processes on one host").isNotEqualTo(one);
        second.awaitLog("Started as " + two + ": waiting for the Lease", START);
        // Several of the waiting replica's retries (2 s to 4.4 s apart): the holder stays.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> holder(cluster), one::equals);
        assertThat(second.log()).doesNotContain("Leading as");

        first.sigterm();
        assertThat(first.awaitExit(QUICK_EXIT)).as(first.log()).isZero();
        // Released, so the stand-by takes it at its next retry, not after the 15 s lease duration.
        await().atMost(Duration.ofSeconds(8)).until(() -> holder(cluster), two::equals);
        second.awaitLog("Leading as " + two, Duration.ofSeconds(5));

        second.sigterm();
        assertThat(second.awaitExit(QUICK_EXIT)).as(second.log()).isZero();
        assertThat(holder(cluster)).isNull();
      }
    }
  }

  @Test
  void sigtermWhileWaitingForTheLeaseExitsZeroAndLeavesTheLeaseAlone() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      // Another replica holds the Lease and keeps renewing it (from the test's point of view: it never expires).
      cluster.client.resource(leaseHeldBy("other-replica", 3600)).create();
      try (OperatorJvm op = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
        String id = op.identity(START);
        op.awaitLog("Started as " + id + ": waiting for the Lease", START);
        String before = lease(cluster).getMetadata().getResourceVersion();

        op.sigterm();
        assertThat(op.awaitExit(QUICK_EXIT)).as(op.log()).isZero();
        assertThat(lease(cluster).getMetadata().getResourceVersion()).as("Lease untouched").isEqualTo(before);
        assertThat(holder(cluster)).isEqualTo("other-replica");
      }
    }
  }

  @Test
  void losingTheLeaseWhileRunningExitsNonZero() throws Exception {
    try (MockCluster cluster = MockCluster.start();
        OperatorJvm op = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
      String id = op.identity(START);
      await().atMost(START).until(() -> holder(cluster), id::equals);
      op.awaitLog("Leading as " + id, START);

      // Another replica takes the Lease (as after this one missed its renewals): at its next renewal (every 2 s)
      // this one sees that it no longer leads.
      // edit() sends a patch without a resourceVersion: it cannot conflict with this replica's renewals.
      cluster.client.leases().inNamespace(LEASE_NS).withName(MlServingOperator.LEASE_NAME).edit(l -> {
        l.getSpec().setHolderIdentity("other-replica");
        l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
        l.getSpec().setLeaseDurationSeconds(3600);
        return l;
      });

      assertThat(op.awaitExit(Duration.ofSeconds(10))).as(op.log()).isEqualTo(1);
      assertThat(op.log()).contains("Lost the Lease ops/mlserving-operator-leader as " + id + " while running")
          .contains("Stopped (the Lease lost): exit status 1");
      assertThat(holder(cluster)).as("the other replica keeps it").isEqualTo("other-replica");
    }
  }

  @Test
  void sigtermWithTheApiServerGoneExitsWithinTheGracePeriod() throws Exception {
    MockCluster cluster = MockCluster.start();
    boolean serverUp = true;
    try (OperatorJvm op = OperatorJvm.start(cluster.client, Map.of(), LEADER_ELECTION)) {
      String id = op.identity(START);
      await().atMost(START).until(() -> holder(cluster), id::equals);
      op.awaitLog("Leading as " + id, START);
      cluster.close();
      serverUp = false;

      long start = System.nanoTime();
      op.sigterm();
      int status = op.awaitExit(Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(status).as(op.log()).isZero();
      assertThat(took).as("stop with the API server gone").isLessThan(Duration.ofSeconds(30));
      assertThat(op.log()).contains("Could not release the Lease");
      System.out.println("log of the stop with the API server gone:\n" + op.log());
    } finally {
      if (serverUp) {
        cluster.close();
      }
    }
  }

  private static Lease lease(MockCluster cluster) {
    return cluster.client.leases().inNamespace(LEASE_NS).withName(MlServingOperator.LEASE_NAME).get();
  }

  private static String holder(MockCluster cluster) {
    Lease lease = lease(cluster);
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static Lease leaseHeldBy(String holder, int durationSeconds) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    return new LeaseBuilder().withNewMetadata().withNamespace(LEASE_NS).withName(MlServingOperator.LEASE_NAME)
        .endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(durationSeconds).withAcquireTime(now)
        .withRenewTime(now).withLeaseTransitions(0).endSpec()
        .build();
  }
}
