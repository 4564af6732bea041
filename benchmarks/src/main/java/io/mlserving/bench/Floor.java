package io.mlserving.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceStatus;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.InferenceServiceResources;
import io.mlserving.operator.desired.Names;
import io.mlserving.operator.status.Conditions;
import io.mlserving.operator.status.Reason;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw floor: what an ideal InferenceService operator would have to send, and nothing else, with the same
 * concurrency as the operator's reconcile pool. For each InferenceService handed over (straight from the
 * load, no watch): create its Deployment and Service (POST, the objects the operator generates); once the
 * stub has marked the Deployment available (seen through an informer on Deployments, as the operator sees
 * it), one JSON merge patch of the InferenceService status to Ready. Three writes per InferenceService.
 */
public final class Floor implements AutoCloseable {
  private final KubernetesClient client;
  private final ExecutorService pool;
  private final SharedIndexInformer<Deployment> deployments;
  private final Map<String, InferenceService> waiting = new ConcurrentHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private final Clock clock = Clock.systemUTC();

  public Floor(BenchCluster cluster, int threads) {
    this.client = cluster.benchClient("floor");
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "floor");
      t.setDaemon(true);
      return t;
    });
    this.deployments = client.apps().deployments().inAnyNamespace().inform(Handlers.addedOrUpdated(this::seen));
  }

  /** Hands over a created InferenceService (as the server returned it). */
  public void created(HasMetadata created) {
    InferenceService isvc = (InferenceService) created;
    pool.execute(() -> {
      try {
        waiting.put(Cache.metaNamespaceKeyFunc(isvc), isvc);
        client.resource(InferenceServiceResources.deployment(isvc, LoaderImages.defaults())).create();
        client.resource(InferenceServiceResources.service(isvc)).create();
        Deployment d = deployments.getStore().getByKey(Cache.metaNamespaceKeyFunc(isvc));
        if (d != null) {
          seen(d);
        }
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
    });
  }

  private void seen(Deployment d) {
    if (!DeploymentStub.available(d)) {
      return;
    }
    InferenceService isvc = waiting.remove(Cache.metaNamespaceKeyFunc(d));
    if (isvc != null) {
      pool.execute(() -> markReady(isvc));
    }
  }

  private void markReady(InferenceService isvc) {
    InferenceServiceStatus status = new InferenceServiceStatus();
    status.setUrl(Names.url(isvc.getMetadata().getName(), isvc.getMetadata().getNamespace()));
    status.setObservedGeneration(isvc.getMetadata().getGeneration());
    status.setReplicas(1);
    status.setReadyReplicas(1);
    status.setConditions(Conditions.put(List.of(), Conditions.of(Conditions.READY, Conditions.TRUE, Reason.Ready.name(),
        "1/1 replicas ready.", isvc.getMetadata().getGeneration()), clock.instant()));
    try {
      String patch = Serialization.jsonMapper().writeValueAsString(Map.of("status", status));
      client.resource(isvc).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (Exception e) {
      errors.incrementAndGet();
    }
  }

  public long errors() {
    return errors.get();
  }

  @Override
  public void close() {
    deployments.close();
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
