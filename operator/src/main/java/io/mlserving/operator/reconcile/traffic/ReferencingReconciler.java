package io.mlserving.operator.reconcile.traffic;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.analysis.LiveAnalysis;
import io.mlserving.operator.status.AnalysisEvents;
import io.mlserving.operator.status.LiveStatus;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.MlServingStatus;
import io.mlserving.operator.desired.DesiredResources;
import io.mlserving.operator.desired.IstioApi;
import io.mlserving.operator.desired.Labels;
import io.mlserving.operator.reconcile.OwnedObjects;
import io.mlserving.operator.reconcile.ErrorMessages;
import io.mlserving.operator.reconcile.EventRecorder;
import io.mlserving.operator.reconcile.Owners;
import io.mlserving.operator.reconcile.PrimaryCacheAware;
import io.mlserving.operator.reconcile.SharedInformers;
import io.mlserving.operator.reconcile.StatusUpdates;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.validation.CrossChecks;
import io.mlserving.operator.validation.Problem;
import io.mlserving.operator.validation.Validation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ABTest, ShadowTest and CircuitBreaker share: they reference InferenceServices, claim a host (or a
 * target) exclusively in their namespace, and generate Istio objects. References and claims are re-checked
 * whenever a referenced InferenceService or a rival claimant changes (informers, no polling); a missing
 * reference or a lost claim gives Ready=False and generates nothing new.
 */
