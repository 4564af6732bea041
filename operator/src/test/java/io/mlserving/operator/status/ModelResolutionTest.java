package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceStatus;
import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.registry.Resolution;
import io.mlserving.operator.testing.Fixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The registry side of an InferenceService's status: pin, ModelResolved, Ready, Events. Table-driven. */
class ModelResolutionTest {
  private static final String URL = "http://mlflow.mlflow:5000";
  private static final String URI = "models:/fraud@champion";
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant NOW = T0.plusSeconds(600);
  private static final ModelStatus PIN3 = new ModelStatus(URI, "3", "s3://models/fraud/3", T0.toString(), URL);

  private static InferenceService isvc(ModelStatus pin, Condition... conditions) {
    InferenceService isvc = Fixtures.isvcWithModel("models", "fraud", URI);
    isvc.getMetadata().setGeneration(2L);
    InferenceServiceStatus status = new InferenceServiceStatus();
    status.setModel(pin);
    List<Condition> list = new ArrayList<>();
    for (Condition c : conditions) {
      list.add(c);
    }
    status.setConditions(list);
    isvc.setStatus(status);
    return isvc;
  }

  private static Condition resolvedFalse(String reason) {
    return Conditions.of(ModelResolution.CONDITION, Conditions.FALSE, reason, "m", 2L);
  }

