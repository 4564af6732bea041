package io.mlserving.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlserving.operator.analysis.LiveAnalysis.Key;
import io.mlserving.operator.analysis.LiveAnalysis.Snapshot;
import io.mlserving.operator.analysis.LiveAnalysis.Source;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.AnalysisSpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerAnalysis;
import io.mlserving.operator.api.v1alpha1.PrometheusRef;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The refresher of live analysis with a scripted Prometheus and scripted reconcilers: one query per source, URL and
 * window however many resources and namespaces; nothing asked again before window/5 (at least 10 s) on a driven
 * clock; keys no longer needed dropped; a failing Prometheus kept as an error snapshot; each refreshed key told once.
 */
class LiveAnalysisTest {
  private static final String URL = "http://prometheus.istio-system:9090";
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final FakePrometheus prometheus = new FakePrometheus();
  private final LiveAnalysis live = new LiveAnalysis(prometheus::at, URL, clock);

  @Test
  void aThousandResourcesInTenNamespacesCostOneQueryPerSource() {
    // The three analysed kinds, as the reconcilers see them: some with spec.analysis naming the operator's
    // Prometheus and the default window explicitly, some without spec.analysis (the operator setting, defaults).
    FakeKind abTests = kind(Source.WORKLOADS);
    FakeKind shadowTests = kind(Source.WORKLOADS);
    FakeKind breakers = kind(Source.BREAKERS);
    for (int i = 0; i < 1000; i++) {
      String ns = "team-" + (i % 10);
      FakeKind kind = i % 3 == 0 ? abTests : i % 3 == 1 ? shadowTests : breakers;
      AnalysisSpec spec = i % 2 == 0 ? null : spec(kind == breakers ? new CircuitBreakerAnalysis()
          : kind == abTests ? new ABTestAnalysis() : new ShadowTestAnalysis(), URL, "5m");
      kind.add(ns, spec);
    }
    prometheus.answer(Source.WORKLOADS, VectorResult.of(List.of(
        sample("team-3", "fraud-v1", LiveQueries.REQUESTS, 120), sample("team-3", "fraud-v1", LiveQueries.SUCCESSES,
            118))));

    assertThat(live.refreshDue()).isEqualTo(2);

    assertThat(prometheus.queries()).containsExactlyInAnyOrder(
        new Query(URL, LiveQueries.workloads(Duration.ofMinutes(5))),
        new Query(URL, LiveQueries.breakers(Duration.ofMinutes(5))));
    assertThat(live.queries()).isEqualTo(2);
    Key workloads = new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5));
    Key breakerKey = new Key(Source.BREAKERS, URL, Duration.ofMinutes(5));
    assertThat(abTests.keys()).containsExactly(workloads);
    assertThat(breakers.keys()).containsExactly(breakerKey);
    assertThat(live.workloads(workloads).orElseThrow().data().orElseThrow())
        .containsExactly(Map.entry(new LiveQueries.WorkloadKey("team-3", "fraud-v1"),
            new LiveQueries.WorkloadStats(120, 118, null)));
    assertThat(live.breakers(breakerKey).orElseThrow().data().orElseThrow()).isEmpty();
    for (FakeKind kind : List.of(abTests, shadowTests, breakers)) {
      assertThat(kind.refreshed).as("each refreshed key told once to each reconciler")
          .containsExactlyInAnyOrder(workloads, breakerKey);
    }
  }

  @Test
  void urlsThatDifferOnlyByTrailingSlashesShareOneQuery() {
    FakeKind abTests = kind(Source.WORKLOADS);
    abTests.add("a", null);
    abTests.add("b", spec(new ABTestAnalysis(), URL + "/", null));
    abTests.add("c", spec(new ABTestAnalysis(), URL + "//", "5m"));

    assertThat(live.refreshDue()).isEqualTo(1);
    assertThat(prometheus.queries()).extracting(Query::url).containsExactly(URL);
    assertThat(abTests.keys()).containsExactly(new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5)));
  }

  @Test
  void twoWindowsAreTwoQueriesAndTwoPrometheusesTwoMore() {
    FakeKind abTests = kind(Source.WORKLOADS);
    for (int i = 0; i < 50; i++) {
      abTests.add("ns-" + i, spec(new ABTestAnalysis(), null, i % 2 == 0 ? "5m" : "1m"));
    }
    // 300s is the same window as 5m: the same query.
    abTests.add("other", spec(new ABTestAnalysis(), null, "300s"));

    assertThat(live.refreshDue()).isEqualTo(2);
    assertThat(prometheus.queries()).containsExactlyInAnyOrder(
        new Query(URL, LiveQueries.workloads(Duration.ofMinutes(5))),
        new Query(URL, LiveQueries.workloads(Duration.ofMinutes(1))));

    clock.advance(Duration.ofMinutes(1));
    abTests.add("elsewhere", spec(new ABTestAnalysis(), "http://prometheus.team-b:9090", "1m"));
    abTests.add("elsewhere-too", spec(new ABTestAnalysis(), "http://prometheus.team-b:9090", "5m"));
    // Both windows are due again at one minute (5m/5 = 60 s, 1m/5 = 12 s), plus the two new keys.
    assertThat(live.refreshDue()).isEqualTo(4);
    assertThat(prometheus.queries()).hasSize(6);
  }

  @Test
  void nothingIsAskedAgainBeforeItsRefreshInterval() {
    FakeKind abTests = kind(Source.WORKLOADS);
    abTests.add("five-minutes", spec(new ABTestAnalysis(), null, "5m"));
    abTests.add("ten-seconds", spec(new ABTestAnalysis(), null, "10s"));
    Key fiveMinutes = new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5));
    Key tenSeconds = new Key(Source.WORKLOADS, URL, Duration.ofSeconds(10));

    assertThat(live.refreshDue()).isEqualTo(2);
    assertThat(live.refreshDue()).as("at once again: nothing is due").isZero();
    clock.advance(Duration.ofMillis(9_999));
    assertThat(live.refreshDue()).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(live.refreshDue()).as("10 s: the 10s window (its 10 s floor), not the 5m one").isEqualTo(1);
    assertThat(live.workloads(tenSeconds).orElseThrow().at()).isEqualTo(T0.plusSeconds(10));
    assertThat(live.workloads(fiveMinutes).orElseThrow().at()).isEqualTo(T0);

    for (int s = 20; s < 60; s += 10) {
      clock.advance(Duration.ofSeconds(10));
      assertThat(live.refreshDue()).as("at %d s", s).isEqualTo(1);
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(live.refreshDue()).as("60 s: both (5m/5 = 1 minute)").isEqualTo(2);
    assertThat(live.workloads(fiveMinutes).orElseThrow().at()).isEqualTo(T0.plusSeconds(60));
    assertThat(prometheus.queries()).hasSize(2 + 1 + 4 + 2);
    assertThat(abTests.refreshed).filteredOn(fiveMinutes::equals).hasSize(2);
    assertThat(abTests.refreshed).filteredOn(tenSeconds::equals).hasSize(7);
  }

  @Test
  void aKeyNoLongerNeededIsDroppedAndAskedAtOnceWhenNeededAgain() {
    FakeKind abTests = kind(Source.WORKLOADS);
    abTests.add("one", spec(new ABTestAnalysis(), null, "5m"));
    abTests.add("two", spec(new ABTestAnalysis(), null, "1m"));
    Key oneMinute = new Key(Source.WORKLOADS, URL, Duration.ofMinutes(1));
    assertThat(live.refreshDue()).isEqualTo(2);
    assertThat(live.workloads(oneMinute)).isPresent();

    abTests.remove("two");
    clock.advance(Duration.ofSeconds(1));
    assertThat(live.refreshDue()).isZero();
    assertThat(live.workloads(oneMinute)).as("the snapshot nobody needs is gone").isEmpty();

    abTests.add("two", spec(new ABTestAnalysis(), null, "1m"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(live.refreshDue()).as("needed again within its interval: no snapshot, so asked at once").isEqualTo(1);
    assertThat(live.workloads(oneMinute).orElseThrow().at()).isEqualTo(T0.plusSeconds(2));

    abTests.remove("one");
    abTests.remove("two");
    assertThat(live.refreshDue()).isZero();
    assertThat(live.workloads(oneMinute)).isEmpty();
    assertThat(live.workloads(new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5)))).isEmpty();
  }

  @Test
  void aFailingPrometheusGivesAnErrorSnapshotWithItsMessageAndNoHotLoop() {
    FakeKind breakers = kind(Source.BREAKERS);
    breakers.add("models", spec(new CircuitBreakerAnalysis(), null, "10s"));
    Key key = new Key(Source.BREAKERS, URL, Duration.ofSeconds(10));
    VectorResult refused = VectorResult.failure(QueryResult.unreachable(URL, "Connection refused"));
    prometheus.answer(Source.BREAKERS, refused);

    assertThat(live.refreshDue()).isEqualTo(1);
    Snapshot<Map<String, LiveQueries.BreakerStats>> snapshot = live.breakers(key).orElseThrow();
    assertThat(snapshot.data()).isEmpty();
    assertThat(snapshot.error()).isEqualTo("Prometheus at " + URL + " is unreachable: Connection refused");
    assertThat(snapshot.at()).isEqualTo(T0);
    assertThat(breakers.refreshed).containsExactly(key);

    // A failure waits for the next refresh like an answer: no query every tick against a Prometheus that is down.
    clock.advance(Duration.ofSeconds(9));
    assertThat(live.refreshDue()).isZero();
    assertThat(prometheus.queries()).hasSize(1);

    prometheus.answer(Source.BREAKERS, VectorResult.of(List.of(new Sample(Map.of(LiveQueries.METRIC,
        LiveQueries.OVERFLOWING, "destination_service", "fraud-v1.models.svc.cluster.local"), 4.2))));
    clock.advance(Duration.ofSeconds(1));
    assertThat(live.refreshDue()).isEqualTo(1);
    snapshot = live.breakers(key).orElseThrow();
    assertThat(snapshot.error()).isNull();
    assertThat(snapshot.data().orElseThrow()).containsExactly(Map.entry("fraud-v1.models.svc.cluster.local",
        new LiveQueries.BreakerStats(4, 0, null)));
    assertThat(breakers.refreshed).containsExactly(key, key);
  }

  @Test
  void eachRefreshedKeyIsToldOnceAndOnlyWhenRefreshed() {
    FakeKind abTests = kind(Source.WORKLOADS);
    FakeKind breakers = kind(Source.BREAKERS);
    abTests.add("models", spec(new ABTestAnalysis(), null, "10s"));
    breakers.add("models", spec(new CircuitBreakerAnalysis(), null, "5m"));
    Key workloads = new Key(Source.WORKLOADS, URL, Duration.ofSeconds(10));
    Key breakerKey = new Key(Source.BREAKERS, URL, Duration.ofMinutes(5));

    live.refreshDue();
    assertThat(abTests.refreshed).containsExactlyInAnyOrder(workloads, breakerKey);
    assertThat(breakers.refreshed).containsExactlyInAnyOrder(workloads, breakerKey);

    clock.advance(Duration.ofSeconds(10));
    abTests.refreshed.clear();
    breakers.refreshed.clear();
    live.refreshDue();
    assertThat(abTests.refreshed).containsExactly(workloads);
    assertThat(breakers.refreshed).containsExactly(workloads);
  }

  @Test
  void aSubscriberOrAPrometheusThatThrowsSpoilsNothingElse() {
    FakeKind abTests = kind(Source.WORKLOADS);
    abTests.add("models", spec(new ABTestAnalysis(), null, "1m"));
    // A reconciler whose refreshed() throws, subscribed before the others: they still hear of every refresh.
    live.subscribe(new LiveAnalysis.Subscriber() {
      @Override
      public Set<Key> keys() {
        return Set.of();
      }

      @Override
      public void refreshed(Key key) {
        throw new IllegalStateException("a bug in a reconciler");
      }
    });
    FakeKind breakers = kind(Source.BREAKERS);
    breakers.add("models", spec(new CircuitBreakerAnalysis(), "http://broken:9090", "1m"));
    prometheus.throwFor("http://broken:9090", new IllegalStateException("a bug in a client"));
    Key workloads = new Key(Source.WORKLOADS, URL, Duration.ofMinutes(1));
    Key broken = new Key(Source.BREAKERS, "http://broken:9090", Duration.ofMinutes(1));

    assertThat(live.refreshDue()).isEqualTo(2);
    assertThat(abTests.refreshed).containsExactlyInAnyOrder(broken, workloads);
    assertThat(breakers.refreshed).containsExactlyInAnyOrder(broken, workloads);
    assertThat(live.workloads(workloads).orElseThrow().data()).isPresent();
    Snapshot<Map<String, LiveQueries.BreakerStats>> failed = live.breakers(broken).orElseThrow();
    assertThat(failed.data()).isEmpty();
    assertThat(failed.error()).contains("http://broken:9090", "a bug in a client");
    // Kept like any failure until its next refresh.
    clock.advance(Duration.ofSeconds(1));
    assertThat(live.refreshDue()).isZero();
  }

  @Test
  void analysisIsOffWithoutSpecAnalysisAndWithoutTheOperatorSetting() {
    LiveAnalysis off = new LiveAnalysis(prometheus::at, " ", clock);
    assertThat(off.key(Source.WORKLOADS, null)).isEmpty();
    assertThat(off.key(Source.BREAKERS, spec(new CircuitBreakerAnalysis(), null, "1m"))).isEmpty();
    assertThat(off.key(Source.WORKLOADS, spec(new ABTestAnalysis(), URL, null)))
        .contains(new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5)));
    assertThat(live.key(Source.WORKLOADS, null)).contains(new Key(Source.WORKLOADS, URL, Duration.ofMinutes(5)));
  }

  @Test
  void aWindowAdmissionWouldRefuseTurnsAnalysisOffRatherThanBreakingTheRefresh() {
    // A resource that bypassed admission (an older CRD): the operator reports InvalidSpec; its analysis must neither
    // throw in the reconcile nor stop the refresh of everybody else.
    for (String window : List.of("0s", "5s", "5 minutes", "9999ms")) {
      assertThat(live.key(Source.WORKLOADS, spec(new ABTestAnalysis(), null, window))).as(window).isEmpty();
    }
    ABTestAnalysis badConfidence = spec(new ABTestAnalysis(), null, "1m");
    badConfidence.setConfidence(1.5);
    assertThat(live.key(Source.WORKLOADS, badConfidence)).isEmpty();
    ShadowTestAnalysis badDrop = spec(new ShadowTestAnalysis(), null, "1m");
    badDrop.setMaxSuccessRateDrop(-1.0);
    assertThat(live.key(Source.WORKLOADS, badDrop)).isEmpty();
    assertThat(live.key(Source.WORKLOADS, spec(new ABTestAnalysis(), "prometheus:9090", "1m"))).isEmpty();
    assertThat(live.key(Source.WORKLOADS, spec(new ABTestAnalysis(), null, "10s"))).isPresent();
  }

  @Test
  void theBackgroundRefresherQueriesWhenDueWithoutBeingAsked() {
    FakeKind abTests = kind(Source.WORKLOADS);
    abTests.add("models", spec(new ABTestAnalysis(), null, "10s"));
    try (LiveAnalysis running = new LiveAnalysis(prometheus::at, URL, clock)) {
      running.subscribe(abTests);
      running.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> running.queries() == 1);
      clock.advance(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(10)).until(() -> running.queries() == 2);
    }
  }

  // ---- the fakes

  private FakeKind kind(Source source) {
    FakeKind kind = new FakeKind(source);
    live.subscribe(kind);
    return kind;
  }

  private static <A extends AnalysisSpec> A spec(A spec, String url, String window) {
    if (url != null) {
      PrometheusRef ref = new PrometheusRef();
      ref.setUrl(url);
      spec.setPrometheus(ref);
    }
    spec.setWindow(window);
    return spec;
  }

  private static Sample sample(String ns, String workload, String metric, double value) {
    return new Sample(Map.of("destination_workload_namespace", ns, "destination_workload", workload,
        LiveQueries.METRIC, metric), value);
  }

  /** One query as the fake Prometheus received it. */
  record Query(String url, String promql) {}

  /** Prometheus servers by URL, answering each source's query as scripted (no series by default). */
  static final class FakePrometheus {
    private final List<Query> queries = new CopyOnWriteArrayList<>();
    private final Map<Source, VectorResult> answers = new ConcurrentHashMap<>();
    private final Map<String, RuntimeException> throwing = new ConcurrentHashMap<>();

    void answer(Source source, VectorResult result) {
      answers.put(source, result);
    }

    void throwFor(String url, RuntimeException e) {
      throwing.put(url, e);
    }

    List<Query> queries() {
      return List.copyOf(queries);
    }

    Prometheus at(String url) {
      return new Prometheus() {
        @Override
        public String url() {
          return url;
        }

        @Override
        public VectorResult queryVector(String promql) {
          queries.add(new Query(url, promql));
          if (throwing.containsKey(url)) {
            throw throwing.get(url);
          }
          Source source = promql.contains("destination_workload") ? Source.WORKLOADS : Source.BREAKERS;
          return answers.getOrDefault(source, VectorResult.of(List.of()));
        }
      };
    }
  }

  /** The resources of one analysed kind, as a reconciler's cache holds them, and the refreshes it was told of. */
  final class FakeKind implements LiveAnalysis.Subscriber {
    private final Source source;
    private final Map<String, Optional<AnalysisSpec>> resources = new ConcurrentHashMap<>();
    private int next;
    final List<Key> refreshed = Collections.synchronizedList(new ArrayList<>());

    FakeKind(Source source) {
      this.source = source;
    }

    /** A resource in {@code namespace} (also its name when unique) with {@code spec} as its spec.analysis. */
    void add(String namespace, AnalysisSpec spec) {
      String name = resources.containsKey(namespace) ? namespace + "/" + next++ : namespace;
      resources.put(name, Optional.ofNullable(spec));
    }

    void remove(String name) {
      resources.remove(name);
    }

    @Override
    public Set<Key> keys() {
      // What ReferencingReconciler does: each cached resource's key, through the refresher's own key().
      Function<Optional<AnalysisSpec>, Optional<Key>> key = spec -> live.key(source, spec.orElse(null));
      return resources.values().stream().map(key).flatMap(Optional::stream).collect(Collectors.toSet());
    }

    @Override
    public void refreshed(Key key) {
      refreshed.add(key);
    }
  }
}