public abstract class ReferencingReconciler<P extends CustomResource<?, S>, S extends MlServingStatus>
    implements Reconciler<P>, PrimaryCacheAware<P> {
  private static final Logger LOG = LoggerFactory.getLogger(ReferencingReconciler.class);

  private final Class<P> type;
  private final List<Class<? extends HasMetadata>> rivalTypes;
  protected final Optional<IstioApi> istioApi;
  protected final Clock clock;
  private final EventRecorder events;
  private IndexerResourceCache<P> primaryCache;
  /** Live analysis, when the operator runs it; null otherwise. */
  private LiveAnalysis live;
  /**
   * Set by the first reconcile: the informers run, so their caches can be read (before the operator starts, and on
   * a stand-by replica without the Lease, they cannot, and live analysis has nothing to refresh).
   */
  private volatile boolean reconciling;
  /** Triggers the reconcile of a resource whose shown analysis changed. */
  private SimpleInboundEventSource<P> analysisTrigger;

  /** The InferenceServices of every namespace watched, and the claimants of hosts: one watch each, shared. */
  private final SharedInformers shared;
  private SharedInformers.Source<InferenceService, P> inferenceServices;
  private final List<SharedInformers.Source<? extends HasMetadata, P>> rivals = new ArrayList<>();
  /** What this kind generates (apex Service, VirtualService or DestinationRule), seen through its informers. */
  private final OwnedObjects<P> owned = new OwnedObjects<>();

  protected ReferencingReconciler(Class<P> type, List<Class<? extends HasMetadata>> rivalTypes,
      Optional<IstioApi> istioApi, Clock clock, EventRecorder events, SharedInformers shared) {
    this.type = type;
    this.shared = shared;
    this.events = events;
    this.rivalTypes = rivalTypes;
    this.istioApi = istioApi;
    this.clock = clock;
  }

  /** The kind's status with its own fields (host, url, weights) filled from the spec. */
  protected abstract S newStatus(P resource);

  /** The Istio kind this generates: VirtualService or DestinationRule. */
  protected abstract String istioKind();

  /** Whether it generates an apex Service. */
  protected abstract boolean generatesService();

  /** The Ready message once everything is in place. */
  protected abstract String readyMessage(P resource);

  @Override
  public String kind() {
    return HasMetadata.getKind(type);
  }

  @Override
  public Optional<IndexerResourceCache<P>> primaryCache() {
    return Optional.ofNullable(primaryCache);
  }

  @Override
  public List<EventSource<?, P>> prepareEventSources(EventSourceContext<P> ctx) {
    IndexerResourceCache<P> primaries = ctx.getPrimaryCache();
    primaryCache = primaries;
    List<EventSource<?, P>> sources = new ArrayList<>();
    inferenceServices = shared.source(InferenceService.class, kind().toLowerCase() + "-inferenceservices",
        isvc -> ids(primaries.list(isvc.getMetadata().getNamespace(),
            p -> CrossChecks.references(p).containsValue(isvc.getMetadata().getName())
                || CrossChecks.host(p).map(isvc.getMetadata().getName()::equals).orElse(false))));
    sources.add(inferenceServices);
    for (Class<? extends HasMetadata> rival : rivalTypes) {
      SharedInformers.Source<? extends HasMetadata, P> source = rivalSource(rival, primaries);
      rivals.add(source);
      sources.add(source);
    }
    String selector = Labels.MANAGED_SELECTOR + "," + Labels.OWNER_KIND + "=" + kind();
    if (generatesService()) {
      InformerEventSource<Service, P> services = new InformerEventSource<>(InformerEventSourceConfiguration
          .from(Service.class, type)
          .withName(kind().toLowerCase() + "-services")
          .withLabelSelector(selector)
          .withSecondaryToPrimaryMapper(s -> Owners.of(s, kind()))
          .build(), ctx);
      owned.add("Service", services);
      sources.add(services);
    }
    if (istioApi.isPresent()) {
      GroupVersionKind gvk = new GroupVersionKind(IstioApi.GROUP, istioApi.get().version(), istioKind());
      InformerEventSource<GenericKubernetesResource, P> istioObjects = new InformerEventSource<>(
          InformerEventSourceConfiguration.from(gvk, type)
          .withName(kind().toLowerCase() + "-" + istioKind().toLowerCase() + "s")
          .withLabelSelector(selector)
          .withSecondaryToPrimaryMapper(o -> Owners.of(o, kind()))
          .build(), ctx);
      owned.add(istioKind(), istioObjects);
      sources.add(istioObjects);
    }
    analysisTrigger = new SimpleInboundEventSource<>(kind().toLowerCase() + "-analysis");
    sources.add(analysisTrigger);
    return sources;
  }

  /**
   * An informer on a kind whose resources may claim the same host: a change re-checks the other claimants of
   * its claim, and the resources that lost a claim before (HostConflict), since the change may have freed the
   * host they want (the informer sees only the new claim, not the one it gave up).
   */
  private <R extends HasMetadata> SharedInformers.Source<R, P> rivalSource(Class<R> rival,
      IndexerResourceCache<P> primaries) {
    return shared.source(rival, kind().toLowerCase() + "-rival-" + HasMetadata.getKind(rival).toLowerCase(), r -> {
      Optional<String> claim = CrossChecks.claim(r);
      return ids(primaries.list(r.getMetadata().getNamespace(), p -> !sameObject(p, r)
          && ((claim.isPresent() && claim.equals(CrossChecks.claim(p))) || inHostConflict(p))));
    });
  }

  private static boolean inHostConflict(CustomResource<?, ? extends MlServingStatus> resource) {
    return resource.getStatus() != null && Conditions.find(resource.getStatus().getConditions(), Conditions.READY)
        .map(c -> Reason.HostConflict.name().equals(c.getReason())).orElse(false);
  }

  @Override
  public UpdateControl<P> reconcile(P resource, Context<P> ctx) {
    reconciling = true;
    String namespace = resource.getMetadata().getNamespace();
    S next = newStatus(resource);
    next.setObservedGeneration(resource.getMetadata().getGeneration());
    next.setConditions(resource.getStatus() == null ? List.of() : resource.getStatus().getConditions());

    List<Problem> problems = Validation.validate(resource);
    if (!problems.isEmpty()) {
      LOG.warn("{} {}/{} is invalid: {}", kind(), namespace, resource.getMetadata().getName(), problems);
      return notReady(resource, next, ctx, Reason.InvalidSpec.name(), "The spec is invalid, nothing was generated: "
          + join(problems) + ". Fix the resource; check that the installed CRD is current.");
    }
    if (istioApi.isEmpty()) {
      return notReady(resource, next, ctx, Reason.IstioNotInstalled.name(), "The cluster serves no networking.istio.io"
          + " VirtualService or DestinationRule API: install Istio, then restart the operator.");
    }
    Map<String, InferenceService> isvcs = inferenceServices.list(namespace, x -> true)
        .collect(Collectors.toMap(i -> i.getMetadata().getName(), Function.identity(), (a, b) -> a));
    List<Problem> missing = CrossChecks.missingReferences(resource, isvcs.keySet());
    if (!missing.isEmpty()) {
      return notReady(resource, next, ctx, Reason.InferenceServiceNotFound.name(), join(missing)
          + ". Create it or fix the reference; this " + kind() + " recovers by itself when it appears.");
    }
    List<HasMetadata> claimants = new ArrayList<>();
    for (SharedInformers.Source<? extends HasMetadata, P> rival : rivals) {
      rival.list(namespace, x -> true).forEach(claimants::add);
    }
    Optional<Problem> conflict = CrossChecks.conflict(resource, claimants, isvcs.keySet());
    if (conflict.isPresent()) {
      // The host is another's: what this resource generated for a host it held before goes, so that it
      // neither keeps routing a host its spec no longer names nor blocks the next claimant of that host.
      owned.sync(resource, List.of(), ctx.getClient());
      return notReady(resource, next, ctx, Reason.HostConflict.name(), conflict.get().toString()
          + ". Nothing was generated for this " + kind() + "; it takes over by itself once the other is gone.");
    }

    return applyAndReport(resource, next, isvcs, ctx);
  }

  /**
   * With the references found and the host held: applies what the resource generates and reports Ready (True once
   * every referenced InferenceService is Ready). The Canary overrides it to drive its rollout.
   */
  protected UpdateControl<P> applyAndReport(P resource, S next, Map<String, InferenceService> isvcs,
      Context<P> ctx) {
    // The same desired-state code as render; loader images matter only to InferenceServices.
    syncOwned(resource, DesiredResources.of(resource, null, DesiredResources.Apis.of(istioApi.get()), isvcs), ctx);

    List<String> waiting = new ArrayList<>();
    for (String name : new LinkedHashSet<>(CrossChecks.references(resource).values())) {
      InferenceService isvc = isvcs.get(name);
      if (!isReady(isvc)) {
        waiting.add("InferenceService " + name + " is not Ready (" + whyNotReady(isvc) + ")");
      }
    }
    if (!waiting.isEmpty()) {
      return notReady(resource, next, ctx, Reason.Progressing.name(), "Routing is applied; waiting: "
          + String.join("; ", waiting) + ".");
    }
    put(next, resource, Conditions.TRUE, Reason.Ready.name(), readyMessage(resource));
    return write(resource, next, ctx);
  }

  /**
   * Writes {@code next} when it differs from the status the resource has, with the live analysis (when on for it)
   * put in first: analysis informs and never changes Ready, so it rides along with whatever verdict {@code next}
   * carries. Records the Events of Ready's transitions and of the analysis conditions'.
   */
  protected UpdateControl<P> write(P resource, S next, Context<P> ctx) {
    Optional<LiveAnalysis.Key> key = analysed(resource);
    if (key.isPresent()) {
      analyse(resource, next, key.get(), clock.instant());
    } else {
      // Analysis off (or turned off): nothing of it is shown, so nothing stale stays.
      clearAnalysis(next);
      next.setConditions(next.getConditions().stream().filter(c -> !LiveStatus.CONDITION_TYPES.contains(c.getType()))
          .toList());
      if (live != null && !live.hasDefaultUrl() && analysisRequested(resource)
          && Validation.validate(resource).isEmpty()) {
        LiveStatus.notConfigured(next, resource.getMetadata().getGeneration(), clock.instant());
      }
    }
    List<io.fabric8.kubernetes.api.model.Condition> before = resource.getStatus() == null ? List.of()
        : List.copyOf(resource.getStatus().getConditions());
    UpdateControl<P> control = StatusUpdates.patchIfChanged(resource, next, ctx, events);
    if (key.isPresent()) {
      for (AnalysisEvents.Event e : AnalysisEvents.of(before, next.getConditions())) {
        events.record(ctx.getClient(), resource, e.type(), e.reason(), e.note());
      }
    }
    return control;
  }

  /**
   * The key of a resource live analysis shows figures for: analysis on, and the resource valid (an invalid one is
   * InvalidSpec and shows nothing else; its one variant or its missing reference would throw in the analysis).
   */
  private Optional<LiveAnalysis.Key> analysed(P resource) {
    return live == null || !Validation.validate(resource).isEmpty() ? Optional.empty() : analysisKey(resource);
  }

  /** The batched query a resource's live analysis reads, or empty when analysis is off for it (the default). */
  protected Optional<LiveAnalysis.Key> analysisKey(P resource) {
    return Optional.empty();
  }

  /** Whether the resource asks for live analysis ({@code spec.analysis} is set) without naming a Prometheus. */
  protected boolean analysisRequested(P resource) {
    return false;
  }

  /** Puts the figures of {@code key}'s last snapshot, and the analysis conditions, into {@code next}. */
  protected void analyse(P resource, S next, LiveAnalysis.Key key, java.time.Instant now) {}

  /** The live analysis (call only from analysisKey/analyse: they run only when it is on). */
  protected LiveAnalysis live() {
    return live;
  }

  /** Removes the kind's figures from {@code next} (analysis is off for the resource). */
  protected void clearAnalysis(S next) {}

  /** Turns live analysis on for this kind: {@code live} refreshes, this reconciler re-checks what it shows. */
  public void useLiveAnalysis(LiveAnalysis live) {
    this.live = live;
    live.subscribe(new LiveAnalysis.Subscriber() {
      @Override
      public Set<LiveAnalysis.Key> keys() {
        if (primaryCache == null || !reconciling) {
          return Set.of();
        }
        return primaryCache.list(x -> true).map(ReferencingReconciler.this::analysisKey).flatMap(Optional::stream)
            .collect(Collectors.toSet());
      }

      @Override
      public void refreshed(LiveAnalysis.Key key) {
        if (primaryCache == null || analysisTrigger == null || !reconciling) {
          return;
        }
        java.time.Instant now = clock.instant();
        // Validated once per refresh of the key, not in keys() (every tick): an invalid resource costs at most
        // a query shared with the others.
        primaryCache.list(p -> analysisKey(p).filter(key::equals).isPresent()
            && Validation.validate(p).isEmpty()).forEach(p -> {
          if (p.getStatus() == null) {
            // Its first status is not in the cache yet: its reconcile may have read no snapshot; one more shows it.
            analysisTrigger.propagateEvent(ResourceID.fromResource(p));
            return;
          }
          try {
            // What the status would show with the new snapshot: only a resource whose shown figures or analysis
            // conditions change gets a reconcile (and so a write); unchanged metrics cost nothing.
            @SuppressWarnings("unchecked")
            S candidate = (S) Serialization.jsonMapper().convertValue(p.getStatus(), p.getStatus().getClass());
            analyse(p, candidate, key, now);
            if (!StatusUpdates.same(p.getStatus(), candidate)) {
              analysisTrigger.propagateEvent(ResourceID.fromResource(p));
            }
          } catch (RuntimeException e) {
            // One resource's failure must not keep the refresh from the others of the key; its reconcile reports it.
            LOG.warn("Live analysis of {} {}/{} failed: {}", kind(), p.getMetadata().getNamespace(),
                p.getMetadata().getName(), e.toString());
            analysisTrigger.propagateEvent(ResourceID.fromResource(p));
          }
        });
      }
    });
  }

  /** Applies {@code desired} and deletes what this resource generated before and no longer does. */
  protected void syncOwned(P resource, List<HasMetadata> desired, Context<P> ctx) {
    owned.sync(resource, desired, ctx.getClient());
  }

  /** Whether the InferenceService's Ready condition is True. */
  protected static boolean isReady(InferenceService isvc) {
    return isvc.getStatus() != null && Conditions.isReady(isvc.getStatus().getConditions());
  }

  /** Why an InferenceService is not Ready: its Ready reason and message. */
  protected static String whyNotReady(InferenceService isvc) {
    return isvc.getStatus() == null ? "no status yet"
        : Conditions.find(isvc.getStatus().getConditions(), Conditions.READY)
            .map(c -> c.getReason() + ": " + c.getMessage()).orElse("no Ready condition yet");
  }

  /** The recorder of this kind's Events. */
  protected EventRecorder events() {
    return events;
  }

  @Override
  public ErrorStatusUpdateControl<P> updateErrorStatus(P resource, Context<P> ctx, Exception e) {
    LOG.warn("Reconciling {} {}/{} failed: {}", kind(), resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(), ErrorMessages.describe(e));
    S next = newStatus(resource);
    next.setObservedGeneration(resource.getMetadata().getGeneration());
    next.setConditions(resource.getStatus() == null ? List.of() : resource.getStatus().getConditions());
    put(next, resource, Conditions.FALSE, Reason.ReconcileError.name(), ErrorMessages.describe(e));
    return StatusUpdates.errorPatchIfChanged(resource, next, ctx, events);
  }

  protected UpdateControl<P> notReady(P resource, S next, Context<P> ctx, String reason, String message) {
    put(next, resource, Conditions.FALSE, reason, message);
    return write(resource, next, ctx);
  }

  protected void put(S next, P resource, String status, String reason, String message) {
    next.setConditions(Conditions.put(next.getConditions(), Conditions.of(Conditions.READY, status, reason,
        message, resource.getMetadata().getGeneration()), clock.instant()));
  }

  private static String join(Collection<Problem> problems) {
    return problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
  }

  private static Set<ResourceID> ids(java.util.stream.Stream<? extends HasMetadata> resources) {
    return resources.map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  private static boolean sameObject(HasMetadata a, HasMetadata b) {
    return a.getKind().equals(b.getKind()) && a.getMetadata().getName().equals(b.getMetadata().getName())
        && Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
  }
}
