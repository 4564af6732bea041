package io.mlserving.operator.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Utils;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import java.util.List;

/**
 * The Kubernetes client of the {@code run} command: the current kubeconfig (or the in-cluster service account),
 * with a serialization that knows our kinds and leaves out every object's {@code metadata.managedFields}, and the
 * API server's request timeout.
 *
 * <p>Watch events of a kind the serialization does not know are read as generic resources and then converted to
 * our class, a second full pass over every InferenceService event; known, they are read once.
 *
 * <p>The operator never reads managedFields (the API server computes server-side apply from its own copy, and
 * {@link io.mlserving.operator.reconcile.Matcher} compares values), yet they are the largest part of what its
 * informers receive: for a generated Deployment, the field set of every manager is about as long as the spec,
 * and every status update by the Deployment controller brings the whole object again. Skipping them while
 * reading each watch event saves a good part of the operator's CPU on a busy cluster, and the memory of the
 * caches. Writing is unaffected: server-side apply never sends managedFields, and an update that omits them
 * leaves them as they are on the server (the API server keeps the live object's managedFields then).
 */
public final class OperatorClient {
  private OperatorClient() {}

  /**
   * How long a request may take, unless {@code KUBERNETES_REQUEST_TIMEOUT} (milliseconds) says otherwise: the API
   * server's own limit for a request (its {@code --request-timeout}, 60 s by default), not fabric8's 10 s. On a
   * busy API server a write can wait longer than 10 s in its queue (a burst of Service creates queues for their
   * ClusterIPs), and a client that gives up sooner gets an error for a write that is still being made, and
   * sends it again.
   */
  static final int REQUEST_TIMEOUT_MS = 60_000;

  /** A new client; the caller closes it. */
  public static KubernetesClient create() {
    return new KubernetesClientBuilder().withConfig(config(Config.autoConfigure(null),
        Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_REQUEST_TIMEOUT_SYSTEM_PROPERTY) != null))
        .withKubernetesSerialization(serialization()).build();
  }

  /** {@code config} with the operator's request timeout, unless one was {@code configured}. */
  static Config config(Config config, boolean configured) {
    if (!configured) {
      config.setRequestTimeout(REQUEST_TIMEOUT_MS);
    }
    return config;
  }

  /**
   * The client's serialization: fabric8's own, on a mapper that ignores managedFields both ways, with our five
   * kinds registered.
   */
  static KubernetesSerialization serialization() {
    ObjectMapper mapper = new ObjectMapper().addMixIn(ObjectMeta.class, WithoutManagedFields.class);
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
    for (Class<? extends KubernetesResource> kind : List.of(InferenceService.class, ABTest.class, ShadowTest.class,
        CircuitBreaker.class, Canary.class)) {
      serialization.registerKubernetesResource(kind);
    }
    return serialization;
  }

  @JsonIgnoreProperties({"managedFields"})
  private abstract static class WithoutManagedFields {}
}
