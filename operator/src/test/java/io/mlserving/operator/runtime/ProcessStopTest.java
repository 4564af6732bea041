package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stop request: first one wins, and a stop that hangs ends the process at the deadline. */
class ProcessStopTest {
  @Test
  void theFirstRequestDecidesTheExitStatus() throws InterruptedException {
    AtomicInteger halted = new AtomicInteger(-1);
    ProcessStop stop = new ProcessStop(Duration.ofSeconds(30), halted::set);
    stop.request("the Lease lost", 1);
    stop.request("SIGTERM", 0);
    assertThat(stop.await()).isEqualTo(new ProcessStop.Request("the Lease lost", 1));
    stop.finished();
    assertThat(halted).hasValue(-1);
  }

  @Test
  void aStopThatDoesNotFinishEndsTheProcessAtTheDeadline() {
    AtomicInteger halted = new AtomicInteger(-1);
    ProcessStop stop = new ProcessStop(Duration.ofMillis(200), halted::set);
    long start = System.nanoTime();
    stop.request("SIGTERM", 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> halted.get() == 0);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aFinishedStopIsNotHalted() {
    AtomicInteger halted = new AtomicInteger(-1);
    ProcessStop stop = new ProcessStop(Duration.ofMillis(300), halted::set);
    stop.request("SIGTERM", 0);
    stop.finished();
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> halted.get() == -1);
  }
}
