package io.mlserving.operator.real;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.desired.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a namespace has settled: every resource of ours Ready for its current generation (a Canary: its rollout
 * over), every generated Deployment rolled out with all replicas ready and reported in its InferenceService's
 * status, every HPA at its desired count. Only then may the operator be expected to send nothing.
 */
final class Convergence {
  private Convergence() {}

  /** What has not settled yet in {@code namespace}, one line each; empty once it has. */
  static List<String> problems(KubernetesClient client, String namespace) {
    List<String> problems = new ArrayList<>();
    for (Class<? extends CustomResource<?, ? extends MlServingStatus>> kind : List.of(InferenceService.class,
        ABTest.class, ShadowTest.class, CircuitBreaker.class)) {
      for (CustomResource<?, ? extends MlServingStatus> r : client.resources(kind).inNamespace(namespace).list()
          .getItems()) {
        String id = r.getKind() + " " + r.getMetadata().getName();
        var ready = RealServerTest.ready(r);
        if (ready.isEmpty() || !"True".equals(ready.get().getStatus())) {
          problems.add(id + " is not Ready: " + ready.map(c -> c.getReason() + ": " + c.getMessage()).orElse("none"));
        } else if (!Objects.equals(r.getStatus().getObservedGeneration(), r.getMetadata().getGeneration())) {
          problems.add(id + " status is for generation " + r.getStatus().getObservedGeneration() + ", not "
              + r.getMetadata().getGeneration());
        }
      }
    }
    // A Canary is Ready only when Promoted; it has settled once its rollout is over (Promoted or RolledBack) for its
    // current generation: until then it writes at every step and check.
    for (Canary c : client.resources(Canary.class).inNamespace(namespace).list().getItems()) {
      String id = "Canary " + c.getMetadata().getName();
      if (c.getStatus() == null || c.getStatus().getPhase() == null || !c.getStatus().getPhase().isFinal()) {
        problems.add(id + " is still rolling out: phase " + (c.getStatus() == null ? null : c.getStatus().getPhase()));
      } else if (!Objects.equals(c.getStatus().getObservedGeneration(), c.getMetadata().getGeneration())) {
        problems.add(id + " status is for generation " + c.getStatus().getObservedGeneration() + ", not "
            + c.getMetadata().getGeneration());
      }
    }
    for (Deployment d : client.apps().deployments().inNamespace(namespace).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .list().getItems()) {
      String id = "Deployment " + d.getMetadata().getName();
      var s = d.getStatus();
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      if (s == null || !Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
          || nz(s.getReplicas()) != want || nz(s.getUpdatedReplicas()) != want || nz(s.getReadyReplicas()) != want
          || nz(s.getAvailableReplicas()) != want) {
        problems.add(id + " has not rolled out " + want + " replicas: " + s);
        continue;
      }
      InferenceService isvc = client.resources(InferenceService.class).inNamespace(namespace)
          .withName(d.getMetadata().getName()).get();
      if (isvc != null && (isvc.getStatus() == null || !Objects.equals(isvc.getStatus().getReadyReplicas(), want)
          || !Objects.equals(isvc.getStatus().getReplicas(), want))) {
        problems.add("InferenceService " + isvc.getMetadata().getName() + " does not report " + want
            + " ready replicas yet");
      }
    }
    for (HorizontalPodAutoscaler hpa : client.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(namespace)
        .list().getItems()) {
      var s = hpa.getStatus();
      Deployment target = client.apps().deployments().inNamespace(namespace)
          .withName(hpa.getSpec().getScaleTargetRef().getName()).get();
      Integer replicas = target == null ? null : target.getSpec().getReplicas();
      if (s == null || !Objects.equals(s.getDesiredReplicas(), s.getCurrentReplicas())
          || !Objects.equals(s.getDesiredReplicas(), replicas)) {
        problems.add("HorizontalPodAutoscaler " + hpa.getMetadata().getName() + " has not settled: desired "
            + (s == null ? null : s.getDesiredReplicas()) + ", current " + (s == null ? null : s.getCurrentReplicas())
            + ", Deployment " + replicas);
      }
    }
    return problems;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
