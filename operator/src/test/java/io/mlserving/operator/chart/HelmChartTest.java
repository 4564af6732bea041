package io.mlserving.operator.chart;

import static io.mlserving.operator.chart.ChartRenderer.NAMESPACE;
import static io.mlserving.operator.chart.ChartRenderer.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.chart.ChartRenderer.Rendered;
import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * charts/mlserving-operator through the real Helm library (helm-java, Helm v3): {@code helm lint --strict}
 * and {@code helm template} for the main values combinations, with assertions on the rendered objects.
 */
class HelmChartTest {
  static final Path CHART = ProjectFiles.resolve("charts/mlserving-operator");

  /** The values combinations the chart supports, by name: overlays on values.yaml. */
  static final Map<String, String> COMBINATIONS = new LinkedHashMap<>();

  static {
    COMBINATIONS.put("defaults", "");
    COMBINATIONS.put("namespace-scoped, two watch namespaces", """
        rbac: {scope: namespace}
        watchNamespaces: [models-a, models-b]
        """);
    COMBINATIONS.put("two replicas with leader election", """
        replicaCount: 2
        leaderElection: {enabled: true}
        """);
    COMBINATIONS.put("serviceMonitor on", """
        metrics:
          serviceMonitor: {enabled: true, labels: {release: prometheus}}
        """);
    COMBINATIONS.put("custom loader images", """
        loaderImages:
          s3: mirror.example.com/aws-cli:2
          gs: mirror.example.com/gcloud:502
          http: mirror.example.com/curl:8
          hf: mirror.example.com/hf-loader:1
          mlflow: mirror.example.com/python:3.12-slim
        """);
    COMBINATIONS.put("default Prometheus for Canaries", """
        prometheus: {url: "http://prometheus.istio-system:9090"}
        """);
    COMBINATIONS.put("MLflow registry with the operator's credentials", """
        mlflow: {trackingUri: "http://mlflow.mlflow:5000", credentialsSecret: mlflow-operator-creds}
        """);
    COMBINATIONS.put("namespace-scoped, leader election in its own namespace, all options", """
        replicaCount: 3
        rbac: {scope: namespace}
        watchNamespaces: [models-a]
        leaderElection: {enabled: true, leaseNamespace: mlserving-leases}
        istioApi: v1beta1
        prometheus: {url: "https://metrics.example.com/prometheus"}
        mlflow: {trackingUri: "https://mlflow.example.com/tracking", credentialsSecret: mlflow-token}
        logFormat: text
        httpPort: 9090
        metrics:
          service: {port: 9090}
          serviceMonitor: {enabled: true}
        """);
  }

  /** The operator's five kinds, as RBAC names them. */
  static final List<String> KIND_PLURALS =
      List.of("inferenceservices", "abtests", "shadowtests", "circuitbreakers", "canaries");

  /** What the operator may do in a watched namespace: exactly this, nothing else. */
  static final Map<String, Set<String>> WATCH_RULES = new TreeMap<>();

  static {
    Set<String> read = Set.of("get", "list", "watch");
    Set<String> manage = Set.of("get", "list", "watch", "create", "update", "patch", "delete");
    for (String kind : KIND_PLURALS) {
      WATCH_RULES.put("mlserving.io/" + kind, read);
      WATCH_RULES.put("mlserving.io/" + kind + "/status", Set.of("get", "update", "patch"));
    }
    WATCH_RULES.put("apps/deployments", manage);
    WATCH_RULES.put("/services", manage);
    WATCH_RULES.put("autoscaling/horizontalpodautoscalers", manage);
    WATCH_RULES.put("networking.istio.io/virtualservices", manage);
    WATCH_RULES.put("networking.istio.io/destinationrules", manage);
    WATCH_RULES.put("/pods", read);
    WATCH_RULES.put("/events", Set.of("create", "patch"));
    WATCH_RULES.put("events.k8s.io/events", Set.of("create", "patch"));
  }

  /** Leader election: get/create/update are what JOSDK checks at start, patch is how fabric8 renews. */
  static final Map<String, Set<String>> LEASE_RULES =
      Map.of("coordination.k8s.io/leases", Set.of("get", "create", "update", "patch"));

