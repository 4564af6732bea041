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
    if (t instanceof KubernetesClientException k && k.getCode() > 0) {
      String status = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
          : k.getMessage();
      what = "The API server answered HTTP " + k.getCode() + ": " + status;
    } else if (t instanceof KubernetesClientException k) {
      // No HTTP answer at all: say why (a timeout, a refused connection), which only the cause tells.
      Throwable root = k;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      boolean timeout = root instanceof java.net.http.HttpTimeoutException
          || root instanceof java.util.concurrent.TimeoutException
          || root instanceof java.net.SocketTimeoutException;
      what = (timeout ? "The request to the API server timed out: " : "The request to the API server failed: ")
          + k.getMessage() + (root == k ? "" : " (" + root.getClass().getSimpleName()
              + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")");
    } else {
      what = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    if (what.length() > 900) {
      what = what.substring(0, 900) + "...";
    }
    return what + " The operator retries with back-off; if this persists, check the operator's RBAC and logs.";
  }
}
