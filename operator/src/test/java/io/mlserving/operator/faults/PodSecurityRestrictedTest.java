package io.mlserving.operator.faults;

import static io.mlserving.operator.faults.Faults.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMapEnvSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.chart.ProjectFiles;
import io.mlserving.operator.cli.ResourceLoader;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.testing.Fixtures;
import io.mlserving.operator.testing.OperatorHarness;
import io.mlserving.operator.validation.Validation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pod the operator generates meets the Pod Security Standard {@code restricted}: for many spec variations
 * (each storage scheme, with and without credentials, autoscaling, gRPC, GPUs, tolerations, pod labels and
 * annotations...), as rendered and as the operator applies them, and for the InferenceServices in samples/.
 * The checker itself is tested first, on pods that break one rule each.
 */
class PodSecurityRestrictedTest {
  private static final List<String> STORAGE = List.of("", "s3://models/fraud/v1", "gs://bucket/fraud/v1",
      "http://models.example.com/fraud.onnx", "https://models.example.com/fraud.onnx", "pvc://models-pvc/fraud/v1",
      "hf://acme/fraud-model");

  // ---- the checker

  static Stream<Arguments> brokenPods() {
    return Stream.<Object[]>of(
        new Object[] {"Host Namespaces", (Consumer<PodTemplateSpec>) p -> p.getSpec().setHostNetwork(true)},
        new Object[] {"Host Namespaces", (Consumer<PodTemplateSpec>) p -> p.getSpec().setHostPID(true)},
        new Object[] {"Host Namespaces", (Consumer<PodTemplateSpec>) p -> p.getSpec().setHostIPC(true)},
        new Object[] {"Privileged Containers", (Consumer<PodTemplateSpec>) p -> sc(p).setPrivileged(true)},
        new Object[] {"Capabilities", (Consumer<PodTemplateSpec>) p -> sc(p).getCapabilities().setAdd(
            List.of("SYS_ADMIN"))},
        new Object[] {"Capabilities", (Consumer<PodTemplateSpec>) p -> sc(p).getCapabilities().setAdd(
            List.of("NET_RAW"))},
        new Object[] {"Capabilities", (Consumer<PodTemplateSpec>) p -> sc(p).getCapabilities().setDrop(
            List.of("NET_RAW"))},
        new Object[] {"Host Ports", (Consumer<PodTemplateSpec>) p -> p.getSpec().getContainers().get(0).getPorts()
            .get(0).setHostPort(8080)},
        new Object[] {"HostPath Volumes|Volume Types", (Consumer<PodTemplateSpec>) p -> p.getSpec().getVolumes().add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("h").withNewHostPath().withPath("/")
                .endHostPath().build())},
        new Object[] {"Volume Types", (Consumer<PodTemplateSpec>) p -> p.getSpec().getVolumes().add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("n").withNewNfs().withServer("nfs")
                .withPath("/").endNfs().build())},
        new Object[] {"AppArmor", (Consumer<PodTemplateSpec>) p -> p.getMetadata().setAnnotations(
            Map.of("container.apparmor.security.beta.kubernetes.io/predictor", "unconfined"))},
        new Object[] {"AppArmor", (Consumer<PodTemplateSpec>) p -> sc(p).setAppArmorProfile(
            new io.fabric8.kubernetes.api.model.AppArmorProfileBuilder().withType("Unconfined").build())},
        new Object[] {"SELinux", (Consumer<PodTemplateSpec>) p -> sc(p).setSeLinuxOptions(
            new io.fabric8.kubernetes.api.model.SELinuxOptionsBuilder().withType("spc_t").build())},
        new Object[] {"/proc Mount Type", (Consumer<PodTemplateSpec>) p -> sc(p).setProcMount("Unmasked")},
        new Object[] {"Seccomp", (Consumer<PodTemplateSpec>) p -> sc(p).setSeccompProfile(
            new io.fabric8.kubernetes.api.model.SeccompProfile(null, "Unconfined"))},
        new Object[] {"Seccomp", (Consumer<PodTemplateSpec>) p -> p.getSpec().getSecurityContext().getSeccompProfile()
            .setType("Unconfined")},
        new Object[] {"Seccomp", (Consumer<PodTemplateSpec>) p -> p.getSpec().getSecurityContext()
            .setSeccompProfile(null)},
        new Object[] {"Seccomp", (Consumer<PodTemplateSpec>) p -> {
          sc(p).setSeccompProfile(null);
          p.getSpec().getSecurityContext().setSeccompProfile(null);
        }},
        new Object[] {"Sysctls", (Consumer<PodTemplateSpec>) p -> p.getSpec().getSecurityContext().setSysctls(
            List.of(new io.fabric8.kubernetes.api.model.Sysctl("kernel.msgmax", "65536")))},
        new Object[] {"Privilege Escalation", (Consumer<PodTemplateSpec>) p -> sc(p).setAllowPrivilegeEscalation(
            null)},
        new Object[] {"Running as Non-root", (Consumer<PodTemplateSpec>) p -> sc(p).setRunAsNonRoot(false)},
        new Object[] {"Running as Non-root", (Consumer<PodTemplateSpec>) p -> p.getSpec().getSecurityContext()
            .setRunAsNonRoot(null)},
        new Object[] {"Running as Non-root", (Consumer<PodTemplateSpec>) p -> {
          sc(p).setRunAsNonRoot(null);
          p.getSpec().getSecurityContext().setRunAsNonRoot(null);
        }},
        new Object[] {"Running as Non-root user", (Consumer<PodTemplateSpec>) p -> sc(p).setRunAsUser(0L)},
        new Object[] {"Running as Non-root user", (Consumer<PodTemplateSpec>) p -> p.getSpec().getSecurityContext()
            .setRunAsUser(0L)})
        .map(a -> Arguments.of(a[0], a[1]));
  }

  /** {@code rule}: the rule that must fire, then (after |) others the same change also breaks. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("brokenPods")
  void theCheckerCatchesAPodThatBreaksOneRule(String rule, Consumer<PodTemplateSpec> breakIt) {
    PodTemplateSpec pod = template(Fixtures.isvcWithModel(NS, "fraud", "s3://models/fraud/v1"));
    assertThat(PodSecurityRestricted.violations(pod)).isEmpty();
    if (pod.getSpec().getVolumes() != null) {
      pod.getSpec().setVolumes(new ArrayList<>(pod.getSpec().getVolumes()));
    }
    breakIt.accept(pod);
    List<String> rules = List.of(rule.split("\\|"));
    List<String> violations = PodSecurityRestricted.violations(pod);
    assertThat(violations).isNotEmpty().anyMatch(v -> v.startsWith(rules.get(0) + ":"))
        .allMatch(v -> rules.stream().anyMatch(r -> v.startsWith(r + ":")));
  }

  // ---- what the operator generates

  @Test
  void everyRenderedPodOfManySpecVariationsIsRestricted() {
    List<InferenceService> variants = variants();
    int checked = 0;
    for (InferenceService isvc : variants) {
      if (!Validation.validate(isvc).isEmpty()) {
        continue; // the operator generates nothing for it
      }
      PodTemplateSpec pod = template(isvc);
      assertThat(PodSecurityRestricted.violations(pod)).as(describe(isvc)).isEmpty();
      checked++;
    }
    assertThat(checked).as("valid variations checked").isGreaterThan(300);
  }

  @Test
  void everyPodTheOperatorAppliesIsRestricted() {
    List<InferenceService> variants = variants().stream().filter(i -> Validation.validate(i).isEmpty()).toList();
    try (OperatorHarness h = Faults.operator()) {
      List<String> names = new ArrayList<>();
      // One variation in nine: every storage scheme, and every other axis both ways.
      for (int i = 0; i < variants.size(); i += 9) {
        InferenceService isvc = variants.get(i);
        isvc.getMetadata().setName("v" + i);
        h.create(isvc);
        names.add(isvc.getMetadata().getName());
      }
      for (String name : names) {
        Deployment d = org.awaitility.Awaitility.await().atMost(OperatorHarness.DEADLINE)
            .until(() -> h.get(Deployment.class, NS, name).orElse(null), x -> x != null);
        assertThat(PodSecurityRestricted.violations(d.getSpec().getTemplate())).as(name).isEmpty();
      }
      assertThat(names).hasSizeGreaterThan(30);
    }
  }

  @Test
  void everyPodOfTheSamplesIsRestricted() {
    Path samples = ProjectFiles.resolve("samples");
    assumeTrue(Files.isDirectory(samples), "no samples/ folder in this checkout");
    ResourceLoader.Result loaded = new ResourceLoader("default").load(List.of(samples));
    assertThat(loaded.errors()).isEmpty();
    List<InferenceService> isvcs = loaded.resources().stream().map(ResourceLoader.Loaded::resource)
        .filter(InferenceService.class::isInstance).map(InferenceService.class::cast).toList();
    assertThat(isvcs).isNotEmpty();
    for (InferenceService isvc : isvcs) {
      assertThat(PodSecurityRestricted.violations(template(isvc))).as(isvc.getMetadata().getName()).isEmpty();
    }
  }

  @Test
  void podAnnotationsCannotTurnAppArmorOff() {
    InferenceService isvc = Fixtures.isvc(NS, "fraud", "ghcr.io/acme/fraud:1");
    isvc.getSpec().getPredictor().setPodAnnotations(
        Map.of("container.apparmor.security.beta.kubernetes.io/predictor", "unconfined"));
    // Either refused (nothing is generated for an invalid spec), or the pod is still restricted.
    assertThat(Validation.validate(isvc).isEmpty() ? PodSecurityRestricted.violations(template(isvc)) : List.of())
        .isEmpty();
  }

  // ---- helpers

  private static List<InferenceService> variants() {
    List<InferenceService> out = new ArrayList<>();
    for (String storage : STORAGE) {
      for (boolean credentials : new boolean[] {false, true}) {
        for (boolean autoscaling : new boolean[] {false, true}) {
          for (boolean grpc : new boolean[] {false, true}) {
            for (boolean gpu : new boolean[] {false, true}) {
              for (boolean extras : new boolean[] {false, true}) {
                for (boolean podMeta : new boolean[] {false, true}) {
                  out.add(variant(storage, credentials, autoscaling, grpc, gpu, extras, podMeta));
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static InferenceService variant(String storage, boolean credentials, boolean autoscaling, boolean grpc,
      boolean gpu, boolean extras, boolean podMeta) {
    InferenceService isvc = storage.isEmpty() ? Fixtures.isvc(NS, "fraud", "ghcr.io/acme/fraud:1")
        : Fixtures.isvcWithModel(NS, "fraud", storage);
    PredictorSpec p = isvc.getSpec().getPredictor();
    if (credentials && isvc.getSpec().getModel() != null) {
      isvc.getSpec().getModel().setCredentialsSecret("model-creds");
    }
    if (autoscaling) {
      AutoscalingSpec as = new AutoscalingSpec();
      as.setMinReplicas(2);
      as.setMaxReplicas(8);
      as.setTargetCPUUtilizationPercentage(60);
      isvc.getSpec().setAutoscaling(as);
    } else {
      isvc.getSpec().setReplicas(2);
    }
    if (grpc) {
      p.setProtocol(PredictorSpec.Protocol.grpc);
      p.setPort(9000);
    }
    if (gpu) {
      p.setResources(new ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity("2")).addToRequests("memory", new Quantity("8Gi"))
          .addToLimits("nvidia.com/gpu", new Quantity("1")).build());
      p.setTolerations(List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
          .withEffect("NoSchedule").build()));
      p.setNodeSelector(Map.of("accelerator", "nvidia-l4"));
    }
    if (extras) {
      p.setCommand(List.of("/server"));
      p.setArgs(List.of("--model-dir", "/mnt/models"));
      p.setHealthPath("/health");
      p.setEnv(List.of(new EnvVar("LOG_LEVEL", "info", null)));
      p.setEnvFrom(List.of(new EnvFromSourceBuilder()
          .withConfigMapRef(new ConfigMapEnvSourceBuilder().withName("server-config").build()).build()));
      if (isvc.getSpec().getModel() != null) {
        isvc.getSpec().getModel().setMountPath("/models");
        isvc.getSpec().getModel().setSha256("a".repeat(64));
      }
    }
    if (podMeta) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("team", "fraud");
      labels.put("app.kubernetes.io/version", "1.4");
      p.setPodLabels(labels);
      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put("sidecar.istio.io/inject", "true");
      annotations.put("prometheus.io/scrape", "true");
      annotations.put("container.apparmor.security.beta.kubernetes.io/predictor", "runtime/default");
      p.setPodAnnotations(annotations);
    }
    return isvc;
  }

  private static PodTemplateSpec template(InferenceService isvc) {
    if (isvc.getMetadata().getUid() == null) {
      isvc.getMetadata().setUid("00000000-0000-0000-0000-000000000001");
    }
    Deployment d = InferenceServiceResources.deployment(isvc, LoaderImages.defaults());
    return new PodTemplateSpecBuilder(d.getSpec().getTemplate()).build();
  }

  private static io.fabric8.kubernetes.api.model.SecurityContext sc(PodTemplateSpec pod) {
    return pod.getSpec().getContainers().get(0).getSecurityContext();
  }

  private static String describe(InferenceService isvc) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(isvc.getSpec());
  }
}
