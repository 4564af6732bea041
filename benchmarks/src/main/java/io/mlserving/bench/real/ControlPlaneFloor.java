package io.mlserving.bench.real;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.bench.Workload;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.real.KubeletStandIn;
import io.mlserving.operator.real.RealControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/**
 * The control plane alone ({@code --floor}): the Deployments an operator would generate for the real-server
 * workload, created and then changed straight by the benchmark, with no operator running; the kubelet stand-in
 * and the controllers do the rest. It tells how much of an operator's time in {@code --real} is the control
 * plane's own work on the pod template, and what a template costs: ours with the model loader, ours with the
 * model in the image, and the peer's shape (one container, an image and a port).
 */
public final class ControlPlaneFloor {
  /** The templates measured, in the order each round runs them. */
  public static final List<String> TEMPLATES =
      List.of("ours-model-load", "ours-model-in-image", "peer-shape");

  private static final int NAMESPACES = 10;
  private static final int THREADS = 8;
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

  private final int isvcs;
  private final int rounds;
  private final List<String> templates;

  public ControlPlaneFloor(int isvcs, int rounds, List<String> templates) {
    for (String t : templates) {
      if (!TEMPLATES.contains(t)) {
        throw new IllegalArgumentException("--floor templates are " + TEMPLATES + ", not " + t);
      }
    }
    this.isvcs = isvcs;
    this.rounds = rounds;
    this.templates = templates;
  }

  /** Every round of every template; writes {@code control-plane-floor.{json,md}} into {@code out}. */
  public void run(Path out) throws Exception {
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (String t : templates) {
        System.err.printf("[bench] floor: round %d, %s ...%n", round, t);
        Map<String, Object> r = runOne(t, round);
        runs.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
        System.err.printf("[bench] floor: round %d, %s: %s%n", round, t, r);
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("date", Instant.now().toString());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("method", "no operator: " + isvcs + " Deployments over " + NAMESPACES + " namespaces created by the"
        + " benchmark (" + THREADS + " threads), to every rollout complete; then the predictor image changed on all,"
        + " to every rollout complete again. Each run on a fresh control plane (kube-controller-manager at"
        + " --kube-api-qps=" + RealRun.KUBE_API_QPS + "), the kubelet stand-in marking pods Ready. CPU: seconds of"
        + " kube-apiserver, kube-controller-manager and etcd in the phase.");
    doc.put("runs", runs);
    Files.createDirectories(out);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("control-plane-floor.json").toFile(), doc);
    String md = markdown(runs);
    Files.writeString(out.resolve("control-plane-floor.md"), md);
    System.out.println(md);
    System.out.println("Wrote " + out.resolve("control-plane-floor.json") + " and "
        + out.resolve("control-plane-floor.md"));
  }

