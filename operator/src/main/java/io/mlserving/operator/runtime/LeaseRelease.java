package io.mlserving.operator.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up the leader Lease at shutdown, as client-go's {@code ReleaseOnCancel} does: holder cleared, duration 1 s.
 * A stand-by then takes over at its next retry instead of waiting out the lease duration. JOSDK 5.2.3 builds its
 * elector with release-on-cancel off, and fabric8's release leaves the holder in place (its merge patch drops the
 * null), so the operator does it itself.
 */
final class LeaseRelease {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRelease.class);

  private LeaseRelease() {}

  /**
   * Clears the holder of Lease {@code namespace/name} if it is {@code identity}, with the Lease's resourceVersion as
   * precondition (a replica that took over meanwhile keeps it). Gives up after {@code timeout} (an API server that
   * does not answer: the Lease then expires by itself). Never throws.
   *
   * @return whether this call released the Lease
   */
  static boolean release(KubernetesClient client, String namespace, String name, String identity, Duration timeout) {
    CompletableFuture<Boolean> released = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        released.complete(releaseNow(client, namespace, name, identity));
      } catch (RuntimeException e) {
        released.completeExceptionally(e);
      }
    }, "lease-release");
    t.setDaemon(true);
    t.start();
    try {
      boolean done = released.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (done) {
        LOG.info("Released the Lease {}/{} held as {}", namespace, name, identity);
      }
      return done;
    } catch (TimeoutException e) {
      LOG.warn("Could not release the Lease {}/{} within {} ms (API server unreachable?): it expires by itself",
          namespace, name, timeout.toMillis());
    } catch (ExecutionException e) {
      LOG.warn("Could not release the Lease {}/{}: {}: it expires by itself", namespace, name,
          e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    t.interrupt();
    return false;
  }

  private static boolean releaseNow(KubernetesClient client, String namespace, String name, String identity) {
    Lease lease = client.leases().inNamespace(namespace).withName(name).get();
    if (lease == null || lease.getSpec() == null || !Objects.equals(identity, lease.getSpec().getHolderIdentity())) {
      return false; // not ours (any more): nothing to give up
    }
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Lease released = new LeaseBuilder(lease)
        .editSpec()
          .withHolderIdentity(null)
          .withLeaseDurationSeconds(1)
          .withAcquireTime(now)
          .withRenewTime(now)
        .endSpec()
        .build();
    // update() is a PUT with the resourceVersion just read: 409 if another replica renewed or took it meanwhile.
    client.resource(released).update();
    return true;
  }
}
