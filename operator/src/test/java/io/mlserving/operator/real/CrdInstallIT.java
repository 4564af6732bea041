package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * How the committed crds/ install on a server without CEL (1.20.2) with kubectl 1.20.2. The files are
 * applied under a group, short names and category of their own ({@value #GROUP}), so the shared control plane's
 * mlserving.io CRDs stay as they are; the schemas are those of crds/ unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrdInstallIT {
  static final String GROUP = "crdcheck.mlserving.io";
  private static final String KUBECTL_REFUSAL = "unknown field \"x-kubernetes-validations\" in"
      + " io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";

  private RealControlPlane cp;
  private Kubectl kubectl;
  private Path folder;

  @BeforeAll
  void copyCrdsUnderAGroupOfTheirOwn() throws IOException {
    cp = RealControlPlane.shared();
    kubectl = cp.kubectl();
    folder = Files.createDirectories(cp.workDir().resolve("crdcheck"));
    try (Stream<Path> files = Files.list(CrdFiles.projectRoot().resolve("crds"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".yml")).toList()) {
        String text = Files.readString(f);
        assertThat(text).as(f + " carries CEL rules").contains("x-kubernetes-validations");
        // Group, short names and category of their own, so `kubectl get mlisvc` or `kubectl get mlserving` of
        // the other tests never resolves to these.
        JsonNode crd = CrdFiles.parse(text.replace(".mlserving.io", "." + GROUP)
            .replace("group: mlserving.io", "group: " + GROUP));
        ObjectNode names = (ObjectNode) crd.path("spec").path("names");
        names.putArray("categories").add("crdcheck");
        ArrayNode shortNames = names.putArray("shortNames");
        shortNames.add("cc" + names.path("singular").asText());
        Files.writeString(folder.resolve(f.getFileName()), CrdFiles.toYaml(crd));
      }
    }
  }

  @AfterAll
  void deleteThem() {
    crds().forEach(crd -> cp.adminClient().resource(crd).delete());
  }

  private List<CustomResourceDefinition> crds() {
    return cp.adminClient().apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(c -> GROUP.equals(c.getSpec().getGroup())).toList();
  }

  @Test
  @Order(1)
  void kubectlApplyClientSideIsRefusedByKubectlsOwnSchemaValidation() {
    Kubectl.Result r = kubectl.run("apply", "-f", folder.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).as(r.toString()).contains(KUBECTL_REFUSAL)
        .contains("turn validation off with --validate=false");
    assertThat(crds()).as("nothing was sent").isEmpty();
  }

  @Test
  @Order(2)
  void kubectlApplyServerSideIsRefusedByKubectlAndWithoutItsValidationByTheServer() {
    Kubectl.Result validated = kubectl.run("apply", "--server-side", "-f", folder.toString());
    assertThat(validated.exitCode()).as(validated.toString()).isEqualTo(1);
    assertThat(validated.stderr()).as(validated.toString()).contains(KUBECTL_REFUSAL);

    Kubectl.Result unvalidated = kubectl.run("apply", "--server-side", "--validate=false", "-f", folder.toString());
    assertThat(unvalidated.exitCode()).as(unvalidated.toString()).isEqualTo(1);
    assertThat(unvalidated.stderr()).as(unvalidated.toString()).contains("x-kubernetes-validations")
        .contains("field not declared in schema");
    assertThat(crds()).isEmpty();
  }

  @Test
  @Order(3)
  void kubectlApplyWithValidateFalseInstallsThemWithTheCelRulesDropped() {
    Kubectl.Result r = kubectl.run("apply", "--validate=false", "-f", folder.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    for (CustomResourceDefinition crd : crds()) {
      kubectl.ok("wait", "--for=condition=Established", "--timeout=30s", "crd/" + crd.getMetadata().getName());
    }
    assertThat(crds()).hasSize(CrdFiles.KINDS.size()).allSatisfy(crd -> {
      assertThat(Serialization.asJson(crd.getSpec())).as(crd.getMetadata().getName())
          .doesNotContain("x-kubernetes-validations");
      assertThat(crd.getStatus().getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Established");
        assertThat(c.getStatus()).isEqualTo("True");
      });
    });

    // The structural schema still holds (a required field), the CEL rules do not (min > max is accepted).
    Kubectl.Result missingImage = kubectl.run("apply", "-f", write("missing-image.yaml", """
        apiVersion: %s/v1alpha1
        kind: InferenceService
        metadata: {name: no-image, namespace: default}
        spec:
          predictor: {port: 8080}
        """.formatted(GROUP)));
    assertThat(missingImage.exitCode()).as(missingImage.toString()).isNotZero();
    assertThat(missingImage.stderr()).contains("spec.predictor.image").contains("Required value");
    Kubectl.Result minAboveMax = kubectl.run("apply", "-f", write("min-above-max.yaml", """
        apiVersion: %s/v1alpha1
        kind: InferenceService
        metadata: {name: min-above-max, namespace: default}
        spec:
          predictor: {image: ghcr.io/acme/x:1}
          autoscaling: {minReplicas: 5, maxReplicas: 2}
        """.formatted(GROUP)));
    assertThat(minAboveMax.exitCode()).as("without CEL the server accepts what only a rule forbids: "
        + minAboveMax).isZero();
  }

  @Test
  @Order(4)
  void theChartRendersForThisServersVersionAsTheReadmeSaysForOneTwentyToOneTwentyFour() throws IOException {
    // README, "Supported Kubernetes versions": on 1.20 to 1.24, CRDs with kubectl --validate=false, "then helm
    // install --skip-crds". Helm checks the chart's kubeVersion against the server's before rendering anything.
    String server = cp.adminClient().getKubernetesVersion().getGitVersion();
    Path work = Files.createDirectories(cp.workDir().resolve("chart-kube-version"));
    String rendered;
    try {
      rendered = new com.marcnuri.helm.Helm(CrdFiles.projectRoot().resolve("charts/mlserving-operator")).template()
          .withName("mlserving-operator").withNamespace(ChartServiceAccount.NAMESPACE).withKubeVersion(server)
          .skipCrds().call();
    } catch (RuntimeException e) {
      throw new AssertionError("helm template for the server's version " + server + " fails: " + e.getMessage()
          + " (charts/mlserving-operator/Chart.yaml kubeVersion vs README's 1.20-1.24 instructions)", e);
    }
    assertThat(rendered).contains("kind: ClusterRole");
    RealControlPlane.write(work.resolve("rendered.yaml"), rendered);
  }

  private String write(String name, String yaml) {
    Path crs = folder.resolveSibling("crdcheck-resources");
    try {
      Files.createDirectories(crs);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return RealControlPlane.write(crs.resolve(name), yaml).toString();
  }
}
