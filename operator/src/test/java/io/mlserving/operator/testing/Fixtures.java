package io.mlserving.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceSpec;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;

/** Small custom resources for tests. */
public final class Fixtures {
  private Fixtures() {}

  /** An InferenceService serving {@code image}, model in the image. */
  public static InferenceService isvc(String namespace, String name, String image) {
    InferenceService isvc = new InferenceService();
    isvc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    InferenceServiceSpec spec = new InferenceServiceSpec();
    PredictorSpec predictor = new PredictorSpec();
    predictor.setImage(image);
    spec.setPredictor(predictor);
    isvc.setSpec(spec);
    return isvc;
  }

  /** An InferenceService loading its model from {@code storageUri}. */
  public static InferenceService isvcWithModel(String namespace, String name, String storageUri) {
    InferenceService isvc = isvc(namespace, name, "ghcr.io/acme/onnx-server:1.4");
    ModelSpec model = new ModelSpec();
    model.setStorageUri(storageUri);
    isvc.getSpec().setModel(model);
    return isvc;
  }
}
