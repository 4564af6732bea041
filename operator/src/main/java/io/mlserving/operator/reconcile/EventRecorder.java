package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (events.k8s.io/v1, shown by {@code kubectl describe} and {@code kubectl events}) on the
 * transitions of the Ready condition an SRE cares about: every failure reason (Warning), and becoming Ready
 * again after one (Normal). Routine progress, and the first Ready after a plain rollout, are no event: they
 * would only add a write to every create. Best effort: a failed event never fails a reconcile.
 */
public final class EventRecorder {
  public static final String REPORTING_CONTROLLER = "mlserving.io/mlserving-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

  /** Bounds the memory of failing resources (best effort: forgotten entries only lose a recovery event). */
  private static final int MAX_REMEMBERED = 10_000;

  private final String instance;
  private final Clock clock;
  /** Resources whose last event was a failure, so that their recovery gets an event. */
  private final java.util.Map<String, Boolean> failing = new java.util.concurrent.ConcurrentHashMap<>();

  public EventRecorder(String instance, Clock clock) {
    this.instance = instance == null || instance.isBlank() ? "mlserving-operator" : instance;
    this.clock = clock;
  }

  /** The event for going from {@code before} to {@code after}, if that transition deserves one. */
  public Optional<Event> transition(HasMetadata resource, List<Condition> before, List<Condition> after) {
    Optional<Condition> was = Conditions.find(before, Conditions.READY);
    Optional<Condition> now = Conditions.find(after, Conditions.READY);
    if (now.isEmpty() || Reason.Progressing.name().equals(now.get().getReason())) {
      return Optional.empty();
    }
    if (Reason.Promoted.name().equals(now.get().getReason()) || Reason.RolledBack.name().equals(now.get().getReason())) {
      // A Canary records its rollout's events itself (each step, promotion, rollback), with what happened.
      return Optional.empty();
    }
    if (was.isPresent() && Objects.equals(was.get().getStatus(), now.get().getStatus())
        && Objects.equals(was.get().getReason(), now.get().getReason())) {
      return Optional.empty();
    }
    Condition c = now.get();
    boolean ready = Conditions.TRUE.equals(c.getStatus());
    String key = resource.getKind() + "/" + resource.getMetadata().getNamespace() + "/"
        + resource.getMetadata().getName();
    if (ready) {
      // Ready again after a failure (perhaps through Progressing): worth an event. A plain rollout is not.
      if (failing.remove(key) == null) {
        return Optional.empty();
      }
    } else {
      if (failing.size() > MAX_REMEMBERED) {
        failing.clear();
      }
      failing.put(key, Boolean.TRUE);
    }
    return Optional.of(event(resource, ready ? "Normal" : "Warning", c.getReason(), c.getMessage()));
  }

  /** An Event about {@code resource} now: {@code type} Normal or Warning, a CamelCase reason, a note. */
  public Event event(HasMetadata resource, String type, String reason, String note) {
    var time = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return new EventBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName() + "." + Long.toHexString(time.toEpochMilli())
              + Integer.toHexString(Math.abs(Objects.hash(reason, note)) & 0xfff))
          .withNamespace(resource.getMetadata().getNamespace())
        .endMetadata()
        .withEventTime(new MicroTime(MICRO.format(time)))
        .withReportingController(REPORTING_CONTROLLER)
        .withReportingInstance(instance)
        .withAction("Reconcile")
        .withReason(reason)
        .withType(type)
        .withNote(truncate(note))
        .withRegarding(new ObjectReferenceBuilder()
            .withApiVersion(resource.getApiVersion())
            .withKind(resource.getKind())
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withUid(resource.getMetadata().getUid())
            .withResourceVersion(resource.getMetadata().getResourceVersion())
            .build())
        .build();
  }

  /** Records an Event of {@code type} (Normal or Warning) about {@code resource}; never throws. */
  public void record(KubernetesClient client, HasMetadata resource, String type, String reason, String note) {
    create(client, resource, event(resource, type, reason, note));
  }

  /** Records the transition's event, if any; never throws. */
  public void record(KubernetesClient client, HasMetadata resource, List<Condition> before, List<Condition> after) {
    transition(resource, before, after).ifPresent(event -> create(client, resource, event));
  }

  private static void create(KubernetesClient client, HasMetadata resource, Event event) {
    try {
      client.resource(event).create();
    } catch (RuntimeException e) {
      LOG.warn("Could not record event {} for {} {}/{}: {}", event.getReason(), resource.getKind(),
          resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e.getMessage());
    }
  }

  private static String truncate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 1024 ? s : s.substring(0, 1021) + "...";
  }
}
