package io.mlserving.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The fabric8 mock API server in CRUD mode with our CRDs registered, and a client for it. */
public final class MockCluster implements AutoCloseable {
  public final RecordingDispatcher dispatcher = new RecordingDispatcher();
  public final KubernetesMockServer server;
  /** The test's own client. */
  public final KubernetesClient client;
  /** The client {@link OperatorHarness} gives the operator: {@link #client} unless configured otherwise. */
  public final KubernetesClient operatorClient;

  private MockCluster(Consumer<ConfigBuilder> operatorConfig) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    if (operatorConfig == null) {
      operatorClient = client;
    } else {
      ConfigBuilder config = new ConfigBuilder(client.getConfiguration());
      operatorConfig.accept(config);
      operatorClient = server.createClient(b -> b.withConfig(config.build()));
    }
  }

  /** A started mock with the four mlserving CRDs (so their status subresource behaves as on a cluster). */
  public static MockCluster start() {
    return start(null);
  }

  /**
   * As {@link #start()}, with a separate client for the operator configured by {@code operatorConfig} (for
   * example a short request timeout and no client-side retries, so injected faults reach the operator).
   */
  public static MockCluster start(Consumer<ConfigBuilder> operatorConfig) {
    MockCluster cluster = new MockCluster(operatorConfig);
    for (CustomResourceDefinition crd : generatedCrds()) {
      cluster.client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
    // Like any cluster since Kubernetes 1.23; withAutoscaling changes it.
    cluster.withAutoscaling("v2");
    cluster.dispatcher.clearRequests();
    return cluster;
  }

  /**
   * Makes the mock serve HorizontalPodAutoscalers in exactly {@code versions} (v2, v2beta2; none: a cluster
   * without the API). Call before the operator starts: it detects the version once.
   */
  public MockCluster withAutoscaling(String... versions) {
    for (String v : new String[] {"v2", "v2beta2"}) {
      dispatcher.unserve("autoscaling/" + v);
    }
    for (String v : versions) {
      dispatcher.serve("autoscaling/" + v, java.util.Map.of("horizontalpodautoscalers", "HorizontalPodAutoscaler"));
    }
    return this;
  }

  /** Makes the mock serve Istio's networking API in {@code versions} (v1, v1beta1), as a cluster with Istio. */
  public MockCluster withIstio(String... versions) {
    for (String v : versions) {
      dispatcher.serve("networking.istio.io/" + v,
          java.util.Map.of("virtualservices", "VirtualService", "destinationrules", "DestinationRule"));
    }
    return this;
  }

  /** The CRDs the build generated into target/classes/META-INF/fabric8. */
  public static List<CustomResourceDefinition> generatedCrds() {
    Path dir = Path.of("target", "classes", "META-INF", "fabric8");
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".mlserving.io-v1.yml")).sorted()
          .map(MockCluster::readCrd).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("run 'mvn process-classes' first: " + dir, e);
    }
  }

  private static CustomResourceDefinition readCrd(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (operatorClient != client) {
      operatorClient.close();
    }
    client.close();
    server.destroy();
  }
}
