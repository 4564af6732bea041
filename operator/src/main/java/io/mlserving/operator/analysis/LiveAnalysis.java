package io.mlserving.operator.analysis;

import io.mlserving.operator.api.v1alpha1.AnalysisSpec;
import io.mlserving.operator.desired.Durations;
import io.mlserving.operator.validation.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live analysis of ABTests, ShadowTests and CircuitBreakers at scale: the figures of every analysed resource come
 * from one Prometheus query per source (workloads or breakers), Prometheus URL and window, for all namespaces at
 * once, refreshed every window/5 (at least 10 s). The answers are kept as snapshots the reconcilers read (no I/O in
 * a reconcile); after each refresh the subscribers (the reconcilers) are told, and they trigger a reconcile only of
 * the resources whose shown figures changed, so unchanged metrics cost no write.
 */
public final class LiveAnalysis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveAnalysis.class);
  /** How often the refresher looks for a due query; the queries themselves go every window/5. */
  static final Duration TICK = Duration.ofSeconds(1);

  /** Where the figures come from: Istio's per-workload request metrics, or the per-service breaker metrics. */
  public enum Source { WORKLOADS, BREAKERS }

  /** One batched query: its source, the Prometheus it goes to and the window. */
  public record Key(Source source, String url, Duration window) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = source.compareTo(o.source);
      c = c != 0 ? c : url.compareTo(o.url);
      return c != 0 ? c : window.compareTo(o.window);
    }
  }

  /**
   * The last answer to a key's query: {@code data} when Prometheus answered, else {@code error} naming the URL and
   * what went wrong.
   */
  public record Snapshot<T>(Instant at, Optional<T> data, String error) {}

  /** A reconciler of an analysed kind. */
  public interface Subscriber {
    /** The keys its analysed resources need now (read from its cache). */
    Set<Key> keys();

    /** {@code key}'s snapshot was refreshed: trigger a reconcile of the resources whose shown figures change. */
    void refreshed(Key key);
  }

  private final Function<String, ? extends Prometheus> clients;
  private final String defaultUrl;
  private final Clock clock;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Map<Key, Snapshot<?>> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong queries = new AtomicLong();
  /** Held by a refresh round. */
  private final Object refreshing = new Object();
  private ScheduledExecutorService refresher;

  /** {@code defaultUrl} (the operator setting; may be null) turns analysis on for resources without spec.analysis. */
  public LiveAnalysis(PrometheusClients clients, String defaultUrl, Clock clock) {
    this(clients::forUrl, defaultUrl, clock);
  }

  /**
   * As {@link #LiveAnalysis(PrometheusClients, String, Clock)}, asking the Prometheus {@code clients} gives for a
   * URL (tests count and script the queries with it).
   */
  public LiveAnalysis(Function<String, ? extends Prometheus> clients, String defaultUrl, Clock clock) {
    this.clients = clients;
    this.defaultUrl = defaultUrl == null || defaultUrl.isBlank() ? null : defaultUrl;
    this.clock = clock;
  }

  /**
   * The key a resource's analysis needs, or empty when analysis is off for it: no {@code spec.analysis} and no
   * operator setting, or a {@code spec.analysis} admission would refuse (a resource that bypassed it is InvalidSpec;
   * its window of 0s or its confidence of 1.5 must not throw in its reconcile, nor in the refresh that serves every
   * other resource). URLs that differ only by trailing slashes are one key: one query.
   */
  public Optional<Key> key(Source source, AnalysisSpec spec) {
    String url = spec != null && spec.getPrometheus() != null && spec.getPrometheus().getUrl() != null
        ? spec.getPrometheus().getUrl() : defaultUrl;
    if (url == null || (spec != null && !Validation.analysis(spec).isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(new Key(source, PrometheusClient.trimSlashes(url.strip()), window(spec)));
  }

  /** {@code spec.analysis.window}, default 5m. */
  public static Duration window(AnalysisSpec spec) {
    String w = spec == null || spec.getWindow() == null || spec.getWindow().isEmpty() ? AnalysisSpec.DEFAULT_WINDOW
        : spec.getWindow();
    return Durations.parse(w);
  }

  /** Whether the operator setting names a Prometheus (then every analysed kind has one to ask). */
  public boolean hasDefaultUrl() {
    return defaultUrl != null;
  }

  public void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  /** The last snapshot of the per-workload query of {@code key}, if one was made. */
  @SuppressWarnings("unchecked")
  public Optional<Snapshot<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>>> workloads(Key key) {
    return Optional.ofNullable((Snapshot<Map<LiveQueries.WorkloadKey, LiveQueries.WorkloadStats>>) snapshots.get(key));
  }

  /** The last snapshot of the per-service breaker query of {@code key}, if one was made. */
  @SuppressWarnings("unchecked")
  public Optional<Snapshot<Map<String, LiveQueries.BreakerStats>>> breakers(Key key) {
    return Optional.ofNullable((Snapshot<Map<String, LiveQueries.BreakerStats>>) snapshots.get(key));
  }

  /** Queries sent to Prometheus so far (the benchmark reads it). */
  public long queries() {
    return queries.get();
  }

  /** Starts refreshing in the background. */
  public synchronized LiveAnalysis start() {
    if (refresher == null) {
      refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-analysis");
        t.setDaemon(true);
        return t;
      });
      refresher.scheduleWithFixedDelay(this::refreshSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void refreshSafely() {
    try {
      refreshDue();
    } catch (RuntimeException e) {
      // A refresh must never kill the refresher: the next tick tries again.
      LOG.warn("Live analysis refresh failed: {}", e.toString());
    }
  }

  /**
   * Sends the queries that are due (every window/5, at least 10 s), then tells the subscribers; the count sent. One
   * round at a time: a round run by hand (tests, the benchmark) and the refresher's never send a query twice.
   */
  public int refreshDue() {
    synchronized (refreshing) {
      Instant now = clock.instant();
      Set<Key> needed = new TreeSet<>();
      for (Subscriber s : subscribers) {
        try {
          needed.addAll(s.keys());
        } catch (RuntimeException e) {
          // One reconciler's failure must not stop the analysis of the other kinds.
          LOG.warn("Live analysis: a subscriber's keys failed: {}", e.toString());
        }
      }
      snapshots.keySet().retainAll(needed);
      int sent = 0;
      for (Key key : needed) {
        Snapshot<?> last = snapshots.get(key);
        if (last != null && now.isBefore(last.at().plus(LiveQueries.refreshInterval(key.window())))) {
          continue;
        }
        snapshots.put(key, fetch(key, now));
        sent++;
        for (Subscriber s : subscribers) {
          try {
            s.refreshed(key);
          } catch (RuntimeException e) {
            // Thrown out of the loop, it would keep this key's news from the subscribers after it (they share the
            // workloads query) and the keys after it from this round.
            LOG.warn("Live analysis: a subscriber failed on the refresh of {}: {}", key, e.toString());
          }
        }
      }
      return sent;
    }
  }

  private Snapshot<?> fetch(Key key, Instant now) {
    String promql = key.source() == Source.WORKLOADS ? LiveQueries.workloads(key.window())
        : LiveQueries.breakers(key.window());
    queries.incrementAndGet();
    VectorResult result;
    try {
      result = clients.apply(key.url()).queryVector(promql);
    } catch (RuntimeException e) {
      // Clients return failures rather than throw; one that throws anyway is kept as a failure like any other (and
      // asked again at the next refresh, not on every tick).
      return new Snapshot<>(now, Optional.empty(), "Prometheus at " + key.url() + " could not be asked: " + e);
    }
    if (result.outcome() != QueryResult.Outcome.Value) {
      return new Snapshot<>(now, Optional.empty(), result.message());
    }
    return key.source() == Source.WORKLOADS
        ? new Snapshot<>(now, Optional.of(LiveQueries.workloadStats(result)), null)
        : new Snapshot<>(now, Optional.of(LiveQueries.breakerStats(result)), null);
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }
}
