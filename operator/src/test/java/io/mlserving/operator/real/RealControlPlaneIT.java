package io.mlserving.operator.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The harness itself: the control plane, its audit log, kubectl, the kubelet stand-in, the chart's identity. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealControlPlaneIT {
  private RealControlPlane cp;
  private KubernetesClient admin;
  private KubeletStandIn kubelet;
  private String namespace;

  @BeforeAll
  void start() {
    cp = RealControlPlane.shared();
    admin = cp.adminClient();
    kubelet = new KubeletStandIn(admin);
    namespace = RealServerTest.createNamespace(admin, "harness");
  }

  @AfterAll
  void stop() {
    kubelet.close();
    RealServerTest.deleteNamespaces(admin, List.of(namespace));
  }

  @Test
  void theApiServerServesVersion120AndNoAutoscalingV2() {
    assertThat(admin.getKubernetesVersion().getGitVersion()).startsWith("v1.20.");
    assertThat(admin.getApiGroup("autoscaling").getVersions()).extracting(v -> v.getVersion())
        .contains("v1", "v2beta2").doesNotContain("v2");
  }

  @Test
  void kubectlTalksToItAsTheAdmin() {
    Kubectl.Result r = cp.kubectl().run("auth", "can-i", "*", "*", "--all-namespaces");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout().trim()).isEqualTo("yes");
  }

  @Test
  void theAuditLogCountsRequestsByUserVerbAndCode() {
    AuditLog audit = cp.auditLog();
    AuditLog.Mark mark = audit.mark();
    admin.configMaps().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("audited").endMetadata().addToData("k", "v").build()).create();
    admin.configMaps().inNamespace(namespace).withName("audited").get();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<AuditLog.Entry> writes = audit.writes(RealControlPlane.ADMIN_USER, mark);
      assertThat(writes).as(AuditLog.describe(writes))
          .anySatisfy(e -> {
            assertThat(e.verb()).isEqualTo("create");
            assertThat(e.resource()).isEqualTo("configmaps");
            assertThat(e.namespace()).isEqualTo(namespace);
            assertThat(e.code()).isEqualTo(201);
          });
      assertThat(audit.count(RealControlPlane.ADMIN_USER, mark, e -> "audited".equals(e.name())))
          .containsEntry("create configmaps", 1L).containsEntry("get configmaps", 1L);
    });
  }

  @Test
  void aServiceAccountOfTheChartIsRefusedWhatItsClusterRoleLacks() {
    // A ServiceAccount of its own, so this deliberate 403 is not counted against the operator's.
    ChartServiceAccount probe = ChartServiceAccount.of(cp, "fullnameOverride: rbac-probe\n");
    AuditLog.Mark mark = cp.auditLog().mark();
    try (KubernetesClient client = RealControlPlane.clientFor(probe.kubeconfig())) {
      assertThat(client.resources(io.mlserving.operator.api.v1alpha1.InferenceService.class).inAnyNamespace()
          .list().getItems()).isNotNull();
      KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(
          KubernetesClientException.class, () -> client.secrets().inNamespace(namespace).list());
      assertThat(refused.getCode()).isEqualTo(403);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cp.auditLog().forbidden(probe.user(), mark))
        .singleElement().satisfies(e -> assertThat(e.fullResource()).isEqualTo("secrets")));
    assertThat(probe.user()).isEqualTo("system:serviceaccount:mlserving-system:rbac-probe");
  }

  @Test
  void theKubeletStandInMakesADeploymentAvailableForTheDeploymentController() {
    Deployment d = new DeploymentBuilder()
        .withNewMetadata().withName("plain").withNamespace(namespace).endMetadata()
        .withNewSpec().withReplicas(2)
          .withNewSelector().addToMatchLabels("app", "plain").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "plain").endMetadata()
            .withNewSpec()
              .addNewInitContainer().withName("init").withImage("busybox:1").endInitContainer()
              .addNewContainer().withName("server").withImage("nginx:1.27").endContainer()
            .endSpec()
          .endTemplate()
        .endSpec().build();
    admin.resource(d).create();
    Deployment available = await().atMost(Duration.ofSeconds(60)).until(
        () -> admin.apps().deployments().inNamespace(namespace).withName("plain").get(),
        x -> x.getStatus() != null && Integer.valueOf(2).equals(x.getStatus().getAvailableReplicas())
            && x.getStatus().getConditions() != null && x.getStatus().getConditions().stream()
                .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus())));
    assertThat(available.getStatus().getReadyReplicas()).isEqualTo(2);
    Pod pod = admin.pods().inNamespace(namespace).withLabel("app", "plain").list().getItems().get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(cs -> {
      assertThat(cs.getName()).isEqualTo("server");
      assertThat(cs.getImage()).isEqualTo("nginx:1.27");
      assertThat(cs.getReady()).isTrue();
    });
    assertThat(pod.getStatus().getInitContainerStatuses()).singleElement()
        .satisfies(cs -> assertThat(cs.getState().getTerminated().getExitCode()).isZero());
    assertThat(kubelet.errors()).isEmpty();
  }

  @Test
  void aRuleCrashLoopsTheModelLoaderOfTheSelectedPods() {
    kubelet.crashLoopLoader(p -> namespace.equals(p.getMetadata().getNamespace())
        && "crashing".equals(p.getMetadata().getName()), "download failed: 403 Forbidden");
    admin.pods().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName("crashing").endMetadata()
        .withNewSpec()
          .addNewInitContainer().withName(KubeletStandIn.MODEL_LOADER).withImage("amazon/aws-cli:2").endInitContainer()
          .addNewContainer().withName("predictor").withImage("server:1").endContainer()
        .endSpec().build()).create();
    Pod pod = await().atMost(Duration.ofSeconds(30)).until(
        () -> admin.pods().inNamespace(namespace).withName("crashing").get(),
        p -> p.getStatus() != null && p.getStatus().getInitContainerStatuses() != null
            && !p.getStatus().getInitContainerStatuses().isEmpty());
    var loader = pod.getStatus().getInitContainerStatuses().get(0);
    assertThat(loader.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(loader.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(loader.getLastState().getTerminated().getMessage()).isEqualTo("download failed: 403 Forbidden");
    assertThat(pod.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("False");
    });
  }

  @Test
  void theApiServerStopsAndStartsAgainOnTheSamePortWithTheSameData() {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace + "-kept")
        .endMetadata().build()).create();
    cp.stopApiServer();
    assertThat(cp.apiServerRunning()).isFalse();
    assertThat(cp.kubectl().run(Duration.ofSeconds(20), "get", "namespaces").ok()).isFalse();
    cp.startApiServer();
    assertThat(cp.kubectl().ok("get", "namespace", namespace + "-kept", "-o", "name"))
        .isEqualTo("namespace/" + namespace + "-kept\n");
    RealServerTest.deleteNamespaces(admin, List.of(namespace + "-kept"));
  }

  @Test
  void theOperatorProcessStartsAsTheChartsServiceAccountAndStopsOnSigterm() {
    AuditLog.Mark mark = cp.auditLog().mark();
    OperatorProcess operator = OperatorProcess.start(cp).awaitStarted();
    assertThat(operator.isAlive()).isTrue();
    assertThat(operator.user()).isEqualTo("system:serviceaccount:mlserving-system:mlserving-operator");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        cp.auditLog().count(operator.user(), mark, e -> "watch".equals(e.verb()) || "list".equals(e.verb())))
        .containsKey("list inferenceservices"));
    int exit = operator.stop();
    assertThat(operator.isAlive()).isFalse();
    // SIGTERM is a stop request: in-flight reconciles finish and `run` returns 0 (not the JVM's 143).
    assertThat(exit).as(operator.logTail(30)).isZero();
    assertThat(operator.logText()).contains("Stopping the operator");
    assertThat(cp.auditLog().refusedByRbac(operator.user(), mark)).isEmpty();
  }
}
