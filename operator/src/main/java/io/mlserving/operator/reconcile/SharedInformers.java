package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One watch per kind for the reconcilers that read another kind than their own (the InferenceServices the traffic
 * kinds reference, the rival claimants of a host). JOSDK 5.2 gives every event source its own informer, so four
 * reconcilers reading InferenceServices meant four watches, each event decoded four times; its informer pools come
 * in a later release. The informers start with the first event source that needs them and stop with the last.
 */
public final class SharedInformers {
  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final Duration syncTimeout;
  private final Map<Class<?>, Shared<?>> byType = new HashMap<>();
  /** The key of an informer on all namespaces (no namespace is named ""). */
  private static final String ALL = "";

  /** Informers on {@code client} over {@code namespaces} (empty: all), each given {@code syncTimeout} to list. */
  public SharedInformers(KubernetesClient client, Set<String> namespaces, Duration syncTimeout) {
    this.client = client;
    this.namespaces = Set.copyOf(namespaces);
    this.syncTimeout = syncTimeout;
  }

  /**
   * An event source for reconciler {@code name} on the shared informer of {@code type}: a change to one of its
   * resources triggers the primaries {@code toPrimaries} gives.
   */
  public synchronized <R extends HasMetadata, P extends HasMetadata> Source<R, P> source(Class<R> type, String name,
      Function<R, Set<ResourceID>> toPrimaries) {
    @SuppressWarnings("unchecked")
    Shared<R> shared = (Shared<R>) byType.computeIfAbsent(type, t -> new Shared<>(type));
    return new Source<>(shared, name, toPrimaries);
  }

  /** The informers of one kind, and how many started event sources use them. */
  private final class Shared<R extends HasMetadata> {
    private final Class<R> type;
    /** By namespace; the key {@link #ALL} for an informer on all namespaces. Read without the lock. */
    private final Map<String, SharedIndexInformer<R>> informers = new ConcurrentHashMap<>();
    private int users;

    Shared(Class<R> type) {
      this.type = type;
    }

    /** Starts the informers for the first user, and waits until they have listed. */
    void acquire(ResourceEventHandler<R> handler) {
      synchronized (SharedInformers.this) {
        if (users++ == 0) {
          try {
            start();
          } catch (RuntimeException e) {
            users--;
            stopAll();
            throw e;
          }
        }
        // A handler added to a running informer is first told about every cached resource, as onAdd.
        informers.values().forEach(i -> i.addEventHandler(handler));
      }
    }

    void release(ResourceEventHandler<R> handler) {
      synchronized (SharedInformers.this) {
        informers.values().forEach(i -> i.removeEventHandler(handler));
        if (--users == 0) {
          stopAll();
        }
      }
    }

    private void start() {
      if (namespaces.isEmpty()) {
        informers.put(ALL, client.resources(type).inAnyNamespace().runnableInformer(0));
      } else {
        for (String ns : namespaces) {
          informers.put(ns, client.resources(type).inNamespace(ns).runnableInformer(0));
        }
      }
      for (SharedIndexInformer<R> informer : informers.values()) {
        try {
          informer.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OperatorException("Interrupted while listing " + HasMetadata.getPlural(type), e);
        } catch (ExecutionException | TimeoutException e) {
          Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
          throw new OperatorException("Cannot list and watch " + HasMetadata.getPlural(type) + ": " + cause, cause);
        }
      }
    }

    private void stopAll() {
      informers.values().forEach(SharedIndexInformer::stop);
      informers.clear();
    }

    Stream<R> list(String namespace) {
      SharedIndexInformer<R> all = informers.get(ALL);
      if (all != null) {
        return all.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream();
      }
      SharedIndexInformer<R> one = informers.get(namespace);
      return one == null ? Stream.empty() : one.getStore().list().stream();
    }
  }

  /**
   * A reconciler's view of a shared informer: its events as triggers of that reconciler's primaries, and the
   * cache to read from.
   */
  public static final class Source<R extends HasMetadata, P extends HasMetadata> extends AbstractEventSource<R, P>
      implements ResourceEventHandler<R> {
    private final Shared<R> shared;
    private final Function<R, Set<ResourceID>> toPrimaries;

    private Source(Shared<R> shared, String name, Function<R, Set<ResourceID>> toPrimaries) {
      super(shared.type, name);
      this.shared = shared;
      this.toPrimaries = toPrimaries;
    }

    /** The cached resources of {@code namespace} that match {@code filter}. */
    public Stream<R> list(String namespace, Predicate<R> filter) {
      return shared.list(namespace).filter(filter);
    }

    @Override
    public Set<R> getSecondaryResources(P primary) {
      // Not a secondary of one primary: the reconcilers read it with list(namespace, filter).
      throw new UnsupportedOperationException(name() + " is read with list(namespace, filter)");
    }

    @Override
    public synchronized void start() {
      if (!isRunning()) {
        // Running first: the informer replays what it has cached to a new handler at once.
        super.start();
        try {
          shared.acquire(this);
        } catch (RuntimeException e) {
          super.stop();
          throw e;
        }
      }
    }

    @Override
    public synchronized void stop() {
      if (isRunning()) {
        super.stop();
        shared.release(this);
      }
    }

    @Override
    public void onAdd(R resource) {
      trigger(resource);
    }

    @Override
    public void onUpdate(R before, R after) {
      // The same version again is a relist, not a change.
      if (!Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())) {
        trigger(after);
      }
    }

    @Override
    public void onDelete(R resource, boolean finalStateUnknown) {
      trigger(resource);
    }

    private void trigger(R resource) {
      if (!isRunning() || getEventHandler() == null) {
        return;
      }
      for (ResourceID id : toPrimaries.apply(resource)) {
        getEventHandler().handleEvent(new Event(id));
      }
    }
  }
}