  private Map<String, Object> runOne(String template, int round) throws Exception {
    Workload w = new Workload(NAMESPACES);
    List<Deployment> ds = new ArrayList<>();
    for (int i = 0; i < isvcs; i++) {
      boolean model = !template.equals("ours-model-in-image");
      ds.add(shape(template).apply(
          InferenceServiceResources.deployment(w.isvc("b", i, model), LoaderImages.defaults())));
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("round", round);
    r.put("pod_template_json_bytes", Serialization.asJson(ds.get(0).getSpec().getTemplate()).length());
    try (RealControlPlane cp = RealControlPlane.start(RealControlPlane.Options.defaults()
        .withKubeApi(RealRun.KUBE_API_QPS, RealRun.KUBE_API_BURST));
        KubernetesClient client = RealControlPlane.clientFor(cp.adminKubeconfig());
        KubeletStandIn kubelet = new KubeletStandIn(cp.adminClient());
        RolloutTracker rollouts = new RolloutTracker(client)) {
      for (int n = 0; n < NAMESPACES; n++) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(w.namespace(n))
            .endMetadata().build()).create();
      }
      r.put("burst", phase(ds, rollouts, RealRun.FIRST_IMAGE, d -> client.resource(d).create()));
      r.put("change", phase(ds, rollouts, RealRun.NEW_IMAGE, d -> client.apps().deployments()
          .inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).edit(x -> {
            predictor(x.getSpec().getTemplate().getSpec()).setImage(RealRun.NEW_IMAGE);
            return x;
          })));
      r.put("kubelet_stand_in_patches", kubelet.patches());
    }
    return r;
  }

  interface Send {
    Object to(Deployment d) throws Exception;
  }

  private Map<String, Object> phase(List<Deployment> ds, RolloutTracker rollouts, String image, Send send)
      throws Exception {
    Map<String, Double> cpu0 = ProcessCpu.snapshot(-1);
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (Deployment d : ds) {
        sent.add(pool.submit(() -> send.to(d)));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long deadline = t0 + PHASE_TIMEOUT.toNanos();
    long last = 0;
    for (Deployment d : ds) {
      Long done;
      while ((done = rollouts.completeAt(d.getMetadata().getNamespace(), d.getMetadata().getName(), image)) == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(d.getMetadata().getName() + " not rolled out with " + image + " within "
              + PHASE_TIMEOUT.toMinutes() + " min");
        }
        Thread.sleep(20);
      }
      last = Math.max(last, done);
    }
    Map<String, Double> cpu = ProcessCpu.minus(ProcessCpu.snapshot(-1), cpu0);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("all_rollouts_complete_s", RealRun.round((last - t0) / 1e9, 2));
    double sum = 0;
    for (String k : List.of("kube-apiserver", "kube-controller-manager", "etcd")) {
      double v = cpu.getOrDefault(k, 0.0);
      p.put(k + "_cpu_s", v);
      sum += v;
    }
    p.put("control_plane_cpu_s", RealRun.round(sum, 2));
    return p;
  }

  /** The pod template of {@code template}, from our generated Deployment. */
  static UnaryOperator<Deployment> shape(String template) {
    return switch (template) {
      case "ours-model-load", "ours-model-in-image" -> d -> d;
      case "peer-shape" -> d -> new DeploymentBuilder()
          .withMetadata(d.getMetadata())
          .withNewSpec()
            .withReplicas(1)
            .withSelector(d.getSpec().getSelector())
            .withNewTemplate()
              .withNewMetadata().withLabels(d.getSpec().getSelector().getMatchLabels()).endMetadata()
              .withNewSpec()
                .addNewContainer()
                  .withName(RolloutTracker.PREDICTOR)
                  .withImage(predictor(d.getSpec().getTemplate().getSpec()).getImage())
                  .addNewPort().withName("http").withContainerPort(8080).endPort()
                .endContainer()
              .endSpec()
            .endTemplate()
          .endSpec()
          .build();
      default -> throw new IllegalArgumentException(template);
    };
  }

  private static Container predictor(PodSpec spec) {
    return spec.getContainers().stream().filter(c -> RolloutTracker.PREDICTOR.equals(c.getName())).findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private String markdown(Map<String, List<Map<String, Object>>> runs) {
    StringBuilder b = new StringBuilder();
    b.append("# The control plane alone: ").append(isvcs).append(" Deployments, no operator (`--floor`)\n\n")
        .append("Each round runs every template on a fresh control plane; best of ").append(rounds)
        .append(" rounds, then every round. Time: to every rollout complete. CPU: kube-apiserver +"
            + " kube-controller-manager + etcd, seconds.\n\n")
        .append("| template | pod template JSON | burst | burst CPU | change | change CPU |")
        .append(" rounds (burst / change s) |\n")
        .append("|---|---|---|---|---|---|---|\n");
    runs.forEach((t, rs) -> {
      double bestBurst = Double.MAX_VALUE;
      double bestChange = Double.MAX_VALUE;
      double burstCpu = Double.MAX_VALUE;
      double changeCpu = Double.MAX_VALUE;
      List<String> each = new ArrayList<>();
      for (Map<String, Object> r : rs) {
        Map<String, Object> burst = (Map<String, Object>) r.get("burst");
        Map<String, Object> change = (Map<String, Object>) r.get("change");
        double bs = (Double) burst.get("all_rollouts_complete_s");
        double cs = (Double) change.get("all_rollouts_complete_s");
        bestBurst = Math.min(bestBurst, bs);
        bestChange = Math.min(bestChange, cs);
        burstCpu = Math.min(burstCpu, (Double) burst.get("control_plane_cpu_s"));
        changeCpu = Math.min(changeCpu, (Double) change.get("control_plane_cpu_s"));
        each.add(bs + " / " + cs);
      }
      b.append(String.format("| %s | %d B | %.1f s | %.1f | %.1f s | %.1f | %s |%n", t,
          (Integer) rs.get(0).get("pod_template_json_bytes"), bestBurst, burstCpu, bestChange, changeCpu,
          String.join("; ", each)));
    });
    return b.toString();
  }
}
