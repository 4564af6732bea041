package io.mlserving.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.Optional;

/** A reconciler that exposes its informer cache of custom resources (for metrics that need no request). */
public interface PrimaryCacheAware<P extends HasMetadata> {
  /** The kind it reconciles. */
  String kind();

  /** The cache of its custom resources, once the operator has started. */
  Optional<IndexerResourceCache<P>> primaryCache();
}
