package io.mlserving.operator.reconcile.isvc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.api.v1alpha1.RegistrySpec;
import io.mlserving.operator.desired.AutoscalingApi;
import io.mlserving.operator.desired.Durations;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.registry.ModelResolver;
import io.mlserving.operator.registry.Resolution;
import io.mlserving.operator.status.ModelResolution;
import io.mlserving.operator.desired.DesiredResources;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.desired.Names;
import io.mlserving.operator.reconcile.ErrorMessages;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.OwnedObjects;
import io.mlserving.operator.reconcile.Owners;
import io.mlserving.operator.reconcile.PrimaryCacheAware;
import io.mlserving.operator.reconcile.StatusUpdates;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.InferenceServiceReadiness;
import io.mlserving.operator.status.InferenceServiceReadiness.Verdict;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.validation.Problem;
import io.mlserving.operator.validation.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an InferenceService's Deployment, Service and HorizontalPodAutoscaler as the spec says (and deletes
 * the autoscaler once {@code autoscaling} is removed), and reports readiness, including a failing model loader,
 * in its status. Writes nothing when nothing changed.
 */
@ControllerConfiguration(name = InferenceServiceReconciler.NAME)
public class InferenceServiceReconciler
    implements Reconciler<InferenceService>, PrimaryCacheAware<InferenceService> {
  public static final String NAME = "inferenceservice";
  private static final Logger LOG = LoggerFactory.getLogger(InferenceServiceReconciler.class);
  /** The soonest a registry check is rescheduled: never a hot loop, whatever the clocks say. */
  private static final Duration MIN_RESCHEDULE = Duration.ofSeconds(1);
  static final String OWNED_SELECTOR = Labels.MANAGED_SELECTOR + "," + Labels.OWNER_KIND + "=InferenceService";

  private final OperatorSettings settings;
  private final Clock clock;
  private final EventRecorder events;
  private IndexerResourceCache<InferenceService> primaries;
  private final Optional<AutoscalingApi> autoscaling;
  /** The Deployment, Service and (when the cluster serves the API) HorizontalPodAutoscaler informers. */
  private final OwnedObjects<InferenceService> owned = new OwnedObjects<>();
  private InformerEventSource<Pod, InferenceService> pods;
  private final ModelResolver resolver;

  /**
   * @param autoscaling the HorizontalPodAutoscaler version the cluster serves; empty when it serves none
   * @param resolver resolves models:/ URIs (shared answers, polled aliases)
   */
  public InferenceServiceReconciler(OperatorSettings settings, Optional<AutoscalingApi> autoscaling, Clock clock,
      EventRecorder events, ModelResolver resolver) {
    this.settings = settings;
    this.autoscaling = autoscaling;
    this.clock = clock;
    this.events = events;
    this.resolver = resolver;
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
    List<EventSource<?, InferenceService>> sources = new ArrayList<>();
    for (Class<? extends HasMetadata> type : ownedTypes()) {
      InformerEventSource<? extends HasMetadata, InferenceService> informer = owned(type, ctx);
      owned.add(HasMetadata.getKind(type), informer);
      sources.add(informer);
    }
    SecondaryToPrimaryMapper<Pod> podToIsvc = pod -> {
      Map<String, String> labels = pod.getMetadata().getLabels();
      String owner = labels == null ? null : labels.get(Labels.INFERENCE_SERVICE);
      return owner == null ? Set.of() : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
    };
    pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, InferenceService.class)
        .withName("inferenceservice-pods")
        .withLabelSelector(Labels.INFERENCE_SERVICE)
        .withSecondaryToPrimaryMapper(podToIsvc)
        // A pod event matters only when the pod is or was in trouble (a failing loader, a crash-looping or
        // unpullable predictor): readiness comes from the Deployment's events. This spares the reconciles of
        // every healthy pod's create, scheduling and status updates.
        .withOnAddFilter(InferenceServiceReadiness::troubled)
        .withOnUpdateFilter((now, before) -> InferenceServiceReadiness.troubled(now)
            || InferenceServiceReadiness.troubled(before))
        .withOnDeleteFilter((pod, unknown) -> InferenceServiceReadiness.troubled(pod))
        .build(), ctx);
    sources.add(pods);
    sources.add(owned.forgetDeleted("inferenceservice-forget-deleted"));
    return sources;
  }

  private List<Class<? extends HasMetadata>> ownedTypes() {
    List<Class<? extends HasMetadata>> types = new ArrayList<>(List.of(Deployment.class, Service.class));
    autoscaling.ifPresent(api -> types.add(api.horizontalPodAutoscalerClass()));
    return types;
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
    InferenceServiceStatus next = baseStatus(isvc);

    List<Problem> problems = Validation.validate(isvc);
    if (!problems.isEmpty()) {
      // Admission was bypassed (or the CRD is outdated): say so once, generate nothing, do not retry.
      String message = "The spec is invalid, nothing was generated: "
          + problems.stream().map(Problem::toString).collect(Collectors.joining("; "))
          + ". Fix the resource (kubectl apply the corrected YAML); check that the installed CRD is current.";
      LOG.warn("InferenceService {}/{} is invalid: {}", isvc.getMetadata().getNamespace(),
          isvc.getMetadata().getName(), problems);
      ready(next, isvc, new Verdict(Conditions.FALSE, Reason.InvalidSpec.name(), message));
      return StatusUpdates.patchIfChanged(isvc, next, ctx, events);
    }

    // A models:/ URI: resolve it (or keep the pinned version), and apply only once a version is pinned.
    Optional<ModelResolution.Outcome> registry = Optional.empty();
    Optional<Instant> nextCheck = Optional.empty();
    InferenceService view = isvc;
    if (isvc.getSpec().getModel() != null) {
      Optional<ModelUri> uri = ModelUri.parse(isvc.getSpec().getModel().getStorageUri());
      if (uri.isPresent()) {
        RegistryLookup lookup = lookUp(isvc, uri.get());
        nextCheck = lookup.nextCheck();
        ModelResolution.Outcome outcome = ModelResolution.next(isvc, lookup.url(), lookup.resolution(),
            clock.instant());
        registry = Optional.of(outcome);
        next.setModel(outcome.model());
        next.setConditions(Conditions.put(next.getConditions(), outcome.condition(), clock.instant()));
        if (!outcome.pinned()) {
          // Nothing to serve yet: create nothing (and leave alone what a previous spec created), say why.
          ready(next, isvc, outcome.ready().orElseThrow());
          next.setReplicas(isvc.getStatus() == null ? null : isvc.getStatus().getReplicas());
          next.setReadyReplicas(isvc.getStatus() == null ? null : isvc.getStatus().getReadyReplicas());
          UpdateControl<InferenceService> control = StatusUpdates.patchIfChanged(isvc, next, ctx, events);
          recordNotes(ctx, isvc, outcome);
          return reschedule(control, nextCheck);
        }
        // What is applied follows the status about to be written (the version pinned), through the same
        // desired-state code as render, which has no status and prints the URI unresolved.
        view = new InferenceService();
        view.setMetadata(isvc.getMetadata());
        view.setSpec(isvc.getSpec());
        view.setStatus(next);
      }
    }
    if (registry.isEmpty()) {
      next.setModel(null);
      next.setConditions(Conditions.remove(next.getConditions(), ModelResolution.CONDITION));
    }

    // The same desired-state entry point as render: what render prints is what is applied. It is computed from
    // the resource's uid and spec (its generation) and the version pinned in status, besides fixed settings;
    // when none of these nor the generated objects changed since a sync that wrote nothing, it is skipped.
    InferenceService from = view;
    List<Object> inputs = Arrays.asList(isvc.getMetadata().getUid(), isvc.getMetadata().getGeneration(),
        view.getStatus() == null || view.getStatus().getModel() == null ? null
            : Serialization.jsonMapper().valueToTree(view.getStatus().getModel()));
    List<HasMetadata> applied = owned.syncUnlessSame(isvc, inputs, () -> DesiredResources.of(from,
        settings.loaderImages(), new DesiredResources.Apis(Optional.empty(), autoscaling), Map.of()),
        ctx.getClient());
    Deployment deployment = applied.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .findFirst().orElseThrow();

    Set<Pod> ownPods = pods.getSecondaryResources(isvc);
    Verdict verdict = isvc.getSpec().getAutoscaling() != null && autoscaling.isEmpty()
        ? InferenceServiceReadiness.autoscalingUnavailable(isvc)
        : InferenceServiceReadiness.verdict(isvc, Optional.of(deployment), ownPods);
    if (registry.isPresent() && registry.get().ready().isPresent()) {
      // The pinned version keeps serving, but the model the spec names is missing or unusable: Ready says so.
      verdict = registry.get().ready().get();
    }
    if (deployment.getStatus() != null) {
      next.setReplicas(deployment.getStatus().getReplicas() == null ? 0 : deployment.getStatus().getReplicas());
      next.setReadyReplicas(
          deployment.getStatus().getReadyReplicas() == null ? 0 : deployment.getStatus().getReadyReplicas());
    } else {
      next.setReplicas(0);
      next.setReadyReplicas(0);
    }
    // Only a Progressing verdict can be held back; the stamps are not parsed for the others.
    Optional<Instant> lastProgress = Reason.Progressing.name().equals(verdict.reason())
        ? InferenceServiceReadiness.lastProgress(Optional.of(deployment), ownPods) : Optional.empty();
    Optional<Duration> holdBack = InferenceServiceReadiness.firstStatusDelay(isvc, verdict,
        settings.firstStatusGrace(), clock.instant(), lastProgress);
    if (holdBack.isPresent()) {
      // The Deployment's events bring the next reconcile sooner when it becomes available.
      return UpdateControl.<InferenceService>noUpdate().rescheduleAfter(holdBack.get());
    }
    ready(next, isvc, verdict);
    Optional<Duration> progressHold = InferenceServiceReadiness.progressDelay(isvc, next,
        settings.firstStatusGrace(), clock.instant(), lastProgress);
    if (progressHold.isPresent()) {
      // Shown Progressing already, and the rollout keeps moving: its next step, or Ready, comes with the next event.
      return reschedule(UpdateControl.<InferenceService>noUpdate().rescheduleAfter(progressHold.get()),
          nextCheck.filter(c -> c.isBefore(clock.instant().plus(progressHold.get()))));
    }
    UpdateControl<InferenceService> control = StatusUpdates.patchIfChanged(isvc, next, ctx, events);
    // After the status write: a failed write is retried, and the retry decides (and records) again.
    registry.ifPresent(o -> recordNotes(ctx, isvc, o));
    return reschedule(control, nextCheck);
  }

  /** The registry asked, and its answer (none needed for a fixed version pinned by the same registry). */
  private record RegistryLookup(String url, Optional<Resolution> resolution, Optional<Instant> nextCheck) {}

  private RegistryLookup lookUp(InferenceService isvc, ModelUri uri) {
    RegistrySpec spec = isvc.getSpec().getModel().getRegistry();
    String url = spec != null && spec.getUrl() != null ? spec.getUrl() : settings.mlflowTrackingUri();
    if (url == null) {
      return new RegistryLookup(null, Optional.empty(), Optional.empty());
    }
    Optional<ModelStatus> pin = InferenceServiceResources.pinned(isvc);
    if (!uri.isAlias() && pin.isPresent() && url.equals(pin.get().getRegistryUrl())) {
      // A version never moves: pinned once, it is not asked again (nor after a restart).
      return new RegistryLookup(url, Optional.empty(), Optional.empty());
    }
    Duration interval = Durations.parse(spec != null && spec.getPollInterval() != null
        ? spec.getPollInterval() : RegistrySpec.DEFAULT_POLL_INTERVAL);
    ModelResolver.Result r = resolver.resolve(url, uri, interval, pin);
    return new RegistryLookup(url, Optional.of(r.resolution()), r.nextCheck());
  }

  private void recordNotes(Context<InferenceService> ctx, InferenceService isvc, ModelResolution.Outcome outcome) {
    for (ModelResolution.Note n : outcome.notes()) {
      events.record(ctx.getClient(), isvc, n.type(), n.reason(), n.note());
    }
  }

  /** {@code control}, rescheduled at the next registry check (no sooner than a second from now). */
  private UpdateControl<InferenceService> reschedule(UpdateControl<InferenceService> control,
      Optional<Instant> nextCheck) {
    if (nextCheck.isEmpty()) {
      return control;
    }
    Duration in = Duration.between(clock.instant(), nextCheck.get());
    return control.rescheduleAfter(in.compareTo(MIN_RESCHEDULE) < 0 ? MIN_RESCHEDULE : in);
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
    ready(next, isvc, new Verdict(Conditions.FALSE, Reason.ReconcileError.name(), ErrorMessages.describe(e)));
    return StatusUpdates.errorPatchIfChanged(isvc, next, ctx, events);
  }

  private InferenceServiceStatus baseStatus(InferenceService isvc) {
    InferenceServiceStatus next = new InferenceServiceStatus();
    next.setUrl(Names.url(isvc.getMetadata().getName(), isvc.getMetadata().getNamespace()));
    next.setObservedGeneration(isvc.getMetadata().getGeneration());
    next.setConditions(isvc.getStatus() == null ? List.of() : isvc.getStatus().getConditions());
    // The pinned version is kept through an invalid spec or a failed write: it is what the Deployment serves.
    next.setModel(isvc.getStatus() == null ? null : isvc.getStatus().getModel());
    return next;
  }

  private void ready(InferenceServiceStatus next, InferenceService isvc, Verdict verdict) {
    next.setConditions(Conditions.put(next.getConditions(), Conditions.of(Conditions.READY, verdict.status(),
        verdict.reason(), verdict.message(), isvc.getMetadata().getGeneration()), clock.instant()));
  }
}
