package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns an exception from a reconcile into one line an SRE can act on. */
public final class ErrorMessages {
  private ErrorMessages() {}

  public static String describe(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof KubernetesClientException)) {
      t = t.getCause();
    }
    String what;
    if (t instanceof KubernetesClientException k) {
      String status = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
          : k.getMessage();
      what = "The API server answered " + (k.getCode() > 0 ? "HTTP " + k.getCode() : "with an error") + ": " + status;
    } else {
      what = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    if (what.length() > 900) {
      what = what.substring(0, 900) + "...";
    }
    return what + " The operator retries with back-off; if this persists, check the operator's RBAC and logs.";
  }
}
