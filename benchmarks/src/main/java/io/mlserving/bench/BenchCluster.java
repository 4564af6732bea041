package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fresh fabric8 mock API server (CRUD mode, on loopback) with the operator's CRDs registered (so status is a
 * subresource of our kinds, as on a cluster), Istio networking v1 discovery served, and the counting layer.
 * Every actor gets its own client: the operator's sends the default User-Agent, the benchmark's send
 * {@code mlserving-bench/<actor>} so the counting layer can tell them apart.
 */
public final class BenchCluster implements AutoCloseable {
  public final CountingDispatcher dispatcher = new CountingDispatcher();
  public final KubernetesMockServer server;
  /** Creates, updates and deletes the custom resources (the user). */
  public final KubernetesClient load;
  /** Watches for readiness (the benchmark's stopwatch). */
  public final KubernetesClient observer;
  /** The Deployment controller stand-in. */
  public final KubernetesClient stub;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final ScheduledExecutorService drainer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mock-request-drainer");
    t.setDaemon(true);
    return t;
  });

  private BenchCluster() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    load = benchClient("load");
    observer = benchClient("observer");
    stub = benchClient("stub");
    drainer.scheduleWithFixedDelay(this::drainRecorded, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Empties the mock web server's queue of recorded requests: it keeps every request with its body for
   * takeRequest(), which would grow without bound and count as the mock's storage in the heap measurement.
   */
  public void drainRecorded() {
    try {
      while (server.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
        // drop it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dispatcher.clearRequests();
  }

  /** A started mock with the four mlserving CRDs, serving networking.istio.io/v1 discovery. */
  public static BenchCluster start() {
    BenchCluster cluster = new BenchCluster();
    for (Class<? extends HasMetadata> kind : List.of(InferenceService.class, ABTest.class, ShadowTest.class,
        CircuitBreaker.class)) {
      cluster.load.apiextensions().v1().customResourceDefinitions().resource(crd(kind)).create();
    }
    cluster.dispatcher.serve("networking.istio.io/v1",
        Map.of("virtualservices", "VirtualService", "destinationrules", "DestinationRule"));
    return cluster;
  }

  /** A client for the benchmark's own traffic, tagged {@code actor} for the counting layer. */
  public KubernetesClient benchClient(String actor) {
    return track(server.createClient(b -> b.editOrNewConfig()
        .withUserAgent(CountingDispatcher.BENCH_AGENT + actor).endConfig()));
  }

  /** A new client as the operator process would have (default User-Agent: counted as the operator). */
  public KubernetesClient operatorClient() {
    return track(server.createClient());
  }

  private KubernetesClient track(KubernetesClient c) {
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /** The CRD the operator build generated, from the operator jar (META-INF/fabric8). */
  static CustomResourceDefinition crd(Class<? extends HasMetadata> kind) {
    String file = "META-INF/fabric8/" + HasMetadata.getPlural(kind) + "." + HasMetadata.getGroup(kind) + "-v1.yml";
    try (InputStream in = BenchCluster.class.getClassLoader().getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("not on the classpath: " + file + " (build the operator module first)");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    drainer.shutdownNow();
    synchronized (clients) {
      clients.forEach(KubernetesClient::close);
    }
    server.destroy();
  }
}
