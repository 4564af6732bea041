package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.config.LoaderImages;
import java.util.List;

/** Every object a custom resource of any of the four kinds generates. Pure. */
public final class DesiredState {
  private DesiredState() {}

  public static List<HasMetadata> of(HasMetadata resource, LoaderImages images, IstioApi api) {
    if (resource instanceof InferenceService isvc) {
      return InferenceServiceResources.all(isvc, images);
    }
    return List.of();
  }
}
