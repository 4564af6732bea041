package io.mlserving.operator.real;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.testing.IstioCrds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes v1.20.2 control plane on 127.0.0.1 for the tests: etcd, kube-apiserver (RBAC, token
 * file, audit log) and kube-controller-manager (every controller: garbage collector, Deployment, ReplicaSet,
 * HPA, ServiceAccount tokens). No scheduler, kubelet or container runtime: see {@link KubeletStandIn}.
 */
public final class RealControlPlane implements AutoCloseable {
  /** Environment variable naming the folder with kube-apiserver, kube-controller-manager and kubectl. */
  public static final String BIN_ENV = "MLSERVING_K8S_BIN";
  /** What to run when the binaries are missing. */
  public static final String INSTALL_COMMAND = "bash e2e/control-plane.sh install";
  /** The admin's user name in the token file (group system:masters). */
  public static final String ADMIN_USER = "admin";
  /** kube-controller-manager's own user (group system:masters), so the audit log tells it from the admin. */
  public static final String CONTROLLER_MANAGER_USER = "system:kube-controller-manager";
  /** The etcd of Debian's etcd-server package. */
  static final Path ETCD = Paths.get("/usr/bin/etcd");

  /** The Istio CRDs {@link #installCrds()} installs: what ABTest, ShadowTest and CircuitBreaker generate. */
  public static final List<String> ISTIO_CRDS =
      List.of("virtualservices.networking.istio.io", "destinationrules.networking.istio.io");
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
  private static RealControlPlane shared;

  /** How to start it. {@code kubeApiQps}/{@code kubeApiBurst} are kube-controller-manager's client limits. */
  public record Options(int kubeApiQps, int kubeApiBurst, boolean installCrdsBeforeControllers) {
    /** 500/1000 (the controllers are then not the bottleneck of a burst), CRDs installed first. */
    public static Options defaults() {
      return new Options(500, 1000, true);
    }

    public Options withKubeApi(int qps, int burst) {
      return new Options(qps, burst, installCrdsBeforeControllers);
    }

    /**
     * With true, {@link #installCrds()} runs before kube-controller-manager starts, so its garbage collector
     * watches our kinds and Istio's from the start (it rediscovers new resource types only every 30 s).
     */
    public Options withCrdsBeforeControllers(boolean install) {
      return new Options(kubeApiQps, kubeApiBurst, install);
    }
  }

  private final Options options;
  private final Path bin;
  private final Path work;
  private final int etcdPort;
  private final int etcdPeerPort;
  private final int apiPort;
  private final String adminToken = UUID.randomUUID().toString();
  private final String controllerManagerToken = UUID.randomUUID().toString();
  private final List<String> apiServerCommand;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private final Duration startup;
  private ManagedProcess etcd;
  private ManagedProcess apiServer;
  private ManagedProcess controllerManager;
  private KubernetesClient adminClient;
  private AuditLog auditLog;
  private Kubectl kubectl;
  private boolean crdsInstalled;
  private boolean closed;

