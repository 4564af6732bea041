package io.mlserving.bench.real;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU seconds used so far by the processes of a run, from /proc: this JVM and every descendant process,
 * filed under a short name (kube-apiserver, etcd, kube-controller-manager, operator), so that a phase's cost
 * per process is the difference of two snapshots. On 2 shared cores CPU is what the operators compete for.
 */
public final class ProcessCpu {
  private static final long TICKS = 100; // USER_HZ on Linux

  private ProcessCpu() {}

  /** CPU seconds by process name, now. {@code operatorPid} is filed as "operator". */
  public static Map<String, Double> snapshot(long operatorPid) {
    Map<String, Double> out = new TreeMap<>();
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      out.put("benchmark (load, observer, kubelet stand-in)", os.getProcessCpuTime() / 1e9);
    }
    ProcessHandle.current().descendants().forEach(p -> {
      String name = p.pid() == operatorPid ? "operator" : shortName(p);
      if (name != null) {
        out.merge(name, seconds(p.pid()), Double::sum);
      }
    });
    return out;
  }

  /** {@code after - before}, per name, rounded to 0.01 s. */
  public static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> out = new LinkedHashMap<>();
    after.forEach((k, v) -> out.put(k, Math.round((v - before.getOrDefault(k, 0.0)) * 100) / 100.0));
    return out;
  }

  private static String shortName(ProcessHandle p) {
    String cmd = p.info().command().orElse("");
    String base = cmd.substring(cmd.lastIndexOf('/') + 1);
    for (String known : List.of("kube-apiserver", "kube-controller-manager", "etcd")) {
      if (base.equals(known)) {
        return known;
      }
    }
    return base.isEmpty() ? null : base;
  }

  /** utime + stime of a process, or 0 once it is gone. */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces: the fields after it start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg says. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
