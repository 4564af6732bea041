package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.LogCapture;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.testing.RecordingDispatcher.Fault;
import io.mlserving.operator.testing.RecordingDispatcher.Request;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failed write of each kind the operator makes, with each kind of failure: while the fault lasts the operator
 * says so (in the Ready condition, or in its log when it is the status write that fails); once the API server
 * heals it converges within 3 reconciles of the fault, with exactly the objects it should have, and goes quiet.
 *
 * <p>The operator never POSTs: it creates and updates generated objects with server-side apply (a PATCH that
 * creates a missing object), and writes status with a JSON patch of the status subresource. So "create" is the
 * first apply of the Deployment, "patch" an apply that changes an existing Deployment, "status" the status patch.
 */
class WriteFaultsTest {
  private static final String NAME = "fraud";

  /** Which write fails. */
  enum Write { CREATE, PATCH, STATUS }

  /** How it fails. */
  enum Failure {
    /** 409 Conflict. */
    CONFLICT(409, "HTTP 409"),
    /** 500 Internal Server Error. */
    SERVER_ERROR(500, "HTTP 500"),
    /**
     * No answer within the request timeout; the write never reached storage. The JDK client reports the timeout
     * itself, or, when its connection is torn down first, a connection closed locally.
     */
    TIMEOUT(0, "(timed out|connection closed)"),
    /** The write reached storage, but its answer came after the request timeout. */
    LATE_ANSWER(0, null);

    final int code;
    /** A regular expression found in the reported error. */
    final String shown;

    Failure(int code, String shown) {
      this.code = code;
      this.shown = shown;
    }
  }

  private OperatorHarness h;

  @BeforeEach
  void start() {
    h = Faults.operator();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  static Stream<Arguments> matrix() {
    return Stream.of(Write.values()).flatMap(w -> Stream.of(Failure.values()).map(f -> Arguments.of(w, f)));
  }

  @ParameterizedTest(name = "{0} fails with {1}")
  @MethodSource("matrix")
  void showsTheErrorThenConvergesWithinThreeReconciles(Write write, Failure failure) {
    String image = "ghcr.io/acme/fraud:1";
    if (write == Write.PATCH) {
      create(image);
      h.markAvailable(NS, NAME);
      h.awaitStatus(InferenceService.class, NS, NAME, s -> Conditions.isReady(s.getConditions()));
      Faults.awaitQuiet(h, Duration.ofMillis(300));
    }
    Predicate<Request> target = write == Write.STATUS ? Faults.status("inferenceservices", NAME)
        : Faults.apply("deployments", NAME);
    try (LogCapture logs = new LogCapture()) {
      h.metrics.reset();
      Fault fault = inject(target, failure);

      if (write == Write.PATCH) {
        image = "ghcr.io/acme/fraud:2";
        String newImage = image;
        // edit() patches without a resourceVersion: no race with the operator's status writes.
        h.cluster.client.resources(InferenceService.class).inNamespace(NS).withName(NAME).edit(isvc -> {
          isvc.getSpec().getPredictor().setImage(newImage);
          return isvc;
        });
      } else {
        create(image);
      }

      if (failure.shown != null) {
        // The fault lasts until the test has seen the operator report it, then the API server heals.
        if (write == Write.STATUS) {
          // Status is what cannot be written: the reconcile's status patch and the error status patch both
          // fail, and the log says why.
          await().atMost(OperatorHarness.DEADLINE).until(() -> fault.hits() >= 2);
          await().atMost(OperatorHarness.DEADLINE).until(() -> logs.lines().stream().anyMatch(l ->
              l.startsWith("WARN") && l.contains("Reconciling InferenceService models/" + NAME + " failed")
                  && java.util.regex.Pattern.compile(failure.shown).matcher(l).find()));
        } else {
          InferenceService failing = h.awaitReason(InferenceService.class, NS, NAME, Reason.ReconcileError.name());
          var ready = Conditions.find(failing.getStatus().getConditions(), Conditions.READY).orElseThrow();
          assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
          assertThat(ready.getMessage()).containsPattern(failure.shown);
        }
        h.cluster.dispatcher.clearFaults();
      }

      String wanted = image;
      await().atMost(OperatorHarness.DEADLINE).untilAsserted(() -> assertConverged(wanted));
      // A late answer lands the write but fails the request: the operator reports ReconcileError after the
      // write and corrects it on its first retry, 2 s later. Quiet must outlast that retry.
      Faults.awaitQuiet(h, failure == Failure.LATE_ANSWER ? Duration.ofMillis(2_500) : Duration.ofMillis(700));
      assertConverged(wanted);
      InferenceService isvc = h.get(InferenceService.class, NS, NAME).orElseThrow();

      assertThat(fault.hits()).as("the fault was hit").isPositive();
      assertThat(h.metrics.of("InferenceService", NS, NAME)).as("reconciles since the fault").isBetween(1, 3);
      Faults.assertGeneratedExactly(h, Faults.children(isvc,
          "Deployment/" + NAME, "Service/" + NAME, "HorizontalPodAutoscaler/" + NAME));
    }
  }

  private void assertConverged(String image) {
    InferenceService isvc = h.get(InferenceService.class, NS, NAME).orElseThrow();
    assertThat(isvc.getStatus()).isNotNull();
    assertThat(isvc.getStatus().getObservedGeneration()).isEqualTo(isvc.getMetadata().getGeneration());
    assertThat(Faults.readyReason(isvc)).isIn(Reason.Progressing.name(), Reason.Ready.name());
    Deployment d = h.get(Deployment.class, NS, NAME).orElseThrow();
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(image);
  }

  private Fault inject(Predicate<Request> target, Failure failure) {
    var dispatcher = h.cluster.dispatcher;
    return switch (failure) {
      case CONFLICT, SERVER_ERROR -> dispatcher.failNext(target, failure.code, Integer.MAX_VALUE);
      case TIMEOUT -> dispatcher.delayNext(target, 504, Faults.LATE_MS, Integer.MAX_VALUE);
      case LATE_ANSWER -> dispatcher.slowNext(target, Faults.LATE_MS, 1);
    };
  }

  private void create(String image) {
    InferenceService isvc = Fixtures.isvcWithModel(NS, NAME, "s3://models/fraud/v1");
    isvc.getSpec().getPredictor().setImage(image);
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMinReplicas(1);
    as.setMaxReplicas(4);
    isvc.getSpec().setAutoscaling(as);
    h.create(isvc);
  }
}
