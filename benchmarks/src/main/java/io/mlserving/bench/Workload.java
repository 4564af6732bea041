package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The resources the benchmark creates, spread over {@code namespaces} namespaces: InferenceService {@code i}
 * lives in namespace {@code i % namespaces} and loads its model from S3 (Deployment with a model-loader init
 * container); ABTest {@code j} splits 50/50 between InferenceServices {@code j} and {@code j + namespaces}
 * (same namespace) on its own host.
 */
public final class Workload {
  private final int namespaces;

  public Workload(int namespaces) {
    this.namespaces = namespaces;
  }

  public String namespace(int i) {
    return String.format("bench-%02d", i % namespaces);
  }

  public InferenceService isvc(String prefix, int i) {
    return isvc(prefix, i, true);
  }

  /**
   * InferenceService {@code i}: with {@code model}, loading it from S3 (model-load: a model-loader init container);
   * without, the model in the image (model-in-image: the predictor container alone).
   */
  public InferenceService isvc(String prefix, int i, boolean model) {
    String name = String.format("%s-%05d", prefix, i);
    return model ? Fixtures.isvcWithModel(namespace(i), name, "s3://models/" + name + "/v1")
        : Fixtures.isvc(namespace(i), name, "ghcr.io/acme/onnx-server:1.4");
  }

  /** ABTest {@code j} over InferenceServices {@code prefix-j} and {@code prefix-(j+namespaces)} (mod {@code isvcs}). */
  public ABTest abTest(String isvcPrefix, int j, int isvcs) {
    int a = j % isvcs;
    int b = (j + namespaces) % isvcs;
    String name = String.format("ab-%05d", j);
    return Fixtures.abTest(namespace(a), name, "host-" + String.format("%05d", j),
        String.format("%s-%05d", isvcPrefix, a), 50, String.format("%s-%05d", isvcPrefix, b), 50);
  }

  public static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /**
   * Creates {@code resources} with {@code threads} concurrent requests; {@code onCreated} gets each created
   * object (as the server returned it). Returns the System.nanoTime just before each create was sent, by key.
   */
  public static Map<String, Long> createAll(KubernetesClient client, List<? extends HasMetadata> resources,
      int threads, Consumer<HasMetadata> onCreated) throws Exception {
    Map<String, Long> sent = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (HasMetadata r : resources) {
        futures.add(pool.submit(() -> {
          sent.put(key(r), System.nanoTime());
          HasMetadata created = client.resource(r).create();
          if (onCreated != null) {
            onCreated.accept(created);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    return sent;
  }
}
