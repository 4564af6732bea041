package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceStatus;
import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.StorageLocation.Scheme;
import io.mlserving.operator.testing.Fixtures;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** models:/ URIs in the desired state: parsing, the pinned version in the Deployment, render's unresolved form. */
class RegistryResourcesTest {
  private static final LoaderImages IMAGES = new LoaderImages("img/s3", "img/gs", "img/http", "img/hf", "img/mlflow");
  private static final String URL = "http://mlflow.mlflow:5000";

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
      "models:/fraud@champion, fraud, -, champion",
      "models:/fraud/3, fraud, 3, -",
      "models:/sk-learn.iris_v2/12, sk-learn.iris_v2, 12, -",
      "models:/fraud@prod-2_b, fraud, -, prod-2_b",
      "models:/fraud/0, -, -, -",
      "models:/fraud/latest, -, -, -",
      "models:/fraud/Production, -, -, -",
      "models:/fraud, -, -, -",
      "models:/fraud@, -, -, -",
      "models://fraud/3, -, -, -",
      "models:/a/b/3, -, -, -",
      "s3://models/fraud, -, -, -"})
  void modelUris(String uri, String name, String version, String alias) {
    Optional<ModelUri> parsed = ModelUri.parse(uri);
    assertThat(parsed.map(ModelUri::name).orElse(null)).isEqualTo(name);
    assertThat(parsed.map(ModelUri::version).orElse(null)).isEqualTo(version);
    assertThat(parsed.map(ModelUri::alias).orElse(null)).isEqualTo(alias);
    parsed.ifPresent(p -> assertThat(p.toString()).isEqualTo(uri));
    assertThat(StorageLocation.parse(uri).map(StorageLocation::scheme).orElse(null) == Scheme.REGISTRY)
        .isEqualTo(parsed.isPresent());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
      "s3://mlflow/1/abc/artifacts/model, S3",
      "gs://mlflow/1/abc/artifacts/model, GS",
      "https://blob.example.com/model.onnx, HTTP",
      "mlflow-artifacts:/1/abc/artifacts/model, MLFLOW_ARTIFACTS",
      "mlflow-artifacts://mlflow.mlflow:5000/1/abc/artifacts/model, MLFLOW_ARTIFACTS",
      "file:///mlruns/1/abc/artifacts/model, -",
      "dbfs:/databricks/mlflow/1/model, -",
      "runs:/abc/model, -",
      "models:/fraud/3, -",
      "pvc://claim/model, -",
      "hf://org/repo, -",
      "https://user:pw@blob.example.com/m, -",
      "mlflow-artifacts:, -"})
  void artifactUrisALoaderFetches(String uri, Scheme scheme) {
    assertThat(StorageLocation.parseArtifact(uri).map(StorageLocation::scheme).orElse(null)).isEqualTo(scheme);
  }

  private static InferenceService withPin(String uri, ModelStatus pin) {
    InferenceService isvc = Fixtures.isvcWithModel("models", "fraud", uri);
    InferenceServiceStatus status = new InferenceServiceStatus();
    status.setModel(pin);
    isvc.setStatus(status);
    return isvc;
  }

  private static Map<String, String> settings(Container loader) {
    return InferenceServiceResources.loaderSettings(loader);
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
  }

  @Test
  void thePinnedVersionIsWhatTheLoaderFetchesAndThePodTemplateNamesIt() {
    InferenceService isvc = withPin("models:/fraud@champion",
        new ModelStatus("models:/fraud@champion", "3", "s3://mlflow/1/abc/artifacts/model", "t", URL));
    isvc.getSpec().getModel().setCredentialsSecret("s3-creds");
    Deployment d = InferenceServiceResources.deployment(isvc, IMAGES);
    Container loader = d.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(loader.getImage()).isEqualTo("img/s3");
    assertThat(settings(loader)).containsEntry("STORAGE_URI", "s3://mlflow/1/abc/artifacts/model")
        .doesNotContainKey("MLFLOW_TRACKING_URI");
    assertThat(loader.getCommand().get(2)).isEqualTo(LoaderScripts.forScheme(Scheme.S3));
    assertThat(loader.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("s3-creds");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("mlserving.io/model-uri", "models:/fraud@champion")
        .containsEntry("mlserving.io/model-version", "3");
    Container predictor = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(predictor)).containsEntry("MODEL_VERSION", "3").containsEntry("MODEL_DIR", "/mnt/models");
  }

  @Test
  void anotherVersionIsAnotherPodTemplateSoTheDeploymentRollsOut() {
    Deployment v3 = InferenceServiceResources.deployment(withPin("models:/fraud@champion",
        new ModelStatus("models:/fraud@champion", "3", "s3://mlflow/3", "t", URL)), IMAGES);
    Deployment v4 = InferenceServiceResources.deployment(withPin("models:/fraud@champion",
        new ModelStatus("models:/fraud@champion", "4", "s3://mlflow/4", "t2", URL)), IMAGES);
    assertThat(v4.getSpec().getTemplate()).isNotEqualTo(v3.getSpec().getTemplate());
    // resolvedAt is status only: the same version at another time is the same Deployment.
    Deployment v3later = InferenceServiceResources.deployment(withPin("models:/fraud@champion",
        new ModelStatus("models:/fraud@champion", "3", "s3://mlflow/3", "later", URL)), IMAGES);
    assertThat(v3later).isEqualTo(v3);
  }

  @Test
  void mlflowArtifactsAreFetchedThroughTheTrackingServerThatResolvedThem() {
    Deployment d = InferenceServiceResources.deployment(withPin("models:/fraud/7",
        new ModelStatus("models:/fraud/7", "7", "mlflow-artifacts:/1/abc/artifacts/model", "t", URL)), IMAGES);
    Container loader = d.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(loader.getImage()).isEqualTo("img/mlflow");
    assertThat(settings(loader)).containsEntry("STORAGE_URI", "mlflow-artifacts:/1/abc/artifacts/model")
        .containsEntry("MLFLOW_TRACKING_URI", URL);
    assertThat(loader.getCommand().get(2)).isEqualTo(LoaderScripts.forScheme(Scheme.MLFLOW_ARTIFACTS));
  }

  @Test
  void withoutAUsablePinTheUriIsUnresolvedAndTheLoaderRefusesToRun() {
    for (InferenceService isvc : new InferenceService[] {
        withPin("models:/fraud@champion", null),
        // The pin is for another URI (the spec changed): not used.
        withPin("models:/fraud@champion", new ModelStatus("models:/fraud@challenger", "3", "s3://m/3", "t", URL)),
        // A pin no loader can fetch (a hand-edited status): not used.
        withPin("models:/fraud@champion", new ModelStatus("models:/fraud@champion", "3", "file:///x", "t", URL))}) {
      assertThat(InferenceServiceResources.pinned(isvc)).isEmpty();
      Deployment d = InferenceServiceResources.deployment(isvc, IMAGES);
      Container loader = d.getSpec().getTemplate().getSpec().getInitContainers().get(0);
      assertThat(settings(loader)).containsEntry("STORAGE_URI", "models:/fraud@champion");
      assertThat(loader.getCommand().get(2)).isEqualTo(LoaderScripts.forScheme(Scheme.REGISTRY)).contains("exit 1");
      assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).isNull();
      assertThat(env(d.getSpec().getTemplate().getSpec().getContainers().get(0))).doesNotContainKey("MODEL_VERSION");
    }
  }

  @Test
  void aStatusModelOnAnotherSchemeIsIgnored() {
    InferenceService isvc = withPin("s3://models/fraud",
        new ModelStatus("s3://models/fraud", "3", "s3://models/fraud", "t", URL));
    assertThat(InferenceServiceResources.pinned(isvc)).isEmpty();
    assertThat(InferenceServiceResources.deployment(isvc, IMAGES).getSpec().getTemplate().getMetadata()
        .getAnnotations()).isNull();
  }
}