  private RealControlPlane(Options options) {
    this.options = options;
    this.bin = binaries();
    this.work = CrdFiles.projectRoot().resolve("operator/target/real-control-plane")
        .resolve(STAMP.format(LocalDateTime.now()) + "-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + work, e);
    }
    this.etcdPort = freePort();
    this.etcdPeerPort = freePort();
    this.apiPort = freePort();
    this.apiServerCommand = prepareApiServer();
    long t0 = System.nanoTime();
    StringBuilder phases = new StringBuilder();
    try {
      startEtcd();
      phases.append(lap("etcd", t0));
      startApiServer();
      phases.append(lap(", kube-apiserver", t0));
      if (options.installCrdsBeforeControllers()) {
        installCrds();
        phases.append(lap(", CRDs", t0));
      }
      startControllerManager();
      awaitServiceAccountTokens();
      phases.append(lap(", kube-controller-manager", t0));
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    this.startup = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf("RealControlPlane: started in %.1f s (%s) at %s (work dir %s)%n",
        startup.toMillis() / 1000.0, phases, url(), work);
  }

  /** "name done at t s" since {@code t0}, for the start-up report. */
  private static String lap(String name, long t0) {
    return String.format("%s ready at %.1f s", name, (System.nanoTime() - t0) / 1e9);
  }

  /** The control plane of this JVM, started on first use and stopped by a shutdown hook. */
  public static synchronized RealControlPlane shared() {
    if (shared == null || shared.closed) {
      RealControlPlane started = new RealControlPlane(Options.defaults());
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "real-control-plane-stop"));
      shared = started;
    }
    return shared;
  }

  /** A control plane of its own; the caller closes it (a shutdown hook does as a last resort). */
  public static RealControlPlane start(Options options) {
    RealControlPlane started = new RealControlPlane(options);
    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "real-control-plane-stop"));
    return started;
  }

  /** The folder that holds the binaries: {@value #BIN_ENV}, else the cache e2e/control-plane.sh fills. */
  public static Path binaries() {
    String configured = System.getenv(BIN_ENV);
    Path dir = configured != null && !configured.isBlank() ? Paths.get(configured)
        : Paths.get(System.getProperty("user.home"), ".cache/mlserving/kubernetes-1.20.2/bin");
    List<String> missing = new ArrayList<>();
    for (String name : List.of("kube-apiserver", "kube-controller-manager", "kubectl")) {
      if (!Files.isExecutable(dir.resolve(name))) {
        missing.add(dir.resolve(name).toString());
      }
    }
    if (!Files.isExecutable(ETCD)) {
      missing.add(ETCD.toString());
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The real control plane's binaries are missing: " + String.join(", ", missing)
          + ". Run: " + INSTALL_COMMAND + " (it prints the folder; export " + BIN_ENV + "=<that folder>"
          + " when it is not the default ~/.cache/mlserving/kubernetes-1.20.2/bin).");
    }
    return dir;
  }

  /** The API server's URL, https://127.0.0.1:port. */
  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  /** The folder of this control plane's files (certificates, logs, kubeconfigs, etcd data). */
  public Path workDir() {
    return work;
  }

  /** How long the start took (etcd, API server, CRDs when installed first, controller manager, SA tokens). */
  public Duration startupTime() {
    return startup;
  }

  /** The API server's serving certificate, which is its own CA: the CA of every kubeconfig written here. */
  public Path caFile() {
    return work.resolve("apiserver-certs/apiserver.crt");
  }

  /** A kubeconfig for the admin (system:masters). */
  public Path adminKubeconfig() {
    return work.resolve("admin.kubeconfig");
  }

  /** A client as the admin; closed with the control plane. */
  public synchronized KubernetesClient adminClient() {
    if (adminClient == null) {
      adminClient = clientFor(adminKubeconfig());
    }
    return adminClient;
  }

  /** A new client for a kubeconfig written by {@link #writeKubeconfig}; the caller closes it. */
  public static KubernetesClient clientFor(Path kubeconfig) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(readString(kubeconfig))).build();
  }

  /** The API server's audit log (every request at level Metadata). */
  public synchronized AuditLog auditLog() {
    if (auditLog == null) {
      auditLog = new AuditLog(work.resolve("audit.log"));
    }
    return auditLog;
  }

  /** kubectl of the binaries folder, with the admin kubeconfig. */
  public synchronized Kubectl kubectl() {
    if (kubectl == null) {
      kubectl = new Kubectl(bin.resolve("kubectl"), adminKubeconfig(), work);
    }
    return kubectl;
  }

  /** Writes a kubeconfig for this API server (CA checked, no insecure-skip-tls-verify) with a bearer token. */
  public Path writeKubeconfig(String fileName, String user, String token) {
    String ca = Base64.getEncoder().encodeToString(readString(caFile()).getBytes(StandardCharsets.UTF_8));
    String text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: real
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: real
          context: {cluster: real, user: %s}
        current-context: real
        """.formatted(url(), ca, user, token, user);
    return write(work.resolve(fileName), text);
  }

  /**
   * Installs our CRDs (crds/) and Istio's {@link #ISTIO_CRDS} (from the vendored copy of
   * shared/schemas/istio-crd-all.gen.yaml) with
   * every {@code x-kubernetes-validations} removed (1.20 has no CEL), and waits until they are Established.
   * A create or update, not server-side apply: idempotent.
   */
  public synchronized void installCrds() {
    if (crdsInstalled) {
      return;
    }
    List<JsonNode> crds = new ArrayList<>();
    try (Stream<Path> files = Files.list(CrdFiles.projectRoot().resolve("crds"))) {
      files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted()
          .forEach(f -> crds.addAll(yamlDocuments(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Of Istio's CRDs the two the operator writes: each large CRD costs the API server seconds of OpenAPI
    // aggregation at every start on these 2 cores, and the other kinds are never used here.
    yamlDocuments(IstioCrds.file()).stream()
        .filter(d -> ISTIO_CRDS.contains(d.path("metadata").path("name").asText()))
        .forEach(crds::add);
    List<String> names = new ArrayList<>();
    for (JsonNode doc : crds) {
      if (!"CustomResourceDefinition".equals(doc.path("kind").asText())) {
        continue;
      }
      stripValidations(doc);
      CustomResourceDefinition crd = Serialization.jsonMapper().convertValue(doc, CustomResourceDefinition.class);
      adminClient().apiextensions().v1().customResourceDefinitions().resource(crd)
          .createOr(NonDeletingOperation::update);
      names.add(crd.getMetadata().getName());
    }
    for (String name : names) {
      poll("CRD " + name + " Established", Duration.ofSeconds(30), () -> {
        CustomResourceDefinition crd = adminClient().apiextensions().v1().customResourceDefinitions()
            .withName(name).get();
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
            && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
      }, () -> "");
    }
    crdsInstalled = true;
  }

  /** Removes every {@code x-kubernetes-validations} (CEL rules) from a CRD, in place. */
  static void stripValidations(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("x-kubernetes-validations");
      object.elements().forEachRemaining(RealControlPlane::stripValidations);
    } else if (node != null && node.isArray()) {
      node.elements().forEachRemaining(RealControlPlane::stripValidations);
    }
  }

  /** Stops the API server (SIGTERM); etcd and the controller manager keep running. */
  public synchronized void stopApiServer() {
    if (apiServer != null) {
      apiServer.stop(STOP_DEADLINE);
      processes.remove(apiServer);
      apiServer = null;
    }
  }

  /** Starts the API server (again, on the same port, with the same certificates) and waits for /readyz. */
  public synchronized void startApiServer() {
    if (apiServer != null && apiServer.isAlive()) {
      return;
    }
    apiServer = track(ManagedProcess.start("kube-apiserver", apiServerCommand, Map.of(), work.resolve("kube-apiserver.log")));
    poll("kube-apiserver /readyz", START_DEADLINE, () -> {
      requireAlive(apiServer);
      return Files.exists(caFile()) && readyz() == 200;
    }, () -> apiServer.tail(40));
    if (!Files.exists(adminKubeconfig())) {
      writeKubeconfig("admin.kubeconfig", ADMIN_USER, adminToken);
    }
  }

  /** Whether the API server process runs. */
  public synchronized boolean apiServerRunning() {
    return apiServer != null && apiServer.isAlive();
  }

  /** Stops every process this control plane started, by pid, the API server's clients first. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (adminClient != null) {
      adminClient.close();
    }
    // Reverse start order: the controller manager, the API server, then etcd.
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(STOP_DEADLINE);
    }
    processes.clear();
  }

  private List<String> prepareApiServer() {
    Path key = work.resolve("sa.key");
    Path pub = work.resolve("sa.pub");
    run(Duration.ofSeconds(60), "openssl", "genrsa", "-out", key.toString(), "2048");
    run(Duration.ofSeconds(60), "openssl", "rsa", "-in", key.toString(), "-pubout", "-out", pub.toString());
    Path tokens = write(work.resolve("tokens.csv"),
        adminToken + "," + ADMIN_USER + "," + ADMIN_USER + ",system:masters\n"
            + controllerManagerToken + "," + CONTROLLER_MANAGER_USER + "," + CONTROLLER_MANAGER_USER
            + ",system:masters\n");
    // One event per request, when it completes (watches also log ResponseStarted).
    Path policy = write(work.resolve("audit-policy.yaml"), """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - level: Metadata
        """);
    return List.of(bin.resolve("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdPort,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--secure-port=" + apiPort,
        "--insecure-port=0",
        "--cert-dir=" + work.resolve("apiserver-certs"),
        "--token-auth-file=" + tokens,
        "--authorization-mode=RBAC",
        "--service-account-key-file=" + pub,
        "--service-account-signing-key-file=" + key,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--audit-policy-file=" + policy,
        "--audit-log-path=" + work.resolve("audit.log"),
        // Blocking (the default, said here because the tests count on it): an event is in the file before
        // the response is sent.
        "--audit-log-mode=blocking",
        "--profiling=false");
  }

  private void startEtcd() {
    etcd = track(ManagedProcess.start("etcd", List.of(ETCD.toString(),
        "--name=real-control-plane",
        "--data-dir=" + work.resolve("etcd"),
        "--listen-client-urls=http://127.0.0.1:" + etcdPort,
        "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
        "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
        "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
        "--initial-cluster=real-control-plane=http://127.0.0.1:" + etcdPeerPort,
        "--log-level=warn"), Map.of(), work.resolve("etcd.log")));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    poll("etcd /health", START_DEADLINE, () -> {
      requireAlive(etcd);
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcdPort + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 && r.body().contains("true");
      } catch (IOException e) {
        return false;
      }
    }, () -> etcd.tail(40));
  }

  private void startControllerManager() {
    Path kubeconfig = writeKubeconfig("kube-controller-manager.kubeconfig", CONTROLLER_MANAGER_USER,
        controllerManagerToken);
    controllerManager = track(ManagedProcess.start("kube-controller-manager", List.of(
        bin.resolve("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--controllers=*",
        "--leader-elect=false",
        "--port=0",
        "--secure-port=0",
        "--service-account-private-key-file=" + work.resolve("sa.key"),
        "--root-ca-file=" + caFile(),
        "--kube-api-qps=" + options.kubeApiQps(),
        "--kube-api-burst=" + options.kubeApiBurst(),
        // The default 15 s would make every autoscaling test wait a quarter of a minute per step.
        "--horizontal-pod-autoscaler-sync-period=2s"), Map.of(), work.resolve("kube-controller-manager.log")));
  }

  /** The controllers are working once the default ServiceAccount of "default" has its token Secret. */
  private void awaitServiceAccountTokens() {
    poll("kube-controller-manager: token Secret of ServiceAccount default/default", START_DEADLINE, () -> {
      requireAlive(controllerManager);
      ServiceAccount sa = adminClient().serviceAccounts().inNamespace("default").withName("default").get();
      if (sa == null || sa.getSecrets() == null || sa.getSecrets().isEmpty()) {
        return false;
      }
      Secret secret = adminClient().secrets().inNamespace("default").withName(sa.getSecrets().get(0).getName()).get();
      return secret != null && secret.getData() != null && secret.getData().containsKey("token");
    }, () -> controllerManager.tail(40));
  }

  private int readyz() throws IOException, InterruptedException {
    HttpResponse<String> r = https().send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
        .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  private HttpClient https;

  /** An HTTP client that trusts the API server's certificate (read once it exists). */
  private HttpClient https() {
    if (https == null) {
      try (InputStream in = Files.newInputStream(caFile())) {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(2)).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the API server's certificate " + caFile(), e);
      }
    }
    return https;
  }

  private ManagedProcess track(ManagedProcess p) {
    processes.add(p);
    return p;
  }

  private static void requireAlive(ManagedProcess p) {
    if (!p.isAlive()) {
      throw new IllegalStateException(p.name() + " exited with code " + p.exitValue() + "; the end of its log "
          + p.log() + ":\n" + p.tail(40));
    }
  }

  /** A condition that may throw while the server is not up yet (that counts as not yet). */
  interface Check {
    boolean ok() throws Exception;
  }

  /**
   * Polls {@code check} every 200 ms until it holds or {@code deadline} passes; then fails with {@code what}
   * and {@code context} (the end of a log). An IllegalStateException from the check (a process died) ends
   * the wait at once.
   */
  static void poll(String what, Duration deadline, Check check, Supplier<String> context) {
    Instant end = Instant.now().plus(deadline);
    Exception last = null;
    while (Instant.now().isBefore(end)) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      } catch (Exception e) {
        last = e;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
    throw new IllegalStateException("timed out after " + deadline.toSeconds() + " s waiting for " + what
        + (last == null ? "" : " (last error: " + last + ")") + "\n" + context.get());
  }

  /** Runs a short command (openssl) to completion, failing with its output on a non-zero exit. */
  private void run(Duration timeout, String... command) {
    Path out = work.resolve("command-" + System.nanoTime() + ".log");
    ManagedProcess p = ManagedProcess.start(command[0], List.of(command), Map.of(), out);
    poll(String.join(" ", command), timeout, () -> !p.isAlive(), () -> p.tail(20));
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + p.tail(20));
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  static List<JsonNode> yamlDocuments(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    try (var parser = yaml.getFactory().createParser(file.toFile())) {
      Iterator<JsonNode> it = yaml.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && doc.size() > 0) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return docs;
  }

  static String readString(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public String toString() {
    return "RealControlPlane " + url() + " (" + work + ")";
  }

  /** The running processes, for tests of the harness. */
  List<ManagedProcess> processes() {
    return List.copyOf(processes);
  }

  Optional<ManagedProcess> controllerManager() {
    return Optional.ofNullable(controllerManager);
  }
}
