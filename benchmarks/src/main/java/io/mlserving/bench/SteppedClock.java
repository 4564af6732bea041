package io.mlserving.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system clock plus an offset the benchmark advances: it makes a refresh of live analysis due at once
 * instead of after its interval, without changing anything else the operator times (the offset only grows).
 */
final class SteppedClock extends Clock {
  private final AtomicLong offsetNanos = new AtomicLong();

  /** Moves this clock {@code by} ahead of the system clock (on top of earlier steps). */
  void advance(Duration by) {
    offsetNanos.addAndGet(by.toNanos());
  }

  /** How far ahead of the system clock it is. */
  Duration offset() {
    return Duration.ofNanos(offsetNanos.get());
  }

  @Override
  public Instant instant() {
    return Instant.now().plusNanos(offsetNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the benchmark's clock is UTC");
  }
}
