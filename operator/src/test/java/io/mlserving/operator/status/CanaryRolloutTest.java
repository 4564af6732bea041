package io.mlserving.operator.status;

import static io.mlserving.operator.testing.CanaryTestCrs.fraudRollout;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanaryPhase;
import io.mlserving.operator.api.v1alpha1.CanaryStatus;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import io.mlserving.operator.status.CanaryRollout.Decision;
import io.mlserving.operator.status.CanaryRollout.Models;
import io.mlserving.operator.status.CanaryRollout.RolloutEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Canary's rollout state machine as a table, state × event → state, with the time passed in (no clock): each
 * row is a status as the operator wrote it, what the reconciler observed (readiness, the checks made when they
 * were due) and the time; then the next phase, step, weight, failed checks, Ready condition, Events and when to
 * look again. Sequences (several looks, the status written between them as the API server stores it) cover what
 * one row cannot: failures that are not in a row, a restart in the middle, and the check schedule.
 */
class CanaryRolloutTest {
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  static final String URL = "http://prometheus.istio-system:9090";
  static final String LOADER_FAILED = "ModelLoadFailed: the model loader exited 1 fetching s3://models/fraud/v2";
  static final String STABLE_STARTING = "Progressing: 0/1 pods Ready";

  static final Models READY = new Models(true, null, true, null, 1L);
  static final Models CANARY_NOT_READY = new Models(true, null, false, LOADER_FAILED, 1L);
  static final Models NOTHING_READY = new Models(false, STABLE_STARTING, false, LOADER_FAILED, 1L);

  static Instant t(Duration after) {
    return T0.plus(after);
  }

