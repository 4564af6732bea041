package io.mlserving.bench.real;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mlserving.bench.Handlers;
import io.mlserving.operator.desired.Labels;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A second stopwatch, on the Deployments both operators generate (label {@code app.kubernetes.io/managed-by:
 * mlserving-operator}, the InferenceService's name and namespace): when each one's rollout of a given predictor
 * image was first seen complete as {@code kubectl rollout status} judges it (the controller observed the
 * generation; every replica updated, none old left, every updated one available). It tells the controllers'
 * share of a phase from the operator's, and whether an operator called a resource Ready before its rollout
 * was complete.
 */
public final class RolloutTracker implements AutoCloseable {
  /** The predictor container's name in both operators' Deployments. */
  static final String PREDICTOR = "predictor";

  private final Map<String, Long> complete = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Deployment> informer;

  /** Starts informing on the managed Deployments of every namespace with {@code client}. */
  public RolloutTracker(KubernetesClient client) {
    informer = client.apps().deployments().inAnyNamespace()
        .withLabel(Labels.MANAGED_BY, Labels.OPERATOR).inform(Handlers.addedOrUpdated(this::seen));
  }

  private void seen(Deployment d) {
    long now = System.nanoTime();
    String image = image(d);
    if (image != null && rolledOut(d)) {
      complete.putIfAbsent(key(d.getMetadata().getNamespace(), d.getMetadata().getName(), image), now);
    }
  }

  /** kubectl rollout status's "successfully rolled out". */
  static boolean rolledOut(Deployment d) {
    DeploymentStatus s = d.getStatus();
    Long generation = d.getMetadata().getGeneration();
    if (s == null || generation == null || s.getObservedGeneration() == null
        || s.getObservedGeneration() < generation) {
      return false;
    }
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated = nz(s.getUpdatedReplicas());
    return updated >= want && nz(s.getReplicas()) <= updated && nz(s.getAvailableReplicas()) >= updated;
  }

  private static String image(Deployment d) {
    if (d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null) {
      return null;
    }
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> PREDICTOR.equals(c.getName())).map(c -> c.getImage()).filter(Objects::nonNull)
        .findFirst().orElse(null);
  }

  /**
   * When the Deployment {@code namespace/name} was first seen rolled out with {@code image} (System.nanoTime);
   * null if not yet.
   */
  public Long completeAt(String namespace, String name, String image) {
    return complete.get(key(namespace, name, image));
  }

  private static String key(String namespace, String name, String image) {
    return namespace + "/" + name + "@" + image;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  @Override
  public void close() {
    informer.close();
  }
}
