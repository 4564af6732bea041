package io.mlserving.operator.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.desired.ModelUri;
import io.mlserving.operator.testing.FakeModelRegistry;
import io.mlserving.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The resolver's sharing, polling and retry, with an in-memory registry and a clock the test moves. */
class ModelResolverTest {
  private static final String URL = "http://mlflow.mlflow:5000";
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final ModelUri CHAMPION = ModelUri.parse("models:/fraud@champion").orElseThrow();
  private static final ModelUri V3 = ModelUri.parse("models:/fraud/3").orElseThrow();

  private final FakeModelRegistry registry = new FakeModelRegistry()
      .version("fraud", "3", "s3://models/fraud/3").version("fraud", "4", "s3://models/fraud/4")
      .alias("fraud", "champion", "3");
  private final MutableClock clock = new MutableClock(T0);
  private final ModelResolver resolver = new ModelResolver(registry, clock);

  @Test
  void anAliasResolvesToItsVersionAndArtifactAndIsAskedAgainOnlyAfterThePollInterval() {
    ModelResolver.Result first = resolver.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    assertThat(first.resolution()).isEqualTo(Resolution.found("3", "s3://models/fraud/3", T0));
    assertThat(first.nextCheck()).contains(T0.plus(MINUTE));
    // Many resources and reconciles within the interval: no more requests.
    for (int i = 0; i < 50; i++) {
      resolver.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    }
    clock.advance(Duration.ofSeconds(59));
    resolver.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    assertThat(registry.aliasLookups).hasValue(1);
    assertThat(registry.downloadLookups).hasValue(1);

    registry.alias("fraud", "champion", "4");
    clock.advance(Duration.ofSeconds(1));
    ModelResolver.Result moved = resolver.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    assertThat(moved.resolution().version()).isEqualTo("4");
    assertThat(moved.resolution().artifactUri()).isEqualTo("s3://models/fraud/4");
    assertThat(registry.aliasLookups).hasValue(2);
  }

  @Test
  void thePinnedVersionSparesTheDownloadLookupAndAKnownVersionIsNotAskedTwice() {
    ModelStatus pin = new ModelStatus("models:/fraud@champion", "3", "s3://models/fraud/3", T0.toString(), URL);
    resolver.resolve(URL, CHAMPION, MINUTE, Optional.of(pin));
    assertThat(registry.downloadLookups).hasValue(0);
    registry.alias("fraud", "champion", "4");
    clock.advance(MINUTE);
    resolver.resolve(URL, CHAMPION, MINUTE, Optional.of(pin));
    registry.alias("fraud", "champion", "4");
    clock.advance(MINUTE);
    resolver.resolve(URL, CHAMPION, MINUTE, Optional.of(pin));
    // Version 4's artifact URI was asked once, then remembered (versions do not move).
    assertThat(registry.downloadLookups).hasValue(1);
    assertThat(registry.aliasLookups).hasValue(3);
  }

  @Test
  void aFixedVersionIsNeverPolled() {
    ModelResolver.Result r = resolver.resolve(URL, V3, MINUTE, Optional.empty());
    assertThat(r.resolution().artifactUri()).isEqualTo("s3://models/fraud/3");
    assertThat(r.nextCheck()).isEmpty();
    clock.advance(Duration.ofDays(1));
    resolver.resolve(URL, V3, MINUTE, Optional.empty());
    assertThat(registry.downloadLookups).hasValue(1);
    assertThat(registry.aliasLookups).hasValue(0);
  }

  @Test
  void failuresAreRetriedAfterThePollIntervalOrThirtySecondsWhicheverIsShorter() {
    registry.outage("connection refused");
    ModelResolver.Result down = resolver.resolve(URL, CHAMPION, Duration.ofMinutes(5), Optional.empty());
    assertThat(down.resolution().kind()).isEqualTo(Resolution.Kind.UNAVAILABLE);
    assertThat(down.resolution().message()).isEqualTo("connection refused");
    assertThat(down.nextCheck()).contains(T0.plus(ModelResolver.MAX_RETRY));
    ModelResolver.Result shortPoll = resolver.resolve(URL, ModelUri.parse("models:/fraud@shadow").orElseThrow(),
        Duration.ofSeconds(5), Optional.empty());
    assertThat(shortPoll.nextCheck()).contains(T0.plusSeconds(5));

    registry.outage(null);
    clock.advance(Duration.ofSeconds(29));
    assertThat(resolver.resolve(URL, CHAMPION, Duration.ofMinutes(5), Optional.empty()).resolution().kind())
        .isEqualTo(Resolution.Kind.UNAVAILABLE);
    clock.advance(Duration.ofSeconds(1));
    assertThat(resolver.resolve(URL, CHAMPION, Duration.ofMinutes(5), Optional.empty()).resolution().isFound())
        .isTrue();
  }

  @Test
  void aMissingAliasIsNotFoundAndDistinctRegistriesAreAskedSeparately() {
    ModelResolver.Result missing = resolver.resolve(URL, ModelUri.parse("models:/fraud@gone").orElseThrow(), MINUTE,
        Optional.empty());
    assertThat(missing.resolution().kind()).isEqualTo(Resolution.Kind.NOT_FOUND);
    assertThat(missing.resolution().message()).contains("alias gone of model fraud");
    resolver.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    resolver.resolve("http://other:5000", CHAMPION, MINUTE, Optional.empty());
    assertThat(registry.aliasLookups).hasValue(3);
  }

  @Test
  void aReconcileDoesNotWaitForASlowLookupWhenAnAnswerIsKnown() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ModelRegistry slow = new ModelRegistry() {
      @Override
      public RegistryAnswer aliasVersion(String url, String name, String alias) {
        if (clock.instant().isAfter(T0)) {
          entered.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return new RegistryAnswer.Found("3");
      }

      @Override
      public RegistryAnswer downloadUri(String url, String name, String version) {
        return new RegistryAnswer.Found("s3://models/fraud/" + version);
      }
    };
    ModelResolver r = new ModelResolver(slow, clock);
    r.resolve(URL, CHAMPION, MINUTE, Optional.empty());
    clock.advance(MINUTE);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<ModelResolver.Result> inFlight = pool.submit(() -> r.resolve(URL, CHAMPION, MINUTE, Optional.empty()));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // The lookup hangs in the registry; this caller gets the answer known, and is told to look again soon.
      ModelResolver.Result meanwhile = r.resolve(URL, CHAMPION, MINUTE, Optional.empty());
      assertThat(meanwhile.resolution().version()).isEqualTo("3");
      assertThat(meanwhile.nextCheck()).contains(clock.instant().plus(ModelResolver.BUSY_RETRY));
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).resolution().checkedAt()).isEqualTo(T0.plus(MINUTE));
    } finally {
      pool.shutdownNow();
    }
  }
}
