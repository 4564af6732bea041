package io.mlserving.operator.registry;

import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.desired.ModelUri;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Resolves models:/ URIs against MLflow registries, with the answers shared: one alias lookup per registry and
 * alias every poll interval, however many InferenceServices name it (each reconcile of each of them asks this
 * class, which asks the registry only when its last answer is older than the interval); a version's artifact URI
 * is asked once (versions do not move) and not at all when the caller's pinned version is still the one. A failed
 * lookup is retried after {@code min(pollInterval, 30 s)}. A reconcile never waits for a lookup in flight when an
 * answer is already known (it gets that one, and looks again a second later); with nothing known it waits, as there
 * is nothing to serve before the answer.
 */
public final class ModelResolver {
  /** The longest a failed lookup is kept before the registry is asked again. */
  public static final Duration MAX_RETRY = Duration.ofSeconds(30);
  /** Bounds the memory of answers (many distinct URIs): the maps start over when they grow past it. */
  private static final int MAX_ENTRIES = 10_000;

  private final ModelRegistry registry;
  private final Clock clock;
  /** Last answer per registry URL and URI. */
  private final Map<String, Resolution> answers = new ConcurrentHashMap<>();
  /** Artifact URI per registry URL, model and version: immutable in MLflow. */
  private final Map<String, String> artifacts = new ConcurrentHashMap<>();
  /** One lookup at a time per key, so concurrent reconciles of resources naming one alias send one request. */
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  /** When a lookup is in flight and an older answer is known: how soon to look again. */
  static final Duration BUSY_RETRY = Duration.ofSeconds(1);

  public ModelResolver(ModelRegistry registry, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What {@link #resolve} gives: the resolution and when it should be asked again (empty: never). */
  public record Result(Resolution resolution, Optional<Instant> nextCheck) {}

  /**
   * {@code uri} resolved against the registry at {@code url}.
   *
   * @param pollInterval how old an alias's answer may be
   * @param pinned the version the caller serves now, if any: when the alias still points at it, its artifact URI is
   *     taken from there instead of asking
   */
  public Result resolve(String url, ModelUri uri, Duration pollInterval, Optional<ModelStatus> pinned) {
    String key = url + " " + uri;
    Resolution last = answers.get(key);
    if (last != null) {
      Optional<Instant> next = nextCheck(last, uri, pollInterval);
      if (next.isEmpty() || clock.instant().isBefore(next.get())) {
        return new Result(last, next);
      }
    }
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    if (last != null && !lock.tryLock()) {
      // Another reconcile is asking the registry right now (a slow one can take the whole timeout): rather than
      // hold this reconcile thread, answer what was known, and look again in a second.
      return new Result(last, Optional.of(clock.instant().plus(BUSY_RETRY)));
    }
    if (last == null) {
      // Nothing known yet, so nothing to serve: wait for the lookup in flight instead of sending another.
      lock.lock();
    }
    try {
      Instant now = clock.instant();
      Resolution known = answers.get(key);
      if (known != null) {
        Optional<Instant> next = nextCheck(known, uri, pollInterval);
        if (next.isEmpty() || now.isBefore(next.get())) {
          return new Result(known, next);
        }
      }
      Resolution fresh = lookUp(url, uri, pinned, now);
      if (answers.size() >= MAX_ENTRIES) {
        answers.clear();
      }
      answers.put(key, fresh);
      return new Result(fresh, nextCheck(fresh, uri, pollInterval));
    } finally {
      lock.unlock();
    }
  }

  /** Forgets every answer (tests; an operator restart does the same). */
  public void clear() {
    answers.clear();
    artifacts.clear();
  }

  private Resolution lookUp(String url, ModelUri uri, Optional<ModelStatus> pinned, Instant now) {
    String version = uri.version();
    if (uri.isAlias()) {
      RegistryAnswer answer = registry.aliasVersion(url, uri.name(), uri.alias());
      if (!(answer instanceof RegistryAnswer.Found found)) {
        return failure(answer, now);
      }
      version = found.value();
    }
    String v = version;
    Optional<String> known = pinned
        .filter(p -> v.equals(p.getVersion()) && url.equals(p.getRegistryUrl()) && p.getResolvedUri() != null)
        .map(ModelStatus::getResolvedUri);
    if (known.isPresent()) {
      return Resolution.found(version, known.get(), now);
    }
    String artifactKey = url + " " + uri.name() + " " + version;
    String artifact = artifacts.get(artifactKey);
    if (artifact == null) {
      RegistryAnswer answer = registry.downloadUri(url, uri.name(), version);
      if (!(answer instanceof RegistryAnswer.Found found)) {
        return failure(answer, now);
      }
      artifact = found.value();
      if (artifacts.size() >= MAX_ENTRIES) {
        artifacts.clear();
      }
      artifacts.put(artifactKey, artifact);
    }
    return Resolution.found(version, artifact, now);
  }

  private static Resolution failure(RegistryAnswer answer, Instant now) {
    if (answer instanceof RegistryAnswer.NotFound nf) {
      return Resolution.notFound(nf.message(), now);
    }
    return Resolution.unavailable(((RegistryAnswer.Unavailable) answer).message(), now);
  }

  private static Optional<Instant> nextCheck(Resolution r, ModelUri uri, Duration pollInterval) {
    if (!r.isFound()) {
      return Optional.of(r.checkedAt().plus(pollInterval.compareTo(MAX_RETRY) < 0 ? pollInterval : MAX_RETRY));
    }
    return uri.isAlias() ? Optional.of(r.checkedAt().plus(pollInterval)) : Optional.empty();
  }
}
