package io.mlserving.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.desired.StorageLocation;
import io.mlserving.operator.registry.Resolution;
import io.mlserving.operator.status.InferenceServiceReadiness.Verdict;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry side of an InferenceService's status, for a models:/ storageUri: which version is pinned
 * ({@code status.model}), the condition ModelResolved, whether Ready must say the model is missing, and the events
 * of a move. Pure: the registry's answer and the time are passed in.
 *
 * <p>A pinned version keeps serving through anything the registry says: an outage (ModelResolved False, Ready
 * follows the Deployment), a deleted alias or version (Ready False ModelNotFound), an artifact URI no loader
 * fetches (Ready False UnsupportedArtifactUri). Without a pin there is nothing to serve, and Ready says why.
 */
public final class ModelResolution {
  /** The condition type: whether the registry URI resolved on the last check. */
  public static final String CONDITION = "ModelResolved";

  /** ModelResolved's reasons. */
  public enum Reason {
    Resolved,
    ModelNotFound,
    RegistryUnavailable,
    UnsupportedArtifactUri
  }

  /** An Event to record: type (Normal or Warning), reason and note. */
  public record Note(String type, String reason, String note) {}

  /**
   * The outcome.
   *
   * @param model the next {@code status.model}; null when nothing is pinned
   * @param condition ModelResolved (without its transition time)
   * @param ready the Ready verdict when the registry decides it; empty when the Deployment does
   * @param notes the Events of this change
   */
  public record Outcome(ModelStatus model, Condition condition, Optional<Verdict> ready, List<Note> notes) {
    /** Whether a version is pinned, so the Deployment can be applied. */
    public boolean pinned() {
      return model != null;
    }
  }

  private ModelResolution() {}

  /**
   * The next registry status of {@code isvc} (whose storageUri is a models:/ URI).
   *
   * @param registryUrl the registry asked (spec, else the operator's); null when there is none
   * @param lookup the resolver's answer; empty when none was needed (a fixed version already pinned)
   */
  public static Outcome next(InferenceService isvc, String registryUrl, Optional<Resolution> lookup, Instant now) {
    String uri = isvc.getSpec().getModel().getStorageUri();
    ModelUri model = ModelUri.parse(uri).orElseThrow(() -> new IllegalArgumentException("not a models:/ URI: " + uri));
    Optional<ModelStatus> pin = InferenceServiceResources.pinned(isvc);
    List<Condition> conditions = isvc.getStatus() == null ? null : isvc.getStatus().getConditions();
    Optional<Condition> resolvedBefore = Conditions.find(conditions, CONDITION);
    // A failure that Ready carried gets its recovery Event from Ready; only one Ready did not carry needs its own.
    Optional<Condition> before = resolvedBefore.filter(c -> !Conditions.find(conditions, Conditions.READY)
        .map(ready -> Objects.equals(ready.getReason(), c.getReason())).orElse(false));
    Long generation = isvc.getMetadata().getGeneration();
    String serving = pin.map(p -> "; version " + p.getVersion() + " (pinned) keeps serving").orElse("");

    if (registryUrl == null) {
      String why = "no MLflow tracking server to resolve " + uri + ": set spec.model.registry.url, or the"
          + " operator's MLFLOW_TRACKING_URI (chart value mlflow.trackingUri)";
      return outcome(pin, Reason.RegistryUnavailable, why + serving, generation, resolvedBefore, pin.isEmpty());
    }
    if (lookup.isEmpty()) {
      ModelStatus p = pin.orElseThrow(() -> new IllegalArgumentException("no lookup and no pinned version"));
      return new Outcome(p, resolved(uri, p, generation), Optional.empty(), recovered(before, p));
    }
    Resolution r = lookup.get();
    switch (r.kind()) {
      case NOT_FOUND:
        return outcome(pin, Reason.ModelNotFound, r.message() + serving + ". Register it, or fix"
            + " spec.model.storageUri", generation, resolvedBefore, true);
      case UNAVAILABLE:
        return outcome(pin, Reason.RegistryUnavailable, r.message() + (pin.isEmpty()
            ? "; nothing is deployed until it answers (asked again within 30 s)"
            : serving + " until it answers"), generation, resolvedBefore, pin.isEmpty());
      default:
        break;
    }
    if (StorageLocation.parseArtifact(r.artifactUri()).isEmpty()) {
      String why = model.describe() + " is stored at " + r.artifactUri() + ", which no model loader fetches (s3://,"
          + " gs://, http(s):// and mlflow-artifacts: are supported: a tracking server with a local file store"
          + " needs --serve-artifacts or a bucket as its artifact root)" + serving;
      return outcome(pin, Reason.UnsupportedArtifactUri, why, generation, resolvedBefore, true);
    }
    boolean same = pin.isPresent() && r.version().equals(pin.get().getVersion())
        && r.artifactUri().equals(pin.get().getResolvedUri()) && registryUrl.equals(pin.get().getRegistryUrl());
    ModelStatus next = same ? pin.get() : new ModelStatus(uri, r.version(), r.artifactUri(),
        r.checkedAt().truncatedTo(ChronoUnit.SECONDS).toString(), registryUrl);
    List<Note> notes = new ArrayList<>(recovered(before, next));
    if (pin.isPresent() && !same && !r.version().equals(pin.get().getVersion())) {
      notes.add(new Note("Normal", "ModelVersionChanged", uri + " moved from version " + pin.get().getVersion()
          + " to " + r.version() + ": rolling out " + r.artifactUri()));
    }
    return new Outcome(next, resolved(uri, next, generation), Optional.empty(), notes);
  }

  private static Condition resolved(String uri, ModelStatus p, Long generation) {
    return Conditions.of(CONDITION, Conditions.TRUE, Reason.Resolved.name(), uri + " is version " + p.getVersion()
        + " (" + p.getResolvedUri() + ") in " + p.getRegistryUrl() + ", pinned in the Deployment since "
        + p.getResolvedAt(), generation);
  }

  /**
   * The outcome of a failure: the pin (if any) is kept; Ready says why when {@code decidesReady} (the model is
   * missing, or there is nothing to serve).
   */
  private static Outcome outcome(Optional<ModelStatus> pin, Reason reason, String message, Long generation,
      Optional<Condition> before, boolean decidesReady) {
    Condition c = Conditions.of(CONDITION, Conditions.FALSE, reason.name(), message, generation);
    Optional<Verdict> ready = decidesReady
        ? Optional.of(new Verdict(Conditions.FALSE, reason.name(), message))
        : Optional.empty();
    List<Note> notes = new ArrayList<>();
    // When Ready carries the failure, its own Event says it; an outage under a pin shows only here.
    boolean changed = before.isEmpty() || !Conditions.FALSE.equals(before.get().getStatus())
        || !Objects.equals(before.get().getReason(), reason.name());
    if (!decidesReady && changed) {
      notes.add(new Note("Warning", reason.name(), message));
    }
    return new Outcome(pin.orElse(null), c, ready, notes);
  }

  private static List<Note> recovered(Optional<Condition> before, ModelStatus p) {
    if (before.isPresent() && Conditions.FALSE.equals(before.get().getStatus())) {
      return List.of(new Note("Normal", Reason.Resolved.name(), p.getUri() + " resolves again: version "
          + p.getVersion()));
    }
    return List.of();
  }
}
