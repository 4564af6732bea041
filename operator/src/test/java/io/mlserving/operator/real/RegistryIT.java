package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.registry.RegistryCredentials;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.ModelResolution;
import io.mlserving.operator.testing.MlflowStandIn;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An MLflow registry URI end to end on the real control plane: the operator jar, under the chart's ServiceAccount,
 * resolves {@code models:/fraud@champion} against the MLflow stand-in (with a bearer token from its own
 * environment, as the chart's Secret gives it), pins the version in the Deployment, and when the alias moves the
 * real Deployment controller rolls the pods to the new version, which the kubelet stand-in marks Ready; an outage
 * keeps the pinned version serving; nothing is written while the alias stays.
 */
class RegistryIT extends RealServerTest {
  private static final String TOKEN = "mlflow-test-token";
  private MlflowStandIn mlflow;

  @Override
  protected Map<String, String> operatorEnv() {
    mlflow = MlflowStandIn.start();
    mlflow.requireBearer(TOKEN);
    return Map.of(OperatorSettings.ENV_MLFLOW_TRACKING_URI, mlflow.url(), RegistryCredentials.ENV_TOKEN, TOKEN);
  }

  @AfterAll
  void stopRegistry() {
    if (mlflow != null) {
      mlflow.close();
    }
  }

  private String loaderUri(String ns) {
    Deployment d = get(Deployment.class, ns, "fraud");
    return d == null ? null : InferenceServiceResources.loaderSettings(
        d.getSpec().getTemplate().getSpec().getInitContainers().get(0)).get("STORAGE_URI");
  }

  private InferenceService awaitVersion(String ns, String version) {
    return await().atMost(DEADLINE).alias("status.model.version " + version + " and Ready")
        .until(() -> get(InferenceService.class, ns, "fraud"), i -> i != null && i.getStatus() != null
            && i.getStatus().getModel() != null && version.equals(i.getStatus().getModel().getVersion())
            && Conditions.isReady(i.getStatus().getConditions())
            && i.getStatus().getObservedGeneration() != null);
  }

  @Test
  void anAliasMoveRollsTheDeploymentToTheNewVersionAndItBecomesReady() {
    String ns = namespace("registry");
    mlflow.register("fraud", "1", "s3://mlflow/1/run1/artifacts/model")
        .register("fraud", "2", "s3://mlflow/1/run2/artifacts/model")
        .setAlias("fraud", "champion", "1");
    kubectl.apply(Manifests.inferenceService(ns, "fraud", "ghcr.io/acme/mlserver:1.6",
        "model: {storageUri: 'models:/fraud@champion', registry: {pollInterval: 2s}}"));

    Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", "inferenceservices.mlserving.io/fraud", "-n",
        ns, "--timeout=" + DEADLINE.toSeconds() + "s");
    assertThat(waited.exitCode()).as("%s\noperator log %s", waited, operator.logTail(40)).isZero();
    InferenceService v1 = awaitVersion(ns, "1");
    assertThat(v1.getStatus().getModel().getResolvedUri()).isEqualTo("s3://mlflow/1/run1/artifacts/model");
    assertThat(v1.getStatus().getModel().getRegistryUrl()).isEqualTo(mlflow.url());
    assertThat(loaderUri(ns)).isEqualTo("s3://mlflow/1/run1/artifacts/model");
    assertThat(mlflow.lastAuthorization()).contains("Bearer " + TOKEN);

    // The alias stays: polls every 2 s, and no write.
    int polls = mlflow.requests(MlflowStandIn.ALIAS_PATH);
    assertNoOperatorWritesDuringQuietWindow("with the alias where it was");
    assertThat(mlflow.requests(MlflowStandIn.ALIAS_PATH) - polls).as("alias polls in the quiet window").isBetween(2,
        (int) QUIET_WINDOW.toSeconds());

    mlflow.setAlias("fraud", "champion", "2");
    InferenceService v2 = awaitVersion(ns, "2");
    assertThat(loaderUri(ns)).isEqualTo("s3://mlflow/1/run2/artifacts/model");
    Deployment rolled = get(Deployment.class, ns, "fraud");
    assertThat(rolled.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("mlserving.io/model-version", "2");
    // Ready after the move means the real Deployment controller rolled every replica to the new template.
    assertThat(rolled.getStatus().getUpdatedReplicas()).isEqualTo(rolled.getStatus().getReplicas());
    assertThat(admin.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)).as("pods of the old version are gone")
        .allSatisfy(p -> assertThat(p.getMetadata().getAnnotations()).containsEntry("mlserving.io/model-version", "2"));
    assertThat(v2.getStatus().getModel().getResolvedAt()).isGreaterThanOrEqualTo(v1.getStatus().getModel()
        .getResolvedAt());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(kubectl.ok("get", "events", "-n", ns).lines())
        .anySatisfy(line -> assertThat(line).contains("Normal").contains("ModelVersionChanged")
            .contains("inferenceservice/fraud")));

    // An outage: the pinned version keeps serving, and the status says the registry is unreachable.
    mlflow.stop();
    await().atMost(DEADLINE).until(() -> resolved(ns).map(c -> "RegistryUnavailable".equals(c.getReason()))
        .orElse(false));
    assertThat(Conditions.isReady(get(InferenceService.class, ns, "fraud").getStatus().getConditions())).isTrue();
    assertThat(loaderUri(ns)).isEqualTo("s3://mlflow/1/run2/artifacts/model");
    mlflow.restart();
    await().atMost(DEADLINE).until(() -> resolved(ns).map(c -> "True".equals(c.getStatus())).orElse(false));
  }

  private Optional<Condition> resolved(String ns) {
    InferenceService i = get(InferenceService.class, ns, "fraud");
    return i == null || i.getStatus() == null ? Optional.empty()
        : Conditions.find(i.getStatus().getConditions(), ModelResolution.CONDITION);
  }
}
