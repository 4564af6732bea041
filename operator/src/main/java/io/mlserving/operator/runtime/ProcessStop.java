package io.mlserving.operator.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one request to end the process (SIGTERM or SIGINT: exit 0; the Lease lost while running: exit 1) and the
 * deadline that bounds the graceful stop it starts.
 *
 * <p>SIGTERM is handled here rather than in a JVM shutdown hook: the stop it starts runs on the main thread
 * outside the JVM's shutdown sequence, so a {@code System.exit} anywhere in it (JOSDK's leader election calls one)
 * cannot deadlock against the shutdown, and the exit status is the operator's (0) rather than the JVM's 143.
 */
public final class ProcessStop {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessStop.class);

  /** What asked the process to stop, and the exit status that goes with it. */
  public record Request(String reason, int exitStatus) {}

  private final Duration deadline;
  private final IntConsumer halt;
  private final AtomicReference<Request> request = new AtomicReference<>();
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  /**
   * @param deadline how long the graceful stop may take after the request before the process ends anyway (less
   *     than the pod's termination grace period, so the kubelet never needs SIGKILL)
   * @param halt ends the process with a status when the deadline passes ({@code Runtime.getRuntime()::halt})
   */
  public ProcessStop(Duration deadline, IntConsumer halt) {
    this.deadline = deadline;
    this.halt = halt;
  }

  /**
   * Makes SIGTERM and SIGINT request a stop with exit status 0. sun.misc.Signal (module jdk.unsupported, kept
   * for exactly this use) is the JDK's only way to handle a signal other than through the shutdown sequence;
   * javac warns that it is internal.
   */
  public ProcessStop onTerminationSignals() {
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), s -> request("SIG" + name, 0));
    }
    return this;
  }

  /**
   * Asks the process to stop; only the first request counts. From then on a watchdog ends the process with the
   * request's status once the deadline passes, should the graceful stop hang (an API server that does not answer).
   */
  public void request(String reason, int exitStatus) {
    Request r = new Request(reason, exitStatus);
    if (!request.compareAndSet(null, r)) {
      LOG.info("{} while stopping already ({}): the stop goes on", reason, request.get().reason());
      return;
    }
    LOG.info("Stopping the operator ({}): finishing in-flight reconciles, then releasing the Lease", reason);
    requested.countDown();
    Thread watchdog = new Thread(() -> {
      try {
        if (!finished.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.error("The stop did not finish within {} ms of {}: exiting with status {} now", deadline.toMillis(),
              reason, exitStatus);
          halt.accept(exitStatus);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** Blocks until a stop is requested, and returns the request. */
  public Request await() throws InterruptedException {
    requested.await();
    return request.get();
  }

  /** The request, if one was made. */
  public Request requested() {
    return request.get();
  }

  /** Says the graceful stop is done: the watchdog stands down. */
  public void finished() {
    finished.countDown();
  }
}
