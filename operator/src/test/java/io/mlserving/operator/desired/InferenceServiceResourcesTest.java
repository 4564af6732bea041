package io.mlserving.operator.desired;

import static io.mlserving.operator.desired.TestCrs.inferenceService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.config.LoaderImages;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InferenceServiceResourcesTest {
  private static final LoaderImages IMAGES = new LoaderImages("img/s3", "img/gs", "img/http", "img/hf", "img/mlflow");

  private static InferenceService isvc() {
    return inferenceService("fraud-v1");
  }

  private static InferenceService withModel(String storageUri) {
    InferenceService isvc = isvc();
    ModelSpec model = new ModelSpec();
    model.setStorageUri(storageUri);
    isvc.getSpec().setModel(model);
    return isvc;
  }

  private static Deployment deployment(InferenceService isvc) {
    return InferenceServiceResources.deployment(isvc, IMAGES);
  }

  private static PodSpec pod(InferenceService isvc) {
    return deployment(isvc).getSpec().getTemplate().getSpec();
  }

  private static Container predictor(InferenceService isvc) {
    return pod(isvc).getContainers().stream().filter(c -> c.getName().equals("predictor")).findFirst().orElseThrow();
  }

  private static Optional<Container> loader(InferenceService isvc) {
    List<Container> init = pod(isvc).getInitContainers();
    return init == null ? Optional.empty() : init.stream().filter(c -> c.getName().equals("model-loader")).findFirst();
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv() == null ? Map.of() : c.getEnv().stream()
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> String.valueOf(e.getValue())));
  }

  private static Optional<Volume> volume(PodSpec pod, String name) {
    return pod.getVolumes() == null ? Optional.empty()
        : pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst();
  }

  private static Optional<VolumeMount> mount(Container c, String name) {
    return c.getVolumeMounts() == null ? Optional.empty()
        : c.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  // ---- defaults, model-in-image ----

  @Test
  void modelInImageIsOneContainerWithTheDefaults() {
    InferenceService isvc = isvc();
    Deployment d = deployment(isvc);
    Container c = predictor(isvc);

    assertThat(d.getMetadata().getName()).isEqualTo("fraud-v1");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod(isvc).getContainers()).hasSize(1);
    assertThat(pod(isvc).getInitContainers()).isNullOrEmpty();
    assertThat(pod(isvc).getVolumes()).isNullOrEmpty();
    assertThat(c.getImage()).isEqualTo("ghcr.io/acme/onnx-server:1.4");
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
      assertThat(p.getProtocol()).isEqualTo("TCP");
    });
    assertThat(env(c)).doesNotContainKey("MODEL_DIR");
    assertThat(c.getVolumeMounts()).isNullOrEmpty();
    assertThat(c.getCommand()).isNullOrEmpty();
    assertThat(c.getArgs()).isNullOrEmpty();
  }

  @Test
  void selectorAndPodLabelsNameTheInferenceService() {
    InferenceService isvc = isvc();
    isvc.getSpec().getPredictor().setPodLabels(Map.of("team", "fraud", "mlserving.io/inference-service", "hijack"));
    Deployment d = deployment(isvc);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsExactly(Map.entry("mlserving.io/inference-service", "fraud-v1"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("mlserving.io/inference-service", "fraud-v1")
        .containsEntry("team", "fraud")
        .containsEntry("app.kubernetes.io/managed-by", "mlserving-operator")
        .containsEntry("mlserving.io/owner-kind", "InferenceService");
  }

  @Test
  void passThroughFieldsReachThePod() {
    InferenceService isvc = isvc();
    PredictorSpec p = isvc.getSpec().getPredictor();
    p.setCommand(List.of("serve"));
    p.setArgs(List.of("--model", "/m"));
    p.setNodeSelector(Map.of("gpu", "a100"));
    p.setTolerations(List.of(new TolerationBuilder().withKey("gpu").withOperator("Exists").build()));
    p.setPodAnnotations(Map.of("sidecar.istio.io/inject", "true"));
    p.setEnvFrom(List.of(new EnvFromSourceBuilder().withNewConfigMapRef().withName("params").endConfigMapRef().build()));
    p.setResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity("1")).build());
    Container c = predictor(isvc);

    assertThat(c.getCommand()).containsExactly("serve");
    assertThat(c.getArgs()).containsExactly("--model", "/m");
    assertThat(c.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo("params"));
    assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(pod(isvc).getNodeSelector()).containsEntry("gpu", "a100");
    assertThat(pod(isvc).getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("gpu"));
    assertThat(deployment(isvc).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("sidecar.istio.io/inject", "true");
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {"null, 1", "0, 0", "3, 3"})
  void replicasDefaultToOne(Integer given, int want) {
    InferenceService isvc = isvc();
    isvc.getSpec().setReplicas(given);
    assertThat(deployment(isvc).getSpec().getReplicas()).isEqualTo(want);
    assertThat(InferenceServiceResources.replicas(isvc)).isEqualTo(want);
  }

  // ---- ports and protocol ----

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {"null, null, http, 8080", "http, 9000, http, 9000", "grpc, null, grpc, 8080",
      "grpc, 8081, grpc, 8081"})
  void portIsNamedAfterTheProtocol(PredictorSpec.Protocol protocol, Integer port, String name, int number) {
    InferenceService isvc = isvc();
    isvc.getSpec().getPredictor().setProtocol(protocol);
    isvc.getSpec().getPredictor().setPort(port);

    assertThat(InferenceServiceResources.portName(isvc)).isEqualTo(name);
    assertThat(predictor(isvc).getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo(name);
      assertThat(p.getContainerPort()).isEqualTo(number);
    });
    var svc = InferenceServiceResources.service(isvc);
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo(name);
      assertThat(p.getPort()).isEqualTo(80);
      assertThat(p.getTargetPort()).isEqualTo(new IntOrString(name));
    });
  }

  @Test
  void serviceSelectsThePods() {
    var svc = InferenceServiceResources.service(isvc());
    assertThat(svc.getMetadata().getName()).isEqualTo("fraud-v1");
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry("mlserving.io/inference-service", "fraud-v1"));
  }

  // ---- probes ----

  @Test
  void withoutHealthPathTheProbesAreTcpOnTheNamedPort() {
    Container c = predictor(isvc());
    for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
      assertThat(p.getTcpSocket().getPort()).isEqualTo(new IntOrString("http"));
      assertThat(p.getHttpGet()).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc"})
  void withHealthPathTheProbesAreHttpGets(String protocol) {
    InferenceService isvc = isvc();
    isvc.getSpec().getPredictor().setHealthPath("/health");
    isvc.getSpec().getPredictor().setProtocol(PredictorSpec.Protocol.valueOf(protocol));
    Container c = predictor(isvc);
    for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
      assertThat(p.getHttpGet().getPath()).isEqualTo("/health");
      assertThat(p.getHttpGet().getPort()).isEqualTo(new IntOrString(protocol));
      assertThat(p.getTcpSocket()).isNull();
    }
  }

  // ---- model loading, per scheme ----

  static Stream<Arguments> downloadSchemes() {
    return Stream.of(
        Arguments.of("s3://models/fraud/v1", "img/s3", "aws s3 cp"),
        Arguments.of("gs://models/fraud/v1", "img/gs", "gcloud storage"),
        Arguments.of("http://models.example.com/fraud.onnx", "img/http", "curl"),
        Arguments.of("https://models.example.com/fraud.onnx?x=1", "img/http", "curl"),
        Arguments.of("hf://acme/fraud-model", "img/hf", "snapshot_download"),
        Arguments.of("hf://acme/fraud-model@v1.2", "img/hf", "snapshot_download"));
  }

  @ParameterizedTest
  @MethodSource("downloadSchemes")
  void downloadedModelsGetALoaderIntoAnEmptyDir(String uri, String image, String scriptPart) {
    InferenceService isvc = withModel(uri);
    Container loader = loader(isvc).orElseThrow();
    Container predictor = predictor(isvc);

    assertThat(loader.getImage()).isEqualTo(image);
    assertThat(loader.getCommand()).hasSize(7).startsWith("/bin/sh", "-c")
        .endsWith("model-loader", uri, "/mnt/models", "/home/mlserving");
    assertThat(loader.getCommand().get(2)).contains(scriptPart).doesNotContain(uri);
    assertThat(InferenceServiceResources.loaderSettings(loader)).containsEntry("STORAGE_URI", uri)
        .containsEntry("MODEL_DIR", "/mnt/models").containsEntry("HOME", "/home/mlserving")
        .doesNotContainKey("MODEL_SHA256");
    assertThat(loader.getEnv()).as("settings are arguments, not environment variables").isNullOrEmpty();
    assertThat(mount(loader, "model-store")).get().satisfies(m -> {
      assertThat(m.getMountPath()).isEqualTo("/mnt/models");
      assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    });
    assertThat(mount(loader, "loader-home")).get().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/home/mlserving"));
    assertThat(volume(pod(isvc), "model-store")).get().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(volume(pod(isvc), "loader-home")).get().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(mount(predictor, "model-store")).get().satisfies(m -> {
      assertThat(m.getMountPath()).isEqualTo("/mnt/models");
      assertThat(m.getReadOnly()).isTrue();
      assertThat(m.getSubPath()).isNull();
    });
    assertThat(mount(predictor, "loader-home")).isEmpty();
    assertThat(env(predictor)).containsEntry("MODEL_DIR", "/mnt/models");
  }

  @ParameterizedTest
  @CsvSource({
      "pvc://model-claim/fraud/v1,  model-claim, fraud/v1",
      "pvc://model-claim/fraud/v1/, model-claim, fraud/v1",
      "pvc://model-claim,           model-claim, ''",
      "pvc://model-claim/,          model-claim, ''",
      "pvc://claims.v2/a,           claims.v2,   a",
      "pvc://model-claim//fraud,    model-claim, fraud",
      "pvc://model-claim/a//b///,   model-claim, a/b",
      "pvc://model-claim/v1..2/x,   model-claim, v1..2/x"})
  void pvcModelsAreMountedReadOnlyWithoutALoader(String uri, String claim, String subPath) {
    InferenceService isvc = withModel(uri);
    Container predictor = predictor(isvc);

    assertThat(loader(isvc)).isEmpty();
    assertThat(volume(pod(isvc), "loader-home")).isEmpty();
    assertThat(volume(pod(isvc), "model-store")).get().satisfies(v -> {
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim);
      assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
    });
    assertThat(mount(predictor, "model-store")).get().satisfies(m -> {
      assertThat(m.getMountPath()).isEqualTo("/mnt/models");
      assertThat(m.getReadOnly()).isTrue();
      if (subPath.isEmpty()) {
        assertThat(m.getSubPath()).isNull();
      } else {
        assertThat(m.getSubPath()).isEqualTo(subPath);
      }
    });
    assertThat(env(predictor)).containsEntry("MODEL_DIR", "/mnt/models");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://x/y", "file:///models", "s3://", "models/fraud", "https://user:pw@host/m", "",
      "pvc://claim/../other", "pvc://claim/a/..", "pvc://claim/.."})
  void otherStorageUrisAreRejectedNamingTheField(String uri) {
    assertThatThrownBy(() -> deployment(withModel(uri)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.model.storageUri");
  }

  @Test
  void mountPathCanBeChangedAndNamesModelDirEverywhere() {
    InferenceService isvc = withModel("s3://models/fraud");
    isvc.getSpec().getModel().setMountPath("/models");
    assertThat(env(predictor(isvc))).containsEntry("MODEL_DIR", "/models");
    assertThat(InferenceServiceResources.loaderSettings(loader(isvc).orElseThrow()))
        .containsEntry("MODEL_DIR", "/models");
    assertThat(mount(predictor(isvc), "model-store")).get()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/models"));
    assertThat(mount(loader(isvc).orElseThrow(), "model-store")).get()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/models"));
  }

  @Test
  void modelDirReplacesAUserValueAndKeepsTheOtherEnv() {
    InferenceService isvc = withModel("s3://models/fraud");
    isvc.getSpec().getPredictor().setEnv(List.of(new EnvVar("MODEL_DIR", "/elsewhere", null), new EnvVar("THREADS", "4", null)));
    assertThat(predictor(isvc).getEnv()).extracting(EnvVar::getName).containsExactly("THREADS", "MODEL_DIR");
    assertThat(env(predictor(isvc))).containsEntry("MODEL_DIR", "/mnt/models").containsEntry("THREADS", "4");
  }

  @Test
  void withoutAModelTheUserEnvIsUntouched() {
    InferenceService isvc = isvc();
    isvc.getSpec().getPredictor().setEnv(List.of(new EnvVar("MODEL_DIR", "/baked", null)));
    assertThat(env(predictor(isvc))).containsExactly(Map.entry("MODEL_DIR", "/baked"));
  }

  @ParameterizedTest
  @CsvSource({
      "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789, abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
      "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789, abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"})
  void sha256GoesToTheLoaderLowerCased(String given, String want) {
    InferenceService isvc = withModel("https://models.example.com/fraud.onnx");
    isvc.getSpec().getModel().setSha256(given);
    assertThat(InferenceServiceResources.loaderSettings(loader(isvc).orElseThrow()))
        .containsEntry("MODEL_SHA256", want);
    assertThat(env(predictor(isvc))).doesNotContainKey("MODEL_SHA256");
  }

  @Test
  void credentialsSecretIsGivenToTheLoaderOnly() {
    InferenceService isvc = withModel("s3://models/fraud");
    isvc.getSpec().getModel().setCredentialsSecret("s3-creds");
    Container loader = loader(isvc).orElseThrow();

    assertThat(loader.getEnvFrom()).singleElement().satisfies(e -> {
      assertThat(e.getSecretRef().getName()).isEqualTo("s3-creds");
      assertThat(e.getConfigMapRef()).isNull();
    });
    assertThat(predictor(isvc).getEnvFrom()).isNullOrEmpty();
    assertThat(Serialization.asYaml(predictor(isvc))).doesNotContain("s3-creds");
    assertThat(pod(isvc).getVolumes()).noneSatisfy(v -> assertThat(v.getSecret()).isNotNull());
  }

  @Test
  void withoutCredentialsTheLoaderHasNoEnvFrom() {
    assertThat(loader(withModel("s3://models/fraud")).orElseThrow().getEnvFrom()).isNullOrEmpty();
  }

  // ---- autoscaling ----

  @Test
  void noAutoscalerWithoutAutoscaling() {
    assertThat(InferenceServiceResources.horizontalPodAutoscaler(isvc())).isEmpty();
    assertThat(InferenceServiceResources.all(isvc(), IMAGES)).extracting(o -> o.getKind())
        .containsExactly("Deployment", "Service");
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {"null, 10, null, 1, 10, 80", "2, 10, 70, 2, 10, 70", "3, 3, 50, 3, 3, 50"})
  void autoscalingAddsAnAutoscalerAndLeavesReplicasToIt(Integer min, int max, Integer cpu, int wantMin, int wantMax,
      int wantCpu) {
    InferenceService isvc = isvc();
    isvc.getSpec().setReplicas(4);
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMinReplicas(min);
    as.setMaxReplicas(max);
    as.setTargetCPUUtilizationPercentage(cpu);
    isvc.getSpec().setAutoscaling(as);
    HorizontalPodAutoscaler hpa = InferenceServiceResources.horizontalPodAutoscaler(isvc).orElseThrow();

    assertThat(deployment(isvc).getSpec().getReplicas()).isNull();
    assertThat(Serialization.asYaml(deployment(isvc))).doesNotContain("replicas:");
    assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(hpa.getMetadata().getName()).isEqualTo("fraud-v1");
    assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("fraud-v1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(wantMin);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(wantMax);
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo("Resource");
      assertThat(m.getResource().getName()).isEqualTo("cpu");
      assertThat(m.getResource().getTarget().getType()).isEqualTo("Utilization");
      assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(wantCpu);
    });
    assertThat(InferenceServiceResources.all(isvc, IMAGES)).extracting(o -> o.getKind())
        .containsExactly("Deployment", "Service", "HorizontalPodAutoscaler");
  }

  // ---- Pod Security Standard restricted ----

  static Stream<Arguments> podShapes() {
    InferenceService grpc = isvc();
    grpc.getSpec().getPredictor().setProtocol(PredictorSpec.Protocol.grpc);
    return Stream.of(
        Arguments.of("model in image", isvc()),
        Arguments.of("s3 loader", withModel("s3://models/fraud")),
        Arguments.of("hf loader", withModel("hf://acme/fraud")),
        Arguments.of("pvc", withModel("pvc://claim/fraud")),
        Arguments.of("grpc", grpc));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podShapes")
  void everyContainerAndThePodAreRestricted(String label, InferenceService isvc) {
    PodSpec pod = pod(isvc);
    PodSecurityContext psc = pod.getSecurityContext();
    assertThat(psc.getRunAsNonRoot()).isTrue();
    assertThat(psc.getRunAsUser()).isEqualTo(1000L);
    assertThat(psc.getRunAsGroup()).isEqualTo(1000L);
    assertThat(psc.getFsGroup()).isEqualTo(1000L);
    assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

    List<Container> all = new java.util.ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    assertThat(all).isNotEmpty().allSatisfy(c -> {
      SecurityContext sc = c.getSecurityContext();
      // runAsNonRoot and the seccomp profile are inherited from the pod level, not repeated.
      assertThat(sc.getRunAsNonRoot()).isNull();
      assertThat(sc.getSeccompProfile()).isNull();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(sc.getRunAsUser() == null || sc.getRunAsUser() != 0L).as("runAsUser not root").isTrue();
    });
    // restricted allows only these volume types
    if (pod.getVolumes() != null) {
      assertThat(pod.getVolumes()).allSatisfy(v ->
          assertThat(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null).isTrue());
    }
  }

  // ---- metadata, determinism ----

  @Test
  void everyObjectIsOwnedByTheInferenceService() {
    InferenceService isvc = withModel("s3://models/fraud");
    AutoscalingSpec as = new AutoscalingSpec();
    as.setMaxReplicas(3);
    isvc.getSpec().setAutoscaling(as);
    assertThat(InferenceServiceResources.all(isvc, IMAGES)).hasSize(3).allSatisfy(o -> {
      assertThat(o.getMetadata().getName()).isEqualTo("fraud-v1");
      assertThat(o.getMetadata().getNamespace()).isEqualTo("models");
      assertThat(o.getMetadata().getLabels()).containsEntry("mlserving.io/owner-kind", "InferenceService")
          .containsEntry("mlserving.io/owner-name", "fraud-v1");
      assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
        assertThat(ref.getKind()).isEqualTo("InferenceService");
        assertThat(ref.getUid()).isEqualTo("uid-fraud-v1");
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
      });
    });
  }

  @Test
  void twoBuildsAreIdentical() {
    InferenceService isvc = withModel("s3://models/fraud");
    isvc.getSpec().getModel().setCredentialsSecret("s3-creds");
    assertThat(Serialization.asYaml(InferenceServiceResources.all(isvc, IMAGES)))
        .isEqualTo(Serialization.asYaml(InferenceServiceResources.all(isvc, IMAGES)));
  }
}
