package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.MockCluster;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.RecordingDispatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One watch per kind however many reconcilers read it, on the mock API server. */
class SharedInformersTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** Every primary the mapper gives, as each source's reconciler would receive them. */
  private static final class Triggers implements io.javaoperatorsdk.operator.processing.event.EventHandler {
    final List<ResourceID> seen = new CopyOnWriteArrayList<>();

    @Override
    public void handleEvent(Event event) {
      seen.add(event.getRelatedCustomResourceID());
    }
  }

  /** The primary "ab-" + name of the InferenceService in its namespace. */
  private static final Function<InferenceService, Set<ResourceID>> AB_OF = isvc -> Set.of(
      new ResourceID("ab-" + isvc.getMetadata().getName(), isvc.getMetadata().getNamespace()));

  @Test
  void twoSourcesShareOneWatchAndEachTriggersItsOwnPrimaries() {
    SharedInformers shared = new SharedInformers(cluster.client, Set.of(), DEADLINE);
    SharedInformers.Source<InferenceService, ABTest> first = shared.source(InferenceService.class, "first", AB_OF);
    SharedInformers.Source<InferenceService, ABTest> second = shared.source(InferenceService.class, "second",
        isvc -> Set.of(new ResourceID("other", isvc.getMetadata().getNamespace())));
    Triggers one = new Triggers();
    Triggers two = new Triggers();
    first.setEventHandler(one);
    second.setEventHandler(two);
    first.start();
    second.start();
    try {
      cluster.client.resource(Fixtures.isvc("a", "m1", "img:1")).create();
      cluster.client.resource(Fixtures.isvc("b", "m2", "img:1")).create();

      await().atMost(DEADLINE).until(() -> one.seen.size() >= 2 && two.seen.size() >= 2);
      assertThat(one.seen).contains(new ResourceID("ab-m1", "a"), new ResourceID("ab-m2", "b"));
      assertThat(two.seen).contains(new ResourceID("other", "a"), new ResourceID("other", "b"));
      assertThat(first.list("a", x -> true).map(i -> i.getMetadata().getName())).containsExactly("m1");
      assertThat(second.list("b", x -> true).map(i -> i.getMetadata().getName())).containsExactly("m2");
      assertThat(first.list("c", x -> true)).isEmpty();
      assertThat(watchesOn("inferenceservices")).isEqualTo(1);
    } finally {
      first.stop();
      second.stop();
    }
  }

  @Test
  void theInformerStopsWithTheLastSourceAndStartsAgainWithTheNext() {
    SharedInformers shared = new SharedInformers(cluster.client, Set.of(), DEADLINE);
    var first = shared.source(InferenceService.class, "first", AB_OF);
    var second = shared.source(InferenceService.class, "second", AB_OF);
    first.setEventHandler(new Triggers());
    second.setEventHandler(new Triggers());
    int before = cluster.dispatcher.openWatches();
    first.start();
    second.start();
    await().atMost(DEADLINE).until(() -> cluster.dispatcher.openWatches() == before + 1);

    first.stop();
    assertThat(first.isRunning()).isFalse();
    cluster.client.resource(Fixtures.isvc("a", "m1", "img:1")).create();
    await().atMost(DEADLINE).until(() -> second.list("a", x -> true).count() == 1);
    second.stop();
    await().atMost(DEADLINE).until(() -> cluster.dispatcher.openWatches() == before);

    // Started again: it lists afresh and replays what it finds to the new handler.
    Triggers again = new Triggers();
    first.setEventHandler(again);
    first.start();
    try {
      assertThat(first.list("a", x -> true).map(i -> i.getMetadata().getName())).containsExactly("m1");
      await().atMost(DEADLINE).until(() -> again.seen.contains(new ResourceID("ab-m1", "a")));
    } finally {
      first.stop();
    }
  }

  @Test
  void watchedNamespacesGetOneInformerEachAndNothingElseIsSeen() {
    SharedInformers shared = new SharedInformers(cluster.client, Set.of("a", "b"), DEADLINE);
    var source = shared.source(InferenceService.class, "ns", AB_OF);
    Triggers triggers = new Triggers();
    source.setEventHandler(triggers);
    source.start();
    try {
      for (String ns : List.of("a", "b", "c")) {
        cluster.client.resource(Fixtures.isvc(ns, "m", "img:1")).create();
      }
      await().atMost(DEADLINE).until(() -> source.list("b", x -> true).count() == 1);
      await().atMost(DEADLINE).until(() -> source.list("a", x -> true).count() == 1);
      assertThat(source.list("c", x -> true)).isEmpty();
      assertThat(triggers.seen).doesNotContain(new ResourceID("ab-m", "c"));
      assertThat(watchesOn("inferenceservices")).isEqualTo(2);
    } finally {
      source.stop();
    }
  }

  @Test
  void aRelistOfTheSameVersionTriggersNothingAndAChangeDoes() {
    SharedInformers shared = new SharedInformers(cluster.client, Set.of(), DEADLINE);
    var source = shared.source(InferenceService.class, "direct", AB_OF);
    Triggers triggers = new Triggers();
    source.setEventHandler(triggers);
    source.start();
    try {
      InferenceService v1 = Fixtures.isvc("a", "m", "img:1");
      v1.getMetadata().setResourceVersion("7");
      InferenceService v2 = Fixtures.isvc("a", "m", "img:2");
      v2.getMetadata().setResourceVersion("8");

      source.onUpdate(v1, v1);
      assertThat(triggers.seen).isEmpty();
      source.onUpdate(v1, v2);
      source.onDelete(v2, false);
      assertThat(triggers.seen).containsExactly(new ResourceID("ab-m", "a"), new ResourceID("ab-m", "a"));
    } finally {
      source.stop();
    }
    // Stopped: nothing more reaches the reconciler.
    source.onAdd(Fixtures.isvc("a", "late", "img:1"));
    assertThat(triggers.seen).hasSize(2);
  }

  @Test
  void aKindTheServerDoesNotServeFailsTheStartWithItsName() {
    cluster.dispatcher.failNext(r -> r.path().contains("/inferenceservices"), 403, 100);
    SharedInformers shared = new SharedInformers(cluster.client, Set.of(), Duration.ofSeconds(5));
    var source = shared.source(InferenceService.class, "denied", AB_OF);
    source.setEventHandler(new Triggers());

    assertThatThrownBy(source::start).hasMessageContaining("inferenceservices");
    assertThat(source.isRunning()).isFalse();
    cluster.dispatcher.clearFaults();
    // Nothing was left half started: the next start lists and runs.
    source.start();
    try {
      assertThat(source.isRunning()).isTrue();
    } finally {
      source.stop();
    }
  }

  @Test
  void theOperatorWatchesEachKindOnceForItsPrimariesAndOnceForTheReaders() {
    try (OperatorHarness h = new OperatorHarness(cluster.withIstio("v1"), OperatorSettings.defaults())) {
      h.create(Fixtures.isvc("models", "m1", "img:1"));
      await().atMost(DEADLINE).until(() -> watchesOn("inferenceservices") >= 2);
      Map<String, Long> watches = cluster.dispatcher.requests().stream().filter(RecordingDispatcher.Request::isWatch)
          .map(r -> resource(r.path())).collect(Collectors.groupingBy(r -> r, Collectors.counting()));
      // The primaries' informer of each kind, and one shared by the others that read it; before, the four
      // traffic kinds watched InferenceServices four more times and each claimant kind three more times.
      assertThat(watches).containsEntry("inferenceservices", 2L).containsEntry("abtests", 2L)
          .containsEntry("shadowtests", 2L).containsEntry("canaries", 2L).containsEntry("circuitbreakers", 2L);
    }
  }

  private long watchesOn(String plural) {
    return cluster.dispatcher.requests().stream()
        .filter(r -> r.isWatch() && plural.equals(resource(r.path()))).count();
  }

  /** The resource a request path names: the segment before the query. */
  private static String resource(String path) {
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
