package io.mlserving.bench;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** Informer handlers of the benchmark's trackers and stubs. */
public final class Handlers {
  private Handlers() {}

  /** A handler that gives every added or updated object to {@code seen} and ignores deletions. */
  public static <T> ResourceEventHandler<T> addedOrUpdated(Consumer<T> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        seen.accept(object);
      }

      @Override
      public void onUpdate(T before, T object) {
        seen.accept(object);
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {}
    };
  }
}
