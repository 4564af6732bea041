package io.mlserving.operator.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * This replica's name in the leader Lease and in Events ({@code reportingInstance}): the pod name ({@code POD_NAME},
 * set by the chart) in a pod; elsewhere the host name plus a random suffix, as client-go does, so that two processes
 * on one host (or on hosts without a name) never share an identity and never both believe they hold the Lease.
 */
public final class Identity {
  public static final String ENV_POD_NAME = "POD_NAME";
  /** The letters of Kubernetes' generated name suffixes: no vowels (no words), no look-alikes. */
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int SUFFIX_LENGTH = 8;
  /** Event reportingInstance allows 128 characters; leave room for the suffix. */
  private static final int MAX_HOST_LENGTH = 100;

  private Identity() {}

  /** The identity of this process, from its environment and host name. */
  public static String ofThisProcess() {
    return of(System::getenv, Identity::hostName, ThreadLocalRandom.current());
  }

  /** {@code POD_NAME} if set; else {@code hostName} (or "mlserving-operator") + "-" + a random suffix. */
  public static String of(Function<String, String> env, Supplier<String> hostName, RandomGenerator random) {
    String pod = env.apply(ENV_POD_NAME);
    if (pod != null && !pod.isBlank()) {
      return pod.trim();
    }
    String host = hostName.get();
    host = host == null || host.isBlank() ? "mlserving-operator" : host.trim().toLowerCase(Locale.ROOT);
    if (host.length() > MAX_HOST_LENGTH) {
      host = host.substring(0, MAX_HOST_LENGTH);
    }
    StringBuilder id = new StringBuilder(host).append('-');
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  /** {@code HOSTNAME} if exported, else the name the system reports, else null. */
  static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