  static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  static Duration m(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  // ---- checks as CanaryChecks makes them from Prometheus' answers ----

  static CanaryCheck successRate(double value, Instant at) {
    return CanaryChecks.evaluate(gate(CanaryMetric.SUCCESS_RATE), QueryResult.value(value), QueryResult.value(1000),
        20, "1m", at);
  }

  static CanaryCheck latency(double value, Instant at) {
    return CanaryChecks.evaluate(gate(CanaryMetric.LATENCY_P99), QueryResult.value(value), QueryResult.value(1000),
        20, "1m", at);
  }

  static CanaryMetric gate(String name) {
    return fraudRollout().getSpec().getAnalysis().getMetrics().stream().filter(g -> g.getName().equals(name))
        .findFirst().orElseThrow();
  }

  static List<CanaryCheck> pass(Instant at) {
    return List.of(successRate(99.6, at), latency(120, at));
  }

  static List<CanaryCheck> fail(Instant at) {
    return List.of(successRate(97.3, at), latency(120, at));
  }

  /** Both metrics with only 3 canary requests in the window (minRequests 20). */
  static List<CanaryCheck> inconclusive(Instant at) {
    return fraudRollout().getSpec().getAnalysis().getMetrics().stream()
        .map(g -> CanaryChecks.evaluate(g, QueryResult.value(3), QueryResult.value(3), 20, "1m", at)).toList();
  }

  /** Prometheus unreachable: every check Error. */
  static List<CanaryCheck> unreachable(Instant at) {
    QueryResult down = QueryResult.unreachable(URL, "Connection refused");
    return fraudRollout().getSpec().getAnalysis().getMetrics().stream()
        .map(g -> CanaryChecks.evaluate(g, down, down, 20, "1m", at)).toList();
  }

  // ---- statuses as the operator writes them ----

  /** {@code c} with a rollout status: this spec's generation, canary generation 1. */
  static Canary at(Canary c, CanaryPhase phase, int step, int weight, int failed, Instant started,
      List<CanaryCheck> checks) {
    CanaryStatus s = new CanaryStatus();
    s.setPhase(phase);
    s.setStep(step);
    s.setCanaryWeight(weight);
    s.setFailedChecks(failed);
    s.setStepStartedAt(CanaryRollout.time(started));
    s.setChecks(new ArrayList<>(checks));
    s.setRolloutGeneration(c.getMetadata().getGeneration());
    s.setCanaryGeneration(1L);
    s.setStable(c.getSpec().getStable());
    s.setCanary(c.getSpec().getCanary());
    c.setStatus(s);
    return c;
  }

  static Canary at(Canary c, CanaryPhase phase, int step, int weight, int failed, Instant started) {
    return at(c, phase, step, weight, failed, started, List.of());
  }

  static Canary waiting(Instant since) {
    return at(fraudRollout(), CanaryPhase.Waiting, CanaryStatus.WAITING_STEP, 0, 0, since);
  }

  static Canary progressing(int step, int failed, Instant started, List<CanaryCheck> checks) {
    Canary c = fraudRollout();
    return at(c, CanaryPhase.Progressing, step, c.getSpec().getSteps().get(step), failed, started, checks);
  }

  static Canary withoutStatus(Canary c) {
    c.setStatus(null);
    return c;
  }

  static Canary withoutAnalysis(Canary c) {
    c.getSpec().setAnalysis(null);
    return c;
  }

  static final String ROLLED_BACK_MESSAGE = "RolledBack: canary fraud-v2 gets 0 %; failed check 2/2: success-rate"
      + " 97.3 < 99 Fail. Fix the model (a new canary generation) or change the Canary's spec to start a new rollout.";

  static Canary rolledBack() {
    Canary c = at(fraudRollout(), CanaryPhase.RolledBack, 1, 0, 2, T0, fail(t(m(2))));
    c.getStatus().setConditions(List.of(Conditions.of(Conditions.READY, Conditions.FALSE, Reason.RolledBack.name(),
        ROLLED_BACK_MESSAGE, 1L)));
    return c;
  }

  static Canary promoted() {
    return at(fraudRollout(), CanaryPhase.Promoted, 2, 100, 0, T0, pass(t(m(1))));
  }

  /** A new spec: the API server bumps metadata.generation. */
  static Canary edited(Canary c, Consumer<Canary> edit) {
    edit.accept(c);
    c.getMetadata().setGeneration(c.getMetadata().getGeneration() + 1);
    return c;
  }

  static Models canaryGeneration(long generation) {
    return new Models(true, null, true, null, generation);
  }

  // ---- the table ----

  /** One row: what is given, and what the next state must be. */
  static final class Row {
    final String name;
    final Canary given;
    Models models = READY;
    List<CanaryCheck> checks;
    Instant now = T0;
    CanaryPhase phase;
    int step;
    int weight;
    int failed;
    boolean ready;
    Reason reason = Reason.Progressing;
    List<String> events = List.of();
    List<String> eventsSay = List.of();
    Duration requeue;
    List<String> says = List.of();
    Instant startedAt;

    Row(String name, Canary given) {
      this.name = name;
      this.given = given;
    }

    Row seeing(Models models) {
      this.models = models;
      return this;
    }

    /** The checks the reconciler made now; only rows where checksDue says so give them. */
    Row checked(List<CanaryCheck> checks) {
      this.checks = checks;
      return this;
    }

    Row now(Instant now) {
      this.now = now;
      return this;
    }

    Row then(CanaryPhase phase, int step, int weight, int failed) {
      this.phase = phase;
      this.step = step;
      this.weight = weight;
      this.failed = failed;
      if (phase == CanaryPhase.Promoted) {
        ready = true;
        reason = Reason.Promoted;
      } else if (phase == CanaryPhase.RolledBack) {
        reason = Reason.RolledBack;
      }
      return this;
    }

    Row events(String... reasons) {
      this.events = List.of(reasons);
      return this;
    }

    Row eventsSay(String... fragments) {
      this.eventsSay = List.of(fragments);
      return this;
    }

    Row requeue(Duration after) {
      this.requeue = after;
      return this;
    }

    Row says(String... fragments) {
      this.says = List.of(fragments);
      return this;
    }

    Row stepStartedAt(Instant t) {
      this.startedAt = t;
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Row> table() {
    return Stream.of(
        // -- Waiting
        new Row("no status, models not Ready: Waiting at 0 %", fraudRollout()).seeing(NOTHING_READY)
            .then(CanaryPhase.Waiting, -1, 0, 0).requeue(m(10)).stepStartedAt(T0)
            .says("Waiting", "0 %", "stable fraud-v1 is not Ready (" + STABLE_STARTING + ")",
                "canary fraud-v2 is not Ready (" + LOADER_FAILED + ")"),
        new Row("a null status, models not Ready: Waiting at 0 %", withoutStatus(fraudRollout()))
            .seeing(CANARY_NOT_READY).then(CanaryPhase.Waiting, -1, 0, 0).requeue(m(10)),
        new Row("no status, both Ready: step 1/3 at once", fraudRollout())
            .then(CanaryPhase.Progressing, 0, 5, 0).events("Step").eventsSay("step 1/3: canary fraud-v2 at 5 %")
            .requeue(m(1)).stepStartedAt(T0).says("step 1/3", "canary at 5 %"),
        new Row("Waiting, both Ready: step 0 at steps[0]", waiting(T0)).now(t(m(3)))
            .then(CanaryPhase.Progressing, 0, 5, 0).events("Step").requeue(m(1)).stepStartedAt(t(m(3))),
        new Row("Waiting, canary not Ready, before progressDeadline: waits", waiting(T0)).seeing(CANARY_NOT_READY)
            .now(t(m(4))).then(CanaryPhase.Waiting, -1, 0, 0).requeue(m(6)).stepStartedAt(T0)
            .says("canary fraud-v2 is not Ready (" + LOADER_FAILED + ")"),
        new Row("Waiting past progressDeadline: RolledBack naming the model and why", waiting(T0))
            .seeing(CANARY_NOT_READY).now(t(m(10))).then(CanaryPhase.RolledBack, -1, 0, 0).events("RolledBack")
            .eventsSay("progressDeadline 10m", LOADER_FAILED)
            .says("RolledBack", "canary fraud-v2 gets 0 %", "not Ready within progressDeadline 10m",
                "canary fraud-v2 is not Ready (" + LOADER_FAILED + ")"),
        // -- Progressing, on time
        new Row("Progressing before stepInterval: unchanged, back when the check is due",
            progressing(1, 0, T0, List.of())).now(t(s(20)))
            .then(CanaryPhase.Progressing, 1, 25, 0).requeue(s(40)).stepStartedAt(T0)
            .says("step 2/3", "canary at 25 %"),
        new Row("every check Pass: next step", progressing(1, 0, T0, List.of())).checked(pass(t(m(1)))).now(t(m(1)))
            .then(CanaryPhase.Progressing, 2, 50, 0).events("Step").eventsSay("step 3/3: canary fraud-v2 at 50 %")
            .requeue(m(1)).stepStartedAt(t(m(1)))
            .says("step 3/3", "canary at 50 %", "previous step: success-rate 99.6 ≥ 99 Pass",
                "latency-p99 120 ≤ 500 Pass", "next check at " + t(m(2))),
        new Row("the last step passes: Promoted, canary 100 %, Ready", progressing(2, 0, T0, List.of()))
            .checked(pass(t(m(1)))).now(t(m(1))).then(CanaryPhase.Promoted, 2, 100, 0).events("Promoted")
            .says("Promoted", "canary fraud-v2 serves 100 %", "3 steps"),
        // -- failed checks
        new Row("a Fail below failureThreshold: counted, same step, CheckFailed",
            progressing(1, 0, T0, List.of())).checked(fail(t(m(1)))).now(t(m(1)))
            .then(CanaryPhase.Progressing, 1, 25, 1).events("CheckFailed")
            .eventsSay("step 2/3: failed check 1/2: success-rate 97.3 < 99 Fail")
            .requeue(m(1)).stepStartedAt(T0).says("step 2/3", "canary at 25 %; success-rate 97.3 < 99 Fail"),
        new Row("a Fail reaching failureThreshold: RolledBack naming metric, value and bound",
            progressing(1, 1, T0, fail(t(m(1))))).checked(fail(t(m(2)))).now(t(m(2)))
            .then(CanaryPhase.RolledBack, 1, 0, 2).events("RolledBack")
            .says("canary fraud-v2 gets 0 %", "failed check 2/2", "success-rate 97.3 < 99 Fail"),
        new Row("an Error is a failed check", progressing(0, 0, T0, List.of())).checked(unreachable(t(m(1))))
            .now(t(m(1))).then(CanaryPhase.Progressing, 0, 5, 1).events("CheckFailed").requeue(m(1))
            .eventsSay("Prometheus at " + URL + " is unreachable"),
        new Row("an Error reaching failureThreshold: RolledBack with the Error's message",
            progressing(0, 1, T0, fail(t(m(1))))).checked(unreachable(t(m(2)))).now(t(m(2)))
            .then(CanaryPhase.RolledBack, 0, 0, 2).events("RolledBack")
            .says("failed check 2/2", "success-rate Error", "Prometheus at " + URL + " is unreachable"),
        // -- Inconclusive
        new Row("Inconclusive holds the step without counting", progressing(1, 0, T0, List.of()))
            .checked(inconclusive(t(m(1)))).now(t(m(1))).then(CanaryPhase.Progressing, 1, 25, 0).requeue(m(1))
            .stepStartedAt(T0).says("step 2/3", "canary at 25 %", "waiting: checks inconclusive",
                "the canary had 3 requests in the last 1m, fewer than minRequests 20"),
        new Row("Inconclusive at progressDeadline: RolledBack naming why",
            progressing(1, 0, T0, inconclusive(t(m(9))))).checked(inconclusive(t(m(10)))).now(t(m(10)))
            .then(CanaryPhase.RolledBack, 1, 0, 0).events("RolledBack")
            .says("step 2/3 did not advance within progressDeadline 10m", "checks inconclusive",
                "fewer than minRequests 20"),
        // -- the canary not Ready in the middle of a step (a crash-looping loader)
        new Row("canary not Ready mid-step: holds, back at progressDeadline",
            progressing(1, 0, T0, List.of())).seeing(CANARY_NOT_READY).now(t(m(5)))
            .then(CanaryPhase.Progressing, 1, 25, 0).requeue(m(5)).stepStartedAt(T0)
            .says("step 2/3", "canary at 25 %", "waiting: canary fraud-v2 is not Ready (" + LOADER_FAILED + ")"),
        new Row("canary not Ready at progressDeadline: RolledBack", progressing(1, 0, T0, List.of()))
            .seeing(CANARY_NOT_READY).now(t(m(10))).then(CanaryPhase.RolledBack, 1, 0, 0).events("RolledBack")
            .says("step 2/3 did not advance within progressDeadline 10m",
                "canary fraud-v2 is not Ready (" + LOADER_FAILED + ")"),
        // -- no analysis: time and readiness alone
        new Row("no analysis: the next step after stepInterval",
            withoutAnalysis(progressing(0, 0, T0, List.of()))).now(t(m(1)))
            .then(CanaryPhase.Progressing, 1, 25, 0).events("Step").requeue(m(1)).stepStartedAt(t(m(1))),
        new Row("no analysis: waits for stepInterval", withoutAnalysis(progressing(0, 0, T0, List.of())))
            .now(t(s(59))).then(CanaryPhase.Progressing, 0, 5, 0).requeue(s(1)),
        new Row("no analysis: the last step promotes", withoutAnalysis(progressing(2, 0, T0, List.of())))
            .now(t(m(1))).then(CanaryPhase.Promoted, 2, 100, 0).events("Promoted"),
        new Row("no analysis: a canary not Ready holds the step",
            withoutAnalysis(progressing(0, 0, T0, List.of()))).seeing(CANARY_NOT_READY).now(t(m(1)))
            .then(CanaryPhase.Progressing, 0, 5, 0).requeue(m(9)).says(LOADER_FAILED),
        // -- final phases
        new Row("Promoted is final", promoted()).now(t(Duration.ofHours(5)))
            .then(CanaryPhase.Promoted, 2, 100, 0).says("Promoted", "canary fraud-v2 serves 100 %"),
        new Row("Promoted stays Promoted when the canary stops being Ready", promoted()).seeing(CANARY_NOT_READY)
            .now(t(Duration.ofHours(5))).then(CanaryPhase.Promoted, 2, 100, 0),
        new Row("RolledBack is final and keeps its reason", rolledBack()).now(t(Duration.ofHours(5)))
            .then(CanaryPhase.RolledBack, 1, 0, 2).says(ROLLED_BACK_MESSAGE),
        // -- new rollouts
        new Row("a spec change after RolledBack: a new rollout, Waiting",
            edited(rolledBack(), c -> c.getSpec().setSteps(new ArrayList<>(List.of(10, 50))))).seeing(CANARY_NOT_READY)
            .now(t(m(30))).then(CanaryPhase.Waiting, -1, 0, 0).events("RolloutStarted").requeue(m(10))
            .stepStartedAt(t(m(30))).eventsSay("the Canary's spec changed (generation 2)"),
        new Row("a spec change after RolledBack, models Ready: a new rollout at its first step",
            edited(rolledBack(), c -> c.getSpec().setSteps(new ArrayList<>(List.of(10, 50))))).now(t(m(30)))
            .then(CanaryPhase.Progressing, 0, 10, 0).events("RolloutStarted", "Step").requeue(m(1))
            .says("step 1/2", "canary at 10 %"),
        new Row("a new canary generation after RolledBack: a new rollout", rolledBack())
            .seeing(canaryGeneration(2)).now(t(m(30))).then(CanaryPhase.Progressing, 0, 5, 0)
            .events("RolloutStarted", "Step").eventsSay("canary fraud-v2 has a new generation (2)").requeue(m(1)),
        new Row("after Promoted, stable and canary swapped in Git: Promoted at once, stable 100 %",
            edited(promoted(), c -> {
              c.getSpec().setStable("fraud-v2");
              c.getSpec().setCanary("fraud-v1");
            })).now(t(m(30))).then(CanaryPhase.Promoted, 2, 0, 0).events("Promoted")
            .says("fraud-v2", "serves 100 %"),
        new Row("after Promoted, a new canary: a new rollout", edited(promoted(), c -> {
          c.getSpec().setStable("fraud-v2");
          c.getSpec().setCanary("fraud-v3");
        })).now(t(m(30))).then(CanaryPhase.Progressing, 0, 5, 0).events("RolloutStarted", "Step").requeue(m(1))
            .says("step 1/3", "canary at 5 %"),
        new Row("a spec change in the middle of a rollout: it starts over",
            edited(progressing(2, 1, T0, fail(t(m(1)))), c -> c.getSpec().setStepInterval("2m"))).now(t(m(3)))
            .then(CanaryPhase.Progressing, 0, 5, 0).events("RolloutStarted", "Step").requeue(m(2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void nextState(Row row) {
    assertThat(CanaryRollout.checksDue(row.given, row.models, row.now))
        .as("checksDue (rows give checks exactly when they are due)").isEqualTo(row.checks != null);

    Decision d = CanaryRollout.next(row.given, row.models, Optional.ofNullable(row.checks), row.now);

    CanaryStatus s = d.status();
    assertThat(s.getPhase()).as("phase").isEqualTo(row.phase);
    assertThat(s.getStep()).as("step").isEqualTo(row.step);
    assertThat(s.getCanaryWeight()).as("canaryWeight").isEqualTo(row.weight);
    assertThat(s.getFailedChecks()).as("failedChecks").isEqualTo(row.failed);
    assertThat(d.ready()).as("Ready").isEqualTo(row.ready);
    assertThat(d.reason()).as("reason").isEqualTo(row.reason);
    if (!row.says.isEmpty()) {
      assertThat(d.message()).as("message").contains(row.says);
    }
    assertThat(d.events()).extracting(RolloutEvent::reason).as("events").containsExactlyElementsOf(row.events);
    for (String fragment : row.eventsSay) {
      assertThat(d.events()).extracting(RolloutEvent::note).as("event notes").anyMatch(n -> n.contains(fragment));
    }
    assertThat(d.events()).allMatch(e -> e.type().equals(e.reason().equals("RolledBack")
        || e.reason().equals("CheckFailed") ? RolloutEvent.WARNING : RolloutEvent.NORMAL), "Warning for bad news");
    assertThat(d.requeueAfter()).as("requeueAfter").isEqualTo(Optional.ofNullable(row.requeue));
    if (row.startedAt != null) {
      assertThat(s.getStepStartedAt()).as("stepStartedAt").isEqualTo(CanaryRollout.time(row.startedAt));
    }
    if (row.checks != null) {
      assertThat(s.getChecks()).as("the checks made are kept in status").containsExactlyElementsOf(row.checks);
    }
    // What the rollout is about, whatever happened.
    assertThat(s.getStable()).isEqualTo(row.given.getSpec().getStable());
    assertThat(s.getCanary()).isEqualTo(row.given.getSpec().getCanary());
    assertThat(s.getRolloutGeneration()).isEqualTo(row.given.getMetadata().getGeneration());
    assertThat(s.getCanaryGeneration()).isEqualTo(row.models.canaryGeneration());
  }

  @Test
  void nextDoesNotChangeTheStatusItWasGiven() {
    Canary c = progressing(1, 0, T0, List.of());
    String before = Serialization.asJson(c);
    CanaryRollout.next(c, READY, Optional.of(fail(t(m(1)))), t(m(1)));
    assertThat(Serialization.asJson(c)).isEqualTo(before);
  }

  @Test
  void aStepBeforeItsIntervalIsTheSameStatus() {
    Canary c = progressing(1, 1, T0, fail(t(m(1))));
    Decision d = CanaryRollout.next(c, READY, Optional.empty(), t(m(1)).plusSeconds(30));
    assertThat(rollout(d.status())).isEqualTo(rollout(c.getStatus()));
    assertThat(d.requeueAfter()).contains(s(30));
  }

  // ---- sequences: several looks, the status written between them ----

  /** What the reconciler writes after a decision, as the API server then serves it back (a JSON round trip). */
  static Canary written(Canary c, Decision d, Instant now) {
    CanaryStatus next = d.status();
    List<Condition> before = c.getStatus() == null ? List.of() : c.getStatus().getConditions();
    next.setConditions(Conditions.put(before, Conditions.of(Conditions.READY,
        d.ready() ? Conditions.TRUE : Conditions.FALSE, d.reason().name(), d.message(),
        c.getMetadata().getGeneration()), now));
    next.setObservedGeneration(c.getMetadata().getGeneration());
    Canary out = Serialization.unmarshal(Serialization.asJson(c), Canary.class);
    out.setStatus(Serialization.unmarshal(Serialization.asJson(next), CanaryStatus.class));
    return out;
  }

  /** A reconciler's look: the checks when due (from {@code checker}), the decision, the status written. */
  static final class Rollout {
    Canary canary;
    Models models = READY;
    Function<Instant, List<CanaryCheck>> checker = CanaryRolloutTest::pass;
    final List<Decision> decisions = new ArrayList<>();
    int checksMade;

    Rollout(Canary canary) {
      this.canary = canary;
    }

    Decision look(Instant now) {
      Optional<List<CanaryCheck>> checks = Optional.empty();
      if (CanaryRollout.checksDue(canary, models, now)) {
        checks = Optional.of(checker.apply(now));
        checksMade++;
      }
      Decision d = CanaryRollout.next(canary, models, checks, now);
      decisions.add(d);
      canary = written(canary, d, now);
      return d;
    }

    /** Looks when the decision says to, until it says nothing more (final) or {@code limit} looks. */
    Decision run(Instant from, int limit) {
      Instant now = from;
      Decision d = look(now);
      for (int i = 1; i < limit && d.requeueAfter().isPresent(); i++) {
        now = now.plus(d.requeueAfter().get());
        d = look(now);
      }
      return d;
    }

    CanaryStatus status() {
      return canary.getStatus();
    }
  }

  @Test
  void aHealthyCanaryWalksEveryStepThenIsPromoted() {
    Rollout r = new Rollout(fraudRollout());
    List<Integer> weights = new ArrayList<>();
    Instant now = T0;
    Decision d = r.look(now);
    weights.add(r.status().getCanaryWeight());
    while (d.requeueAfter().isPresent()) {
      now = now.plus(d.requeueAfter().get());
      d = r.look(now);
      weights.add(r.status().getCanaryWeight());
    }
    assertThat(weights).containsExactly(5, 25, 50, 100);
    assertThat(now).isEqualTo(t(m(3)));
    assertThat(r.checksMade).isEqualTo(3);
    assertThat(r.status().getPhase()).isEqualTo(CanaryPhase.Promoted);
    assertThat(Conditions.isReady(r.status().getConditions())).isTrue();
    assertThat(r.decisions).flatMap(Decision::events).extracting(RolloutEvent::reason)
        .containsExactly("Step", "Step", "Step", "Promoted");
  }

  @Test
  void failedChecksCountAcrossStepsNotOnlyInARow() {
    Rollout r = new Rollout(fraudRollout());
    List<List<CanaryCheck>> answers = new ArrayList<>(List.of(fail(T0), pass(T0), fail(T0)));
    // Each check as Prometheus answers it at the time it is made: fail, then pass, then fail.
    r.checker = now -> answers.remove(0).stream().map(k -> withTime(k, now)).toList();
    r.look(T0);
    r.look(t(m(1)));
    assertThat(r.status()).satisfies(s -> {
      assertThat(s.getStep()).isZero();
      assertThat(s.getFailedChecks()).isEqualTo(1);
    });
    r.look(t(m(2)));
    assertThat(r.status()).satisfies(s -> {
      assertThat(s.getStep()).as("the pass advanced").isEqualTo(1);
      assertThat(s.getFailedChecks()).as("a pass does not reset the count").isEqualTo(1);
    });
    Decision last = r.look(t(m(3)));
    assertThat(r.status().getPhase()).isEqualTo(CanaryPhase.RolledBack);
    assertThat(r.status().getCanaryWeight()).isZero();
    assertThat(r.status().getFailedChecks()).isEqualTo(2);
    assertThat(last.message()).contains("failed check 2/2", "success-rate 97.3 < 99 Fail");
  }

  @Test
  void failureThresholdDefaultsToTwoAndOneRollsBackAtTheFirstFail() {
    Canary byDefault = progressing(0, 1, T0, fail(t(m(1))));
    byDefault.getSpec().getAnalysis().setFailureThreshold(null);
    assertThat(CanaryRollout.next(byDefault, READY, Optional.of(fail(t(m(2)))), t(m(2))).status().getPhase())
        .isEqualTo(CanaryPhase.RolledBack);

    Canary strict = progressing(0, 0, T0, List.of());
    strict.getSpec().getAnalysis().setFailureThreshold(1);
    Decision d = CanaryRollout.next(strict, READY, Optional.of(fail(t(m(1)))), t(m(1)));
    assertThat(d.status().getPhase()).isEqualTo(CanaryPhase.RolledBack);
    assertThat(d.message()).contains("failed check 1/1");
  }

  @Test
  void checksRunEveryStepIntervalWhileAStepWaits() {
    // Inconclusive for the whole deadline: a check each stepInterval, never more often, then the rollback.
    Rollout r = new Rollout(fraudRollout());
    r.checker = CanaryRolloutTest::inconclusive;
    Decision d = r.run(T0, 100);
    assertThat(d.reason()).isEqualTo(Reason.RolledBack);
    assertThat(r.checksMade).as("one check a minute for 10 minutes").isEqualTo(10);
    assertThat(r.decisions).hasSize(11);
    assertThat(d.message()).contains("step 1/3 did not advance within progressDeadline 10m", "minRequests 20");
  }

  @Test
  void aCrashLoopingCanaryRollsBackAtTheDeadlineWithoutPollingEverySecond() {
    // flagger#1578: the deadline must hold while the canary's pods crash-loop. The InferenceService informer brings
    // a reconcile when readiness changes, so the wait itself needs only the deadline's wake-up.
    Rollout r = new Rollout(fraudRollout());
    r.look(T0);
    r.look(t(m(1)));
    assertThat(r.status().getStep()).isEqualTo(1);
    r.models = CANARY_NOT_READY;
    Decision d = r.run(t(m(1)).plusSeconds(30), 100);
    assertThat(d.reason()).isEqualTo(Reason.RolledBack);
    assertThat(d.message()).contains("step 2/3 did not advance within progressDeadline 10m", LOADER_FAILED);
    assertThat(r.decisions.size()).as("looks while the canary was not Ready").isLessThanOrEqualTo(2 + 3);
  }

  @Test
  void theSameStatusGivesTheSameDecisionAfterARestart() {
    // The state machine keeps nothing in memory: a restarted operator that reads the status back decides the same.
    Rollout r = new Rollout(fraudRollout());
    r.checker = new Function<>() {
      int calls;

      @Override
      public List<CanaryCheck> apply(Instant now) {
        return calls++ == 1 ? fail(now) : pass(now);
      }
    };
    Instant now = T0;
    for (int look = 0; look < 8; look++) {
      Canary stored = r.canary;
      Optional<List<CanaryCheck>> checks = CanaryRollout.checksDue(stored, READY, now)
          ? Optional.of(pass(now)) : Optional.empty();
      Canary restarted = Serialization.unmarshal(Serialization.asJson(stored), Canary.class);
      assertThat(snapshot(CanaryRollout.next(restarted, READY, checks, now)))
          .as("look %d", look).isEqualTo(snapshot(CanaryRollout.next(stored, READY, checks, now)));
      Decision d = r.look(now);
      if (d.requeueAfter().isEmpty()) {
        break;
      }
      now = now.plus(d.requeueAfter().get());
    }
    assertThat(r.status().getPhase()).isEqualTo(CanaryPhase.Promoted);
    assertThat(r.status().getFailedChecks()).isEqualTo(1);
  }

  @Test
  void aRestartInTheMiddleOfAStepResumesItsScheduleFromStatus() {
    // The operator was down from 40 s into step 2 until 10 minutes later: the step's deadline counted on.
    Canary c = progressing(1, 0, T0, List.of());
    Decision early = CanaryRollout.next(c, READY, Optional.empty(), t(s(40)));
    assertThat(early.requeueAfter()).contains(s(20));
    assertThat(CanaryRollout.checksDue(c, READY, t(m(10)))).isTrue();
    Decision late = CanaryRollout.next(c, READY, Optional.of(inconclusive(t(m(10)))), t(m(10)));
    assertThat(late.reason()).isEqualTo(Reason.RolledBack);
    // ... unless the late check passes: the evidence is there, the step advances.
    Decision lucky = CanaryRollout.next(c, READY, Optional.of(pass(t(m(10)))), t(m(10)));
    assertThat(lucky.status().getStep()).isEqualTo(2);
  }

  @Test
  void finalPhasesSayTheSameOnEveryLaterLook() {
    for (Canary c : List.of(promoted(), rolledBack())) {
      Rollout r = new Rollout(c);
      Decision first = r.look(t(m(20)));
      for (Instant later : List.of(t(m(21)), t(Duration.ofHours(3)), t(Duration.ofDays(40)))) {
        Decision again = r.look(later);
        assertThat(snapshot(again)).isEqualTo(snapshot(first));
        assertThat(again.requeueAfter()).isEmpty();
        assertThat(again.events()).isEmpty();
      }
    }
  }

  @Test
  void aRolledBackRolloutStartsOverWithACleanSlate() {
    Canary c = edited(rolledBack(), x -> x.getSpec().setStepInterval("30s"));
    Decision d = CanaryRollout.next(c, CANARY_NOT_READY, Optional.empty(), t(m(30)));
    assertThat(d.status().getFailedChecks()).isZero();
    assertThat(d.status().getChecks()).as("the old rollout's checks").isEmpty();
    assertThat(d.status().getRolloutGeneration()).isEqualTo(2L);
    assertThat(d.reason()).isEqualTo(Reason.Progressing);
    assertThat(d.ready()).isFalse();
    assertThat(d.events()).extracting(RolloutEvent::note).singleElement().asString()
        .contains("New rollout", "generation 2", "0 %");
  }

  @Test
  void swappingBackAfterAPromotedSwapRollsTheCanaryOutAgain() {
    // Promoted fraud-v2, swapped in Git (stable fraud-v2, canary fraud-v1: Promoted at once, fraud-v2 at 100 %),
    // then the swap reverted (a Git revert, an Argo CD rollback): fraud-v1 is the stable again and fraud-v2 was
    // not rolled out over it, so this is a new rollout, not a promotion nobody made.
    Rollout r = new Rollout(edited(promoted(), c -> {
      c.getSpec().setStable("fraud-v2");
      c.getSpec().setCanary("fraud-v1");
    }));
    Decision swapped = r.look(t(m(30)));
    assertThat(swapped.reason()).isEqualTo(Reason.Promoted);
    assertThat(r.status().getCanaryWeight()).isZero();

    r.canary = edited(r.canary, c -> {
      c.getSpec().setStable("fraud-v1");
      c.getSpec().setCanary("fraud-v2");
    });
    r.models = CANARY_NOT_READY;
    Decision reverted = r.look(t(m(40)));
    assertThat(reverted.reason()).isEqualTo(Reason.Progressing);
    assertThat(r.status().getPhase()).isEqualTo(CanaryPhase.Waiting);
    assertThat(r.status().getCanaryWeight()).isZero();
    assertThat(reverted.events()).extracting(RolloutEvent::reason).containsExactly("RolloutStarted");
  }

  @Test
  void aSwapBeforeAnyPromotionIsANewRollout() {
    // Only a promotion makes the swap a no-op: swapping a RolledBack pair rolls the other model out.
    Canary c = edited(rolledBack(), x -> {
      x.getSpec().setStable("fraud-v2");
      x.getSpec().setCanary("fraud-v1");
    });
    Decision d = CanaryRollout.next(c, READY, Optional.empty(), t(m(30)));
    assertThat(d.status().getPhase()).isEqualTo(CanaryPhase.Progressing);
    assertThat(d.status().getCanaryWeight()).isEqualTo(5);
  }

  // ---- checksDue ----

  static Stream<Object[]> checksDueTable() {
    return Stream.of(
        new Object[] {"no status", fraudRollout(), READY, T0, false},
        new Object[] {"Waiting", waiting(T0), READY, t(m(5)), false},
        new Object[] {"Progressing, before stepInterval", progressing(0, 0, T0, List.of()), READY, t(s(59)), false},
        new Object[] {"Progressing, at stepInterval", progressing(0, 0, T0, List.of()), READY, t(m(1)), true},
        new Object[] {"Progressing, long after", progressing(0, 0, T0, List.of()), READY, t(m(7)), true},
        new Object[] {"Progressing, stepInterval after the last check", progressing(0, 1, T0, fail(t(m(1)))), READY,
            t(m(2)), true},
        new Object[] {"Progressing, less than stepInterval after the last check", progressing(0, 1, T0,
            fail(t(m(1)))), READY, t(m(2)).minusSeconds(1), false},
        new Object[] {"Progressing, canary not Ready", progressing(0, 0, T0, List.of()), CANARY_NOT_READY, t(m(1)),
            false},
        new Object[] {"Progressing, stable not Ready", progressing(0, 0, T0, List.of()),
            new Models(false, STABLE_STARTING, true, null, 1L), t(m(1)), false},
        new Object[] {"Progressing, no analysis", withoutAnalysis(progressing(0, 0, T0, List.of())), READY, t(m(1)),
            false},
        new Object[] {"Promoted", promoted(), READY, t(m(5)), false},
        new Object[] {"RolledBack", rolledBack(), READY, t(m(5)), false},
        new Object[] {"Progressing, but the spec changed (a new rollout waits first)",
            edited(progressing(0, 0, T0, List.of()), c -> c.getSpec().setTimeout("5s")), READY, t(m(5)), false});
  }

  @ParameterizedTest(name = "{0}: {4}")
  @MethodSource("checksDueTable")
  void checksDue(String name, Canary c, Models models, Instant now, boolean due) {
    assertThat(CanaryRollout.checksDue(c, models, now)).isEqualTo(due);
  }

  // ---- helpers ----

  static CanaryCheck withTime(CanaryCheck k, Instant now) {
    return new CanaryCheck(k.getName(), k.getValue(), k.getMin(), k.getMax(), k.getResult(), k.getMessage(),
        CanaryChecks.time(now));
  }

  /** The rollout fields of a status, comparable. */
  static Map<String, Object> rollout(CanaryStatus s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("phase", s.getPhase());
    out.put("step", s.getStep());
    out.put("canaryWeight", s.getCanaryWeight());
    out.put("failedChecks", s.getFailedChecks());
    out.put("stepStartedAt", s.getStepStartedAt());
    out.put("checks", Serialization.asJson(s.getChecks()));
    out.put("canaryGeneration", s.getCanaryGeneration());
    out.put("rolloutGeneration", s.getRolloutGeneration());
    out.put("stable", s.getStable());
    out.put("canary", s.getCanary());
    return out;
  }

  /** Everything a decision says, comparable. */
  static String snapshot(Decision d) {
    return rollout(d.status()) + " ready=" + d.ready() + " " + d.reason() + " " + d.message() + " "
        + d.events() + " " + d.requeueAfter();
  }

  @Test
  void describeShowsValueBoundAndResult() {
    assertThat(CanaryRollout.describe(successRate(99.6, T0))).isEqualTo("success-rate 99.6 ≥ 99 Pass");
    assertThat(CanaryRollout.describe(successRate(97.25, T0))).isEqualTo("success-rate 97.25 < 99 Fail");
    assertThat(CanaryRollout.describe(latency(612.5, T0))).isEqualTo("latency-p99 612.5 > 500 Fail");
    assertThat(CanaryRollout.describe(unreachable(T0).get(0)))
        .startsWith("success-rate Error: could not count the canary's requests: Prometheus at " + URL);
    CanaryCheck between = CanaryChecks.evaluate(
        io.mlserving.operator.testing.CanaryTestCrs.custom("errors", "x", 0.0, 0.5), QueryResult.value(0.125),
        QueryResult.value(100), 1, "1m", T0);
    assertThat(CanaryRollout.describe(between)).isEqualTo("errors 0.125 in [0, 0.5] Pass");
    assertThat(Arrays.stream(CheckResult.values()).map(Enum::name))
        .containsExactly("Pass", "Fail", "Inconclusive", "Error");
  }
}