  /** name, pinned before, answer, expected version pinned (null none), ModelResolved reason, Ready reason, Events. */
  static Stream<Arguments> cases() {
    Resolution found3 = Resolution.found("3", "s3://models/fraud/3", NOW);
    Resolution found4 = Resolution.found("4", "mlflow-artifacts:/1/abc/artifacts/model", NOW);
    Resolution missing = Resolution.notFound("alias champion of model fraud not found in " + URL, NOW);
    Resolution down = Resolution.unavailable("MLflow registry " + URL + " did not resolve alias champion: refused", NOW);
    Resolution local = Resolution.found("5", "file:///mlruns/1/abc/artifacts/model", NOW);
    return Stream.of(
        Arguments.of("first resolution pins", null, found3, "3", "Resolved", null, List.of()),
        Arguments.of("same version: pin unchanged", PIN3, found3, "3", "Resolved", null, List.of()),
        Arguments.of("alias moved: new pin and an Event", PIN3, found4, "4", "Resolved", null,
            List.of("Normal ModelVersionChanged")),
        Arguments.of("alias deleted under a pin: keeps serving, Ready False", PIN3, missing, "3", "ModelNotFound",
            "ModelNotFound", List.of()),
        Arguments.of("not found, nothing pinned", null, missing, null, "ModelNotFound", "ModelNotFound", List.of()),
        Arguments.of("outage under a pin: Ready untouched, a Warning", PIN3, down, "3", "RegistryUnavailable", null,
            List.of("Warning RegistryUnavailable")),
        Arguments.of("outage with nothing pinned: Ready False", null, down, null, "RegistryUnavailable",
            "RegistryUnavailable", List.of()),
        Arguments.of("unloadable artifact URI, nothing pinned", null, local, null, "UnsupportedArtifactUri",
            "UnsupportedArtifactUri", List.of()),
        Arguments.of("alias moved to an unloadable version: the old one serves", PIN3, local, "3",
            "UnsupportedArtifactUri", "UnsupportedArtifactUri", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void table(String name, ModelStatus pin, Resolution answer, String version, String resolvedReason,
      String readyReason, List<String> events) {
    ModelResolution.Outcome o = ModelResolution.next(isvc(pin), URL, Optional.of(answer), NOW);
    assertThat(o.model() == null ? null : o.model().getVersion()).isEqualTo(version);
    assertThat(o.pinned()).isEqualTo(version != null);
    assertThat(o.condition().getType()).isEqualTo("ModelResolved");
    assertThat(o.condition().getReason()).isEqualTo(resolvedReason);
    assertThat(o.condition().getStatus()).isEqualTo("Resolved".equals(resolvedReason) ? "True" : "False");
    assertThat(o.ready().map(InferenceServiceReadiness.Verdict::reason).orElse(null)).isEqualTo(readyReason);
    o.ready().ifPresent(v -> assertThat(v.status()).isEqualTo("False"));
    assertThat(o.notes()).extracting(n -> n.type() + " " + n.reason()).isEqualTo(events);
    // Every reason an SRE sees on Ready is one of the Ready reasons.
    if (readyReason != null) {
      assertThat(Reason.valueOf(readyReason).degraded()).isTrue();
    }
  }

  @Test
  void aKeptPinKeepsItsResolvedAtAndANewOneTakesTheTimeOfTheAnswer() {
    ModelResolution.Outcome same = ModelResolution.next(isvc(PIN3), URL,
        Optional.of(Resolution.found("3", "s3://models/fraud/3", NOW)), NOW);
    assertThat(same.model()).isEqualTo(PIN3);
    ModelResolution.Outcome moved = ModelResolution.next(isvc(PIN3), URL,
        Optional.of(Resolution.found("4", "s3://models/fraud/4", NOW.minusMillis(1500))), NOW);
    assertThat(moved.model().getResolvedAt()).isEqualTo("2026-12-01T10:09:58Z");
    assertThat(moved.model().getResolvedUri()).isEqualTo("s3://models/fraud/4");
    assertThat(moved.model().getRegistryUrl()).isEqualTo(URL);
    assertThat(moved.notes().get(0).note())
        .isEqualTo("models:/fraud@champion moved from version 3 to 4: rolling out s3://models/fraud/4");
  }

  @Test
  void messagesNameWhatIsMissingAndWhatKeepsServing() {
    ModelResolution.Outcome gone = ModelResolution.next(isvc(PIN3), URL,
        Optional.of(Resolution.notFound("alias champion of model fraud not found in the MLflow registry at " + URL,
            NOW)), NOW);
    assertThat(gone.ready().orElseThrow().message()).contains("alias champion of model fraud", URL,
        "version 3 (pinned) keeps serving");
    ModelResolution.Outcome noRegistry = ModelResolution.next(isvc(null), null, Optional.empty(), NOW);
    assertThat(noRegistry.ready().orElseThrow().reason()).isEqualTo("RegistryUnavailable");
    assertThat(noRegistry.ready().get().message()).contains("spec.model.registry.url", "MLFLOW_TRACKING_URI",
        "mlflow.trackingUri");
  }

  @Test
  void recoveryGetsAnEventOnlyWhenReadyDidNotCarryTheFailure() {
    ModelResolution.Outcome afterOutage = ModelResolution.next(isvc(PIN3, resolvedFalse("RegistryUnavailable")),
        URL, Optional.of(Resolution.found("3", "s3://models/fraud/3", NOW)), NOW);
    assertThat(afterOutage.notes()).extracting(ModelResolution.Note::reason).containsExactly("Resolved");
    Condition readyFalse = Conditions.of(Conditions.READY, Conditions.FALSE, "ModelNotFound", "m", 2L);
    ModelResolution.Outcome afterMissing = ModelResolution.next(isvc(PIN3, resolvedFalse("ModelNotFound"),
        readyFalse), URL, Optional.of(Resolution.found("3", "s3://models/fraud/3", NOW)), NOW);
    assertThat(afterMissing.notes()).isEmpty();
    // The same outage reported again is no new Event.
    ModelResolution.Outcome stillDown = ModelResolution.next(isvc(PIN3, resolvedFalse("RegistryUnavailable")), URL,
        Optional.of(Resolution.unavailable("down", NOW)), NOW);
    assertThat(stillDown.notes()).isEmpty();
  }

  @Test
  void aFixedVersionPinnedNeedsNoLookupAndAnythingElseIsAProgrammingError() {
    InferenceService fixed = isvc(null);
    fixed.getSpec().getModel().setStorageUri("models:/fraud/3");
    fixed.getStatus().setModel(new ModelStatus("models:/fraud/3", "3", "s3://models/fraud/3", T0.toString(), URL));
    ModelResolution.Outcome o = ModelResolution.next(fixed, URL, Optional.empty(), NOW);
    assertThat(o.model().getVersion()).isEqualTo("3");
    assertThat(o.condition().getStatus()).isEqualTo("True");
    assertThatThrownBy(() -> ModelResolution.next(isvc(null), URL, Optional.empty(), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
