package io.mlserving.operator.reconcile.isvc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceStatus;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.desired.Names;
import io.mlserving.operator.reconcile.ChildApplier;
import io.mlserving.operator.reconcile.ErrorMessages;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.Owners;
import io.mlserving.operator.reconcile.PrimaryCacheAware;
import io.mlserving.operator.reconcile.StatusUpdates;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.InferenceServiceReadiness;
import io.mlserving.operator.status.InferenceServiceReadiness.Verdict;
import io.mlserving.operator.status.Reasons;
import io.mlserving.operator.validation.Problem;
import io.mlserving.operator.validation.Validation;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an InferenceService's Deployment, Service and HorizontalPodAutoscaler as the spec says, and reports
 * readiness, including a failing model loader, in its status. Writes nothing when nothing changed.
 */
@ControllerConfiguration(name = InferenceServiceReconciler.NAME)
public class InferenceServiceReconciler
    implements Reconciler<InferenceService>, PrimaryCacheAware<InferenceService> {
  public static final String NAME = "inferenceservice";
  private static final Logger LOG = LoggerFactory.getLogger(InferenceServiceReconciler.class);
  static final String OWNED_SELECTOR = Labels.MANAGED_SELECTOR + "," + Labels.OWNER_KIND + "=InferenceService";

  private final OperatorSettings settings;
  private final Clock clock;
  private final EventRecorder events;
  private IndexerResourceCache<InferenceService> primaries;
  private InformerEventSource<Deployment, InferenceService> deployments;
  private InformerEventSource<Service, InferenceService> services;
  private InformerEventSource<HorizontalPodAutoscaler, InferenceService> autoscalers;
  private InformerEventSource<Pod, InferenceService> pods;

  public InferenceServiceReconciler(OperatorSettings settings, Clock clock, EventRecorder events) {
    this.settings = settings;
    this.clock = clock;
    this.events = events;
  }

  @Override
  public String kind() {
    return "InferenceService";
  }

  @Override
  public Optional<IndexerResourceCache<InferenceService>> primaryCache() {
    return Optional.ofNullable(primaries);
  }

  @Override
  public List<EventSource<?, InferenceService>> prepareEventSources(EventSourceContext<InferenceService> ctx) {
    primaries = ctx.getPrimaryCache();
    deployments = owned(Deployment.class, ctx);
    services = owned(Service.class, ctx);
    autoscalers = owned(HorizontalPodAutoscaler.class, ctx);
    SecondaryToPrimaryMapper<Pod> podToIsvc = pod -> {
      Map<String, String> labels = pod.getMetadata().getLabels();
      String owner = labels == null ? null : labels.get(Labels.INFERENCE_SERVICE);
      return owner == null ? Set.of() : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
    };
    pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, InferenceService.class)
        .withName("inferenceservice-pods")
        .withLabelSelector(Labels.INFERENCE_SERVICE)
        .withSecondaryToPrimaryMapper(podToIsvc)
        .build(), ctx);
    return List.of(deployments, services, autoscalers, pods);
  }

  private static <R extends HasMetadata> InformerEventSource<R, InferenceService> owned(Class<R> type,
      EventSourceContext<InferenceService> ctx) {
    SecondaryToPrimaryMapper<R> byOwnerLabel = r -> Owners.of(r, "InferenceService");
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, InferenceService.class)
        .withName("inferenceservice-" + type.getSimpleName().toLowerCase())
        .withLabelSelector(OWNED_SELECTOR)
        .withSecondaryToPrimaryMapper(byOwnerLabel)
        .build(), ctx);
  }

  @Override
  public UpdateControl<InferenceService> reconcile(InferenceService isvc, Context<InferenceService> ctx) {
    String name = isvc.getMetadata().getName();
    String namespace = isvc.getMetadata().getNamespace();
    InferenceServiceStatus next = baseStatus(isvc);

    List<Problem> problems = Validation.validate(isvc);
    if (!problems.isEmpty()) {
      // Admission was bypassed (or the CRD is outdated): say so once, generate nothing, do not retry.
      String message = "The spec is invalid, nothing was generated: "
          + problems.stream().map(Problem::toString).collect(Collectors.joining("; "))
          + ". Fix the resource (kubectl apply the corrected YAML); check that the installed CRD is current.";
      LOG.warn("InferenceService {}/{} is invalid: {}", namespace, name, problems);
      ready(next, isvc, new Verdict(Conditions.FALSE, Reasons.INVALID_SPEC, message));
      return StatusUpdates.patchIfChanged(isvc, next, ctx, events);
    }

    ChildApplier applier = new ChildApplier(ctx.getClient());
    Deployment deployment = applier.apply(InferenceServiceResources.deployment(isvc, settings.loaderImages()),
        cached(deployments, name, namespace), deployments, isvc);
    applier.apply(InferenceServiceResources.service(isvc), cached(services, name, namespace), services, isvc);
    Optional<HorizontalPodAutoscaler> desiredHpa = InferenceServiceResources.horizontalPodAutoscaler(isvc);
    Optional<HorizontalPodAutoscaler> actualHpa = cached(autoscalers, name, namespace);
    if (desiredHpa.isPresent()) {
      applier.apply(desiredHpa.get(), actualHpa, autoscalers, isvc);
    } else if (actualHpa.isPresent()) {
      applier.delete(actualHpa.get());
    }

    Set<Pod> ownPods = pods.getSecondaryResources(isvc);
    Verdict verdict = InferenceServiceReadiness.verdict(isvc, Optional.of(deployment), ownPods);
    if (deployment.getStatus() != null) {
      next.setReplicas(deployment.getStatus().getReplicas() == null ? 0 : deployment.getStatus().getReplicas());
      next.setReadyReplicas(
          deployment.getStatus().getReadyReplicas() == null ? 0 : deployment.getStatus().getReadyReplicas());
    } else {
      next.setReplicas(0);
      next.setReadyReplicas(0);
    }
    ready(next, isvc, verdict);
    return StatusUpdates.patchIfChanged(isvc, next, ctx, events);
  }

  @Override
  public ErrorStatusUpdateControl<InferenceService> updateErrorStatus(InferenceService isvc,
      Context<InferenceService> ctx, Exception e) {
    LOG.warn("Reconciling InferenceService {}/{} failed: {}", isvc.getMetadata().getNamespace(),
        isvc.getMetadata().getName(), ErrorMessages.describe(e));
    InferenceServiceStatus next = baseStatus(isvc);
    if (isvc.getStatus() != null) {
      next.setReplicas(isvc.getStatus().getReplicas());
      next.setReadyReplicas(isvc.getStatus().getReadyReplicas());
    }
    ready(next, isvc, new Verdict(Conditions.FALSE, Reasons.RECONCILE_ERROR, ErrorMessages.describe(e)));
    return StatusUpdates.errorPatchIfChanged(isvc, next, ctx, events);
  }

  private InferenceServiceStatus baseStatus(InferenceService isvc) {
    InferenceServiceStatus next = new InferenceServiceStatus();
    next.setUrl(Names.url(isvc.getMetadata().getName(), isvc.getMetadata().getNamespace()));
    next.setObservedGeneration(isvc.getMetadata().getGeneration());
    next.setConditions(isvc.getStatus() == null ? List.of() : isvc.getStatus().getConditions());
    return next;
  }

  private void ready(InferenceServiceStatus next, InferenceService isvc, Verdict verdict) {
    next.setConditions(Conditions.put(next.getConditions(), Conditions.of(Conditions.READY, verdict.status(),
        verdict.reason(), verdict.message(), isvc.getMetadata().getGeneration()), clock.instant()));
  }

  private static <R extends HasMetadata> Optional<R> cached(InformerEventSource<R, InferenceService> source,
      String name, String namespace) {
    return source.get(new ResourceID(name, namespace));
  }
}
