package io.mlserving.operator.real;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.chart.ChartRenderer;
import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's identity as the Helm chart defines it: {@code helm template} of charts/mlserving-operator
 * (helm-java), its ServiceAccount and RBAC objects applied as the admin, and a kubeconfig with the token
 * kube-controller-manager puts in the ServiceAccount's Secret. A rule missing from the chart is then a 403.
 */
public record ChartServiceAccount(String namespace, String name, Path kubeconfig) {
  /** The namespace the chart is rendered for. */
  public static final String NAMESPACE = ChartRenderer.NAMESPACE;
  /** The chart's RBAC kinds, the only objects of the rendering applied (there is no kubelet to run its Deployment). */
  static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
      "RoleBinding");

  private static final Map<String, ChartServiceAccount> INSTALLED = new ConcurrentHashMap<>();
  /** Which overlay applied each RBAC object (kind/namespace/name) on which control plane, to refuse a silent rebind. */
  private static final Map<String, String> APPLIED_BY = new ConcurrentHashMap<>();

  /** The audit log's user name of whoever uses this kubeconfig. */
  public String user() {
    return "system:serviceaccount:" + namespace + ":" + name;
  }

  /** The chart with its default values on {@code cp}, installed once per control plane. */
  public static ChartServiceAccount of(RealControlPlane cp) {
    return of(cp, "");
  }

  /**
   * The chart with {@code valuesOverlay} (YAML, as {@code helm template -f}) on {@code cp}, installed once per
   * control plane and overlay. An overlay besides the defaults needs {@code fullnameOverride}, else its
   * ClusterRoleBinding would replace the default one's subjects. The chart says kubeVersion >= 1.25 (its CRDs' CEL rules need it), so it is
   * rendered for {@link ChartRenderer#KUBE_VERSION}: its RBAC objects do not depend on the version.
   */
  public static synchronized ChartServiceAccount of(RealControlPlane cp, String valuesOverlay) {
    String key = cp.url() + "\n" + valuesOverlay;
    ChartServiceAccount known = INSTALLED.get(key);
    if (known != null) {
      return known;
    }
    Path work = cp.workDir().resolve("chart-" + INSTALLED.size());
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChartRenderer.Rendered rendered = new ChartRenderer(CrdFiles.projectRoot().resolve("charts/mlserving-operator"),
        work).template(valuesOverlay);
    KubernetesClient admin = cp.adminClient();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .createOr(NonDeletingOperation::update);
    String saName = rendered.one("ServiceAccount").path("metadata").path("name").asText();
    List<String> applied = new ArrayList<>();
    for (JsonNode object : rendered.objects()) {
      String kind = object.path("kind").asText();
      if (!RBAC_KINDS.contains(kind)) {
        continue;
      }
      GenericKubernetesResource resource = Serialization.jsonMapper().convertValue(object,
          GenericKubernetesResource.class);
      boolean namespaced = !kind.startsWith("Cluster");
      if (namespaced && resource.getMetadata().getNamespace() == null) {
        resource.getMetadata().setNamespace(NAMESPACE);
      }
      if (namespaced) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata()
            .withName(resource.getMetadata().getNamespace()).endMetadata().build())
            .createOr(NonDeletingOperation::update);
      }
      String id = cp.url() + " " + kind + "/" + resource.getMetadata().getNamespace() + "/"
          + resource.getMetadata().getName();
      String before = APPLIED_BY.putIfAbsent(id, valuesOverlay);
      if (before != null && !before.equals(valuesOverlay)) {
        // Same release name, other values: the binding would be replaced and the first account lose its rights.
        throw new IllegalStateException(kind + " " + resource.getMetadata().getName() + " was already applied"
            + " with other values; give this overlay names of its own (fullnameOverride: <name>)");
      }
      admin.resource(resource).createOr(NonDeletingOperation::update);
      applied.add(kind + " " + resource.getMetadata().getName());
    }
    String token = awaitToken(cp, NAMESPACE, saName);
    Path kubeconfig = cp.writeKubeconfig("operator-" + saName + "-" + INSTALLED.size() + ".kubeconfig",
        saName, token);
    RealControlPlane.write(work.resolve("applied.txt"), String.join("\n", applied) + "\n");
    ChartServiceAccount account = new ChartServiceAccount(NAMESPACE, saName, kubeconfig);
    INSTALLED.put(key, account);
    return account;
  }

  /** The token kube-controller-manager's token controller writes into the ServiceAccount's Secret. */
  private static String awaitToken(RealControlPlane cp, String namespace, String sa) {
    String[] token = new String[1];
    RealControlPlane.poll("the token Secret of ServiceAccount " + namespace + "/" + sa, Duration.ofSeconds(60), () -> {
      ServiceAccount account = cp.adminClient().serviceAccounts().inNamespace(namespace).withName(sa).get();
      if (account == null || account.getSecrets() == null) {
        return false;
      }
      for (var ref : account.getSecrets()) {
        Secret secret = cp.adminClient().secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret != null && "kubernetes.io/service-account-token".equals(secret.getType())
            && secret.getData() != null && secret.getData().get("token") != null) {
          token[0] = new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
          return true;
        }
      }
      return false;
    }, () -> "kube-controller-manager log: " + cp.workDir().resolve("kube-controller-manager.log"));
    return token[0];
  }
}
