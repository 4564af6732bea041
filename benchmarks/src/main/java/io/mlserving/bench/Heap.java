package io.mlserving.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Retained heap: used heap after System.gc(), repeated until two readings agree within 256 KiB. */
final class Heap {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Heap() {}

  static long retainedBytes() throws InterruptedException {
    long previous = -1;
    long used = 0;
    for (int i = 0; i < 12; i++) {
      System.gc();
      Thread.sleep(150);
      used = MEMORY.getHeapMemoryUsage().getUsed();
      if (previous >= 0 && Math.abs(used - previous) < 256 * 1024) {
        return Math.min(used, previous);
      }
      previous = used;
    }
    return used;
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
