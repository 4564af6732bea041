package io.mlserving.operator.desired;

/** Cluster DNS names of Services. */
public final class Names {
  public static final String CLUSTER_DOMAIN = "svc.cluster.local";

  private Names() {}

  /** {@code <service>.<namespace>.svc.cluster.local}. */
  public static String fqdn(String service, String namespace) {
    return service + "." + namespace + "." + CLUSTER_DOMAIN;
  }

  /** {@code http://<service>.<namespace>.svc.cluster.local}. */
  public static String url(String service, String namespace) {
    return "http://" + fqdn(service, namespace);
  }
}