  static final List<String> STANDARD_LABELS = List.of(
      "helm.sh/chart", "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
      "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of");

  @TempDir static Path work;
  static ChartRenderer helm;

  @BeforeAll
  static void setUp() {
    assertThat(CHART.resolve("Chart.yaml")).as("chart at %s", CHART).isRegularFile();
    helm = new ChartRenderer(CHART, work);
  }

  static Stream<Arguments> combinations() {
    return COMBINATIONS.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @Test
  void helmIsTheRealOne() {
    String version = Helm.version().call();
    System.out.println("helm-java embeds Helm " + version);
    assertThat(version).startsWith("v3.");
  }

  @ParameterizedTest(name = "helm lint --strict: {0}")
  @MethodSource("combinations")
  void lintsStrictly(String name, String overlay) {
    LintResult result = helm.lintStrict(overlay);
    System.out.printf("helm lint --strict (%s): %s%n", name, result.getMessages());
    assertThat(result.isFailed()).as("helm lint --strict (%s):%n%s", name, String.join("\n", result.getMessages()))
        .isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @ParameterizedTest(name = "RBAC least privilege: {0}")
  @MethodSource("combinations")
  void rbacHasNoWildcardsNoSecretsAndStatusSubresources(String name, String overlay) {
    Rendered out = helm.template(overlay);
    List<JsonNode> roles = new ArrayList<>(out.ofKind("ClusterRole"));
    roles.addAll(out.ofKind("Role"));
    assertThat(roles).as("roles rendered for %s", name).isNotEmpty();
    for (JsonNode role : roles) {
      String id = role.path("kind").asText() + "/" + role.path("metadata").path("name").asText();
      for (JsonNode rule : role.path("rules")) {
        for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames")) {
          for (JsonNode v : rule.path(field)) {
            assertThat(v.asText()).as("%s %s", id, field).doesNotContain("*");
          }
        }
        assertThat(rule.has("nonResourceURLs")).as("%s nonResourceURLs", id).isFalse();
        assertThat(texts(rule.path("resources"))).as("%s resources", id)
            .noneMatch(r -> r.equals("secrets") || r.startsWith("secrets/"));
        assertThat(texts(rule.path("verbs"))).as("%s verbs", id)
            .doesNotContain("escalate", "bind", "impersonate", "deletecollection");
      }
    }
    // Nothing in the chart reads or names Secrets: not as a resource, not as an object.
    assertThat(out.ofKind("Secret")).isEmpty();
    for (JsonNode role : roles) {
      assertThat(role.toString()).doesNotContainIgnoringCase("secret");
    }
    // Every role that grants the five kinds also grants their status subresource.
    for (JsonNode role : roles) {
      Map<String, Set<String>> granted = grants(role);
      if (granted.containsKey("mlserving.io/inferenceservices")) {
        for (String kind : KIND_PLURALS) {
          assertThat(granted.get("mlserving.io/" + kind + "/status"))
              .as("%s/status in %s", kind, role.path("metadata").path("name").asText())
              .containsExactlyInAnyOrder("get", "update", "patch");
        }
      }
    }
    for (JsonNode binding : concat(out.ofKind("ClusterRoleBinding"), out.ofKind("RoleBinding"))) {
      assertThat(binding.path("subjects")).hasSize(1);
      JsonNode subject = binding.path("subjects").get(0);
      assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
      assertThat(subject.path("name").asText()).isEqualTo(RELEASE);
      assertThat(subject.path("namespace").asText()).isEqualTo(NAMESPACE);
    }
  }

  @ParameterizedTest(name = "pod is PSS restricted: {0}")
  @MethodSource("combinations")
  void podMeetsPodSecurityRestricted(String name, String overlay) {
    JsonNode pod = helm.template(overlay).one("Deployment").path("spec").path("template").path("spec");
    JsonNode podSc = pod.path("securityContext");
    assertThat(podSc.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(podSc.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(podSc.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
      assertThat(pod.path(host).asBoolean(false)).as(host).isFalse();
    }
    Set<String> allowedVolumes = Set.of("emptyDir", "configMap", "secret", "projected", "downwardAPI",
        "persistentVolumeClaim", "ephemeral", "csi");
    for (JsonNode volume : pod.path("volumes")) {
      List<String> types = new ArrayList<>();
      volume.fieldNames().forEachRemaining(types::add);
      types.remove("name");
      assertThat(allowedVolumes).as("volume %s", volume).containsAll(types);
    }
    List<JsonNode> containers = concat(list(pod.path("containers")), list(pod.path("initContainers")));
    assertThat(containers).hasSize(1);
    for (JsonNode c : containers) {
      JsonNode sc = c.path("securityContext");
      assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).isTrue();
      assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
      assertThat(sc.path("privileged").asBoolean(false)).isFalse();
      assertThat(texts(sc.path("capabilities").path("drop"))).contains("ALL");
      assertThat(texts(sc.path("capabilities").path("add"))).isEmpty();
      assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(sc.path("runAsUser").asInt(1)).isNotZero();
      // The read-only root filesystem comes with a writable /tmp (the JVM's perf data, temp files).
      JsonNode tmp = find(c.path("volumeMounts"), "mountPath", "/tmp");
      assertThat(find(pod.path("volumes"), "name", tmp.path("name").asText()).has("emptyDir")).isTrue();
      assertThat(c.path("resources").path("requests").path("memory").asText()).isNotEmpty();
      assertThat(c.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "standard labels: {0}")
  @MethodSource("combinations")
  void everyObjectHasTheStandardLabels(String name, String overlay) {
    Rendered out = helm.template(overlay);
    for (JsonNode o : out.objects()) {
      if (o.path("kind").asText().equals("CustomResourceDefinition")) {
        continue; // crds/ are copied verbatim from the generator: Helm does not template them
      }
      JsonNode labels = o.path("metadata").path("labels");
      for (String label : STANDARD_LABELS) {
        assertThat(labels.path(label).asText()).as("%s %s: %s", o.path("kind").asText(),
            o.path("metadata").path("name").asText(), label).isNotEmpty();
      }
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RELEASE);
    }
  }

  @Test
  void defaultsRenderOneClusterScopedOperator() {
    Rendered out = helm.template("");
    assertThat(kinds(out)).containsExactlyInAnyOrder(
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");
    JsonNode deployment = out.one("Deployment");
    assertThat(deployment.path("metadata").path("name").asText()).isEqualTo(RELEASE);
    assertThat(deployment.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(1);

    JsonNode c = container(out);
    assertThat(c.path("image").asText()).isEqualTo("ghcr.io/mlserving/mlserving-operator:" + appVersion());
    assertThat(texts(c.path("args"))).containsExactly("run");
    JsonNode port = find(c.path("ports"), "name", "http");
    assertThat(port.path("containerPort").asInt()).isEqualTo(8080);
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("http");

    Map<String, JsonNode> env = env(c);
    assertThat(env.get("POD_NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("metadata.namespace");
    assertThat(value(env, "MLSERVING_WATCH_NAMESPACES")).isEmpty();
    assertThat(value(env, "MLSERVING_LEADER_ELECTION")).isEqualTo("false");
    assertThat(value(env, "MLSERVING_ISTIO_API")).isEqualTo("auto");
    assertThat(value(env, "MLSERVING_LOG_FORMAT")).isEqualTo("json");
    assertThat(value(env, "MLSERVING_HTTP_PORT")).isEqualTo("8080");
    assertThat(env).doesNotContainKeys("MLSERVING_LEASE_NAMESPACE", "MLSERVING_LOADER_IMAGE_S3",
        "MLSERVING_LOADER_IMAGE_GS", "MLSERVING_LOADER_IMAGE_HTTP", "MLSERVING_LOADER_IMAGE_HF",
        "MLSERVING_LOADER_IMAGE_MLFLOW", "MLSERVING_PROMETHEUS_URL", "MLFLOW_TRACKING_URI");
    assertThat(c.has("envFrom")).as("envFrom without mlflow.credentialsSecret").isFalse();

    // Cluster scope: one ClusterRole with exactly the watch rules, bound cluster-wide to the operator.
    assertThat(grants(out.one("ClusterRole"))).isEqualTo(WATCH_RULES);
    JsonNode binding = out.one("ClusterRoleBinding");
    assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("ClusterRole");
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(RELEASE);
    assertThat(c.path("name").asText()).isEqualTo("operator");
    assertThat(deployment.path("spec").path("template").path("spec").path("serviceAccountName").asText())
        .isEqualTo(out.one("ServiceAccount").path("metadata").path("name").asText());

    // Metrics Service selects the operator pods and reaches the http port.
    JsonNode service = out.one("Service");
    assertThat(service.path("metadata").path("name").asText()).isEqualTo(RELEASE + "-metrics");
    JsonNode metrics = find(service.path("spec").path("ports"), "name", "metrics");
    assertThat(metrics.path("targetPort").asText()).isEqualTo("http");
    assertSelects(service.path("spec").path("selector"), deployment);
  }

  @Test
  void namespaceScopeGrantsRolesOnlyInTheWatchedNamespaces() {
    Rendered out = helm.template(COMBINATIONS.get("namespace-scoped, two watch namespaces"));
    assertThat(out.ofKind("ClusterRole")).isEmpty();
    assertThat(out.ofKind("ClusterRoleBinding")).isEmpty();
    assertThat(out.ofKind("Role")).extracting(r -> r.path("metadata").path("namespace").asText())
        .containsExactlyInAnyOrder("models-a", "models-b");
    for (JsonNode role : out.ofKind("Role")) {
      assertThat(grants(role)).isEqualTo(WATCH_RULES);
    }
    assertThat(out.ofKind("RoleBinding")).hasSize(2).allSatisfy(b -> {
      assertThat(b.path("roleRef").path("kind").asText()).isEqualTo("Role");
      assertThat(b.path("roleRef").path("name").asText()).isEqualTo(RELEASE);
    });
    assertThat(value(env(container(out)), "MLSERVING_WATCH_NAMESPACES")).isEqualTo("models-a,models-b");
  }

  @Test
  void namespaceScopeWithoutAListWatchesTheReleaseNamespace() {
    Rendered out = helm.template("rbac: {scope: namespace}");
    assertThat(out.ofKind("ClusterRole")).isEmpty();
    assertThat(out.one("Role").path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(value(env(container(out)), "MLSERVING_WATCH_NAMESPACES")).isEqualTo(NAMESPACE);
  }

  @Test
  void clusterScopeCanStillWatchAListOfNamespaces() {
    Rendered out = helm.template("watchNamespaces: [models-a, models-b]");
    assertThat(grants(out.one("ClusterRole"))).isEqualTo(WATCH_RULES);
    assertThat(out.ofKind("Role")).isEmpty();
    assertThat(value(env(container(out)), "MLSERVING_WATCH_NAMESPACES")).isEqualTo("models-a,models-b");
  }

  @Test
  void twoReplicasWithLeaderElectionGetALeaseRoleInTheReleaseNamespace() {
    Rendered out = helm.template(COMBINATIONS.get("two replicas with leader election"));
    assertThat(out.one("Deployment").path("spec").path("replicas").asInt()).isEqualTo(2);
    Map<String, JsonNode> env = env(container(out));
    assertThat(value(env, "MLSERVING_LEADER_ELECTION")).isEqualTo("true");
    assertThat(value(env, "MLSERVING_LEASE_NAMESPACE")).isEqualTo(NAMESPACE);
    JsonNode leaseRole = out.one("Role");
    assertThat(leaseRole.path("metadata").path("name").asText()).isEqualTo(RELEASE + "-leader-election");
    assertThat(leaseRole.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(grants(leaseRole)).isEqualTo(LEASE_RULES);
    JsonNode binding = out.one("RoleBinding");
    assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(RELEASE + "-leader-election");
    // Leases are not in the cluster-wide role.
    assertThat(grants(out.one("ClusterRole"))).isEqualTo(WATCH_RULES);
  }

  @Test
  void leaseNamespaceCanBeChosen() {
    Rendered out = helm.template(
        COMBINATIONS.get("namespace-scoped, leader election in its own namespace, all options"));
    Map<String, JsonNode> env = env(container(out));
    assertThat(value(env, "MLSERVING_LEASE_NAMESPACE")).isEqualTo("mlserving-leases");
    assertThat(value(env, "MLSERVING_WATCH_NAMESPACES")).isEqualTo("models-a");
    assertThat(value(env, "MLSERVING_ISTIO_API")).isEqualTo("v1beta1");
    assertThat(value(env, "MLSERVING_LOG_FORMAT")).isEqualTo("text");
    assertThat(value(env, "MLSERVING_HTTP_PORT")).isEqualTo("9090");
    assertThat(value(env, "MLSERVING_PROMETHEUS_URL")).isEqualTo("https://metrics.example.com/prometheus");
    assertThat(find(container(out).path("ports"), "name", "http").path("containerPort").asInt()).isEqualTo(9090);
    assertThat(out.ofKind("Role")).extracting(r -> r.path("metadata").path("namespace").asText() + "/"
        + r.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("models-a/" + RELEASE, "mlserving-leases/" + RELEASE + "-leader-election");
  }

  @Test
  void replicasWithoutLeaderElectionAreRejectedByTheSchema() {
    assertThatThrownBy(() -> helm.template("replicaCount: 2"))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("leaderElection");
    LintResult lint = helm.lintStrict("replicaCount: 2");
    assertThat(lint.isFailed()).isTrue();
  }

  @Test
  void replicasWithoutLeaderElectionAreRejectedByTheTemplateWhenTheSchemaIsSkipped() {
    assertThatThrownBy(() -> helm.templateWithoutSchema("replicaCount: 2"))
        .hasMessageContaining("replicaCount is 2 but leaderElection.enabled is false");
    assertThat(helm.templateWithoutSchema("replicaCount: 2\nleaderElection: {enabled: true}"))
        .contains("replicas: 2");
  }

  @Test
  void schemaRejectsBadValues() {
    assertThatThrownBy(() -> helm.template("rbac: {scope: everywhere}")).hasMessageContaining("rbac");
    assertThatThrownBy(() -> helm.template("istioApi: v2")).hasMessageContaining("istioApi");
    assertThatThrownBy(() -> helm.template("logFormat: xml")).hasMessageContaining("logFormat");
    assertThatThrownBy(() -> helm.template("watchNamespaces: [Not_A_Namespace]"))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(() -> helm.template("replicas: 2")).hasMessageContaining("replicas");
    assertThatThrownBy(() -> helm.template("metrics: {service: {enabled: false}, serviceMonitor: {enabled: true}}"))
        .hasMessageContaining("metrics");
  }

  @Test
  void serviceMonitorScrapesTheMetricsService() {
    Rendered out = helm.template(COMBINATIONS.get("serviceMonitor on"));
    JsonNode monitor = out.one("ServiceMonitor");
    assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus");
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    JsonNode service = out.one("Service");
    JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
    selector.fields().forEachRemaining(e -> assertThat(
        service.path("metadata").path("labels").path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    assertThat(texts(monitor.path("spec").path("namespaceSelector").path("matchNames"))).containsExactly(NAMESPACE);
    assertThat(helm.template("").ofKind("ServiceMonitor")).isEmpty();
  }

  /** prometheus.url is the operator's default Prometheus for Canaries: MLSERVING_PROMETHEUS_URL, only when set. */
  @Test
  void prometheusUrlComesFromValues() {
    Rendered out = helm.template(COMBINATIONS.get("default Prometheus for Canaries"));
    assertThat(value(env(container(out)), "MLSERVING_PROMETHEUS_URL")).isEqualTo("http://prometheus.istio-system:9090");
    assertThat(env(container(helm.template("prometheus: {url: \"\"}")))).doesNotContainKey("MLSERVING_PROMETHEUS_URL");
    assertThat(helm.installDryRunOutput(COMBINATIONS.get("default Prometheus for Canaries")))
        .contains("Canary metric gates ask http://prometheus.istio-system:9090.");
    assertThat(helm.installDryRunOutput("")).contains("Canary metric gates ask no Prometheus by default");
  }

  @Test
  void schemaRejectsAPrometheusUrlTheOperatorCannotUse() {
    // Without a scheme, with spaces, or with a query: the operator would answer every check Unreachable.
    for (String url : List.of("prometheus.istio-system:9090", "http://prometheus istio", "http://p:9090/?x=1")) {
      assertThatThrownBy(() -> helm.template("prometheus: {url: \"" + url + "\"}")).as(url)
          .hasMessageContaining("prometheus");
    }
    assertThatThrownBy(() -> helm.template("prometheus: {address: \"http://p:9090\"}"))
        .hasMessageContaining("address");
  }

  @Test
  void loaderImagesComeFromValues() {
    Map<String, JsonNode> env = env(container(helm.template(COMBINATIONS.get("custom loader images"))));
    assertThat(value(env, "MLSERVING_LOADER_IMAGE_S3")).isEqualTo("mirror.example.com/aws-cli:2");
    assertThat(value(env, "MLSERVING_LOADER_IMAGE_GS")).isEqualTo("mirror.example.com/gcloud:502");
    assertThat(value(env, "MLSERVING_LOADER_IMAGE_HTTP")).isEqualTo("mirror.example.com/curl:8");
    assertThat(value(env, "MLSERVING_LOADER_IMAGE_HF")).isEqualTo("mirror.example.com/hf-loader:1");
    assertThat(value(env, "MLSERVING_LOADER_IMAGE_MLFLOW")).isEqualTo("mirror.example.com/python:3.12-slim");
  }

  /**
   * mlflow.trackingUri is MLFLOW_TRACKING_URI; mlflow.credentialsSecret is one envFrom secretRef of the operator
   * container and nothing else: no Secret object, no secret volume, no value copied into env, and RBAC unchanged.
   */
  @Test
  void mlflowTrackingUriAndCredentialsSecretComeFromValues() {
    Rendered out = helm.template(COMBINATIONS.get("MLflow registry with the operator's credentials"));
    JsonNode c = container(out);
    Map<String, JsonNode> env = env(c);
    assertThat(value(env, "MLFLOW_TRACKING_URI")).isEqualTo("http://mlflow.mlflow:5000");
    // The credentials reach the operator only through envFrom, read by the kubelet: never as values.
    assertThat(env).doesNotContainKeys("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD");
    assertThat(c.path("envFrom")).hasSize(1);
    JsonNode ref = c.path("envFrom").get(0);
    assertThat(ref.path("secretRef").path("name").asText()).isEqualTo("mlflow-operator-creds");
    assertThat(ref.has("prefix")).as("keys keep MLflow's names").isFalse();
    assertThat(ref.path("secretRef").path("optional").asBoolean(false))
        .as("a missing Secret stops the pod instead of running without credentials").isFalse();
    JsonNode pod = out.one("Deployment").path("spec").path("template").path("spec");
    assertThat(pod.has("initContainers")).isFalse();
    assertThat(pod.path("containers")).hasSize(1);
    for (JsonNode volume : pod.path("volumes")) {
      assertThat(volume.has("secret")).as("volume %s", volume).isFalse();
    }
    assertThat(out.ofKind("Secret")).isEmpty();
    // RBAC is exactly what it is without MLflow: still no Secret.
    assertThat(grants(out.one("ClusterRole"))).isEqualTo(WATCH_RULES);
    assertThat(out.one("ClusterRole").toString()).doesNotContainIgnoringCase("secret");
    assertThat(helm.installDryRunOutput(COMBINATIONS.get("MLflow registry with the operator's credentials")))
        .contains("models:/...) without spec.model.registry.url are resolved by http://mlflow.mlflow:5000"
            + " (credentials from Secret mlflow-operator-creds, sent to that server only).");
  }

  @Test
  void mlflowTrackingUriWithoutCredentialsAndNeitherSet() {
    JsonNode c = container(helm.template("mlflow: {trackingUri: \"https://mlflow.example.com/tracking\"}"));
    assertThat(value(env(c), "MLFLOW_TRACKING_URI")).isEqualTo("https://mlflow.example.com/tracking");
    assertThat(c.has("envFrom")).isFalse();
    JsonNode unset = container(helm.template("mlflow: {trackingUri: \"\", credentialsSecret: \"\"}"));
    assertThat(env(unset)).doesNotContainKeys("MLFLOW_TRACKING_URI", "MLSERVING_LOADER_IMAGE_MLFLOW");
    assertThat(unset.has("envFrom")).isFalse();
    assertThat(helm.installDryRunOutput("")).contains("resolved by no tracking server by default");
    Map<String, JsonNode> all = env(container(helm.template(
        COMBINATIONS.get("namespace-scoped, leader election in its own namespace, all options"))));
    assertThat(value(all, "MLFLOW_TRACKING_URI")).isEqualTo("https://mlflow.example.com/tracking");
  }

  @Test
  void mlflowCredentialsWithoutATrackingUriAreRefused() {
    // Credentials the operator would send nowhere: refused by the schema, and by the template without it.
    assertThatThrownBy(() -> helm.template("mlflow: {credentialsSecret: mlflow-operator-creds}"))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("trackingUri");
    assertThat(helm.lintStrict("mlflow: {credentialsSecret: mlflow-operator-creds}").isFailed()).isTrue();
    assertThatThrownBy(() -> helm.templateWithoutSchema("mlflow: {credentialsSecret: mlflow-operator-creds}"))
        .hasMessageContaining("mlflow.credentialsSecret needs mlflow.trackingUri");
  }

  @Test
  void schemaRejectsMlflowValuesTheOperatorCannotUse() {
    for (String uri : List.of("mlflow.mlflow:5000", "http://mlflow mlflow", "http://mlflow:5000/?x=1",
        "file:///mlruns")) {
      assertThatThrownBy(() -> helm.template("mlflow: {trackingUri: \"" + uri + "\"}")).as(uri)
          .hasMessageContaining("mlflow");
    }
    assertThatThrownBy(() -> helm.template(
        "mlflow: {trackingUri: \"http://mlflow:5000\", credentialsSecret: Not_A_Secret}"))
        .hasMessageContaining("credentialsSecret");
    // A token is a Secret's business, never a value in the chart.
    assertThatThrownBy(() -> helm.template("mlflow: {trackingUri: \"http://mlflow:5000\", token: abc}"))
        .hasMessageContaining("token");
  }

  @Test
  void imageTagAndExtrasComeFromValues() {
    Rendered out = helm.template("""
        image: {repository: registry.example.com/mlserving-operator, tag: "1.2.3", pullPolicy: Always}
        imagePullSecrets: [{name: regcred}]
        extraEnv: [{name: EXTRA, value: "yes"}]
        runAsUser: null
        runAsGroup: null
        serviceAccount: {create: false, name: existing-sa}
        rbac: {create: false}
        """);
    JsonNode c = container(out);
    assertThat(c.path("image").asText()).isEqualTo("registry.example.com/mlserving-operator:1.2.3");
    assertThat(c.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(value(env(c), "EXTRA")).isEqualTo("yes");
    JsonNode pod = out.one("Deployment").path("spec").path("template").path("spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("existing-sa");
    assertThat(pod.path("securityContext").has("runAsUser")).isFalse();
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(kinds(out)).doesNotContain("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role");
  }

  @Test
  void notesTellWhatToRunNext() {
    String notes = helm.installDryRunOutput("");
    assertThat(notes).contains("NOTES:")
        .contains("kubectl -n " + NAMESPACE + " rollout status deployment/" + RELEASE)
        .contains("kubectl get crd inferenceservices.mlserving.io")
        .contains("kubectl wait")
        .contains("--for=condition=Ready")
        .contains("in every namespace")
        .contains("http://" + RELEASE + "-metrics." + NAMESPACE + ".svc:8080/metrics");
    String scoped = helm.installDryRunOutput(COMBINATIONS.get("namespace-scoped, two watch namespaces"));
    assertThat(scoped).contains("in: models-a, models-b.").contains("RBAC: namespace-scoped")
        .contains("kubectl wait -n models-a --for=condition=Ready");
    assertThat(helm.installDryRunOutput(COMBINATIONS.get("two replicas with leader election")))
        .contains("leader election: on (Lease in " + NAMESPACE + "); replicas: 2.");
  }

  @Test
  void chartCrdsAreTheFiveKindsWithTheStatusSubresource() throws IOException {
    List<Path> crds = yamlFiles(CHART.resolve("crds"));
    assertThat(crds).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrderElementsOf(
        KIND_PLURALS.stream().map(k -> k + ".mlserving.io-v1.yml").toList());
    // And they are the operator's kinds: a new kind cannot be left out of the chart's CRDs and RBAC.
    assertThat(KIND_PLURALS).containsExactlyInAnyOrderElementsOf(
        CrdFiles.KINDS.stream().map(HasMetadata::getPlural).toList());
    for (Path file : crds) {
      JsonNode crd = ChartRenderer.YAML.readTree(file.toFile());
      assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
      assertThat(crd.path("spec").path("group").asText()).isEqualTo("mlserving.io");
      for (JsonNode version : crd.path("spec").path("versions")) {
        assertThat(version.path("subresources").has("status")).as("%s status subresource", file).isTrue();
      }
    }
  }

  /** The chart's crds/ is a copy of the repository's crds/: identical, byte for byte. */
  @Test
  void chartCrdsAreIdenticalToTheRepositoryCrds() throws IOException {
    Path repoCrds = ProjectFiles.resolve("crds");
    assumeTrue(Files.isDirectory(repoCrds),
        "crds/ does not exist yet at the repository root (the generated CRDs are committed there by the"
            + " CRD work); until then the chart's copy cannot be compared");
    List<Path> expected = yamlFiles(repoCrds);
    List<Path> actual = yamlFiles(CHART.resolve("crds"));
    assertThat(actual).extracting(p -> p.getFileName().toString())
        .as("charts/mlserving-operator/crds/*.yml must be the same files as crds/*.yml (cp crds/*.yml"
            + " charts/mlserving-operator/crds/)")
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(p -> p.getFileName().toString()).toList());
    for (Path source : expected) {
      Path copy = CHART.resolve("crds").resolve(source.getFileName().toString());
      assertThat(Arrays.equals(Files.readAllBytes(copy), Files.readAllBytes(source)))
          .as("%s differs from %s: run cp crds/*.yml charts/mlserving-operator/crds/", copy, source)
          .isTrue();
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  /** "group/resource" to verbs, over all rules of a Role or ClusterRole. */
  static Map<String, Set<String>> grants(JsonNode role) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (JsonNode rule : role.path("rules")) {
      for (String group : texts(rule.path("apiGroups"))) {
        for (String resource : texts(rule.path("resources"))) {
          out.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(texts(rule.path("verbs")));
        }
      }
    }
    return out;
  }

  static void assertSelects(JsonNode selector, JsonNode deployment) {
    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    assertThat(selector.size()).isPositive();
    selector.fields().forEachRemaining(
        e -> assertThat(podLabels.path(e.getKey()).asText()).as(e.getKey()).isEqualTo(e.getValue().asText()));
  }

  static JsonNode container(Rendered out) {
    return out.one("Deployment").path("spec").path("template").path("spec").path("containers").get(0);
  }

  static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      assertThat(env.put(e.path("name").asText(), e)).as("duplicate env %s", e.path("name").asText()).isNull();
    }
    return env;
  }

  static String value(Map<String, JsonNode> env, String name) {
    assertThat(env).containsKey(name);
    return env.get(name).path("value").asText();
  }

  static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode item : array) {
      if (value.equals(item.path(field).asText())) {
        return item;
      }
    }
    throw new AssertionError("no item with " + field + "=" + value + " in " + array);
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
    List<JsonNode> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static List<String> kinds(Rendered out) {
    return out.objects().stream().map(o -> o.path("kind").asText())
        .filter(k -> !k.equals("CustomResourceDefinition")).toList();
  }

  static String appVersion() {
    try {
      return ChartRenderer.YAML.readTree(CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList();
    }
  }
}
