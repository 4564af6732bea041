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

  /** An ABTest on {@code host} splitting between variants "a" and "b". */
  public static io.mlserving.operator.api.v1alpha1.ABTest abTest(String namespace, String name, String host,
      String isvcA, int weightA, String isvcB, int weightB) {
    var ab = new io.mlserving.operator.api.v1alpha1.ABTest();
    ab.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    var spec = new io.mlserving.operator.api.v1alpha1.ABTestSpec();
    spec.setHost(host);
    spec.setVariants(new java.util.ArrayList<>(java.util.List.of(
        new io.mlserving.operator.api.v1alpha1.Variant("a", isvcA, weightA),
        new io.mlserving.operator.api.v1alpha1.Variant("b", isvcB, weightB))));
    ab.setSpec(spec);
    return ab;
  }

  /** A ShadowTest on {@code host}. */
  public static io.mlserving.operator.api.v1alpha1.ShadowTest shadowTest(String namespace, String name, String host,
      String primary, String shadow) {
    var st = new io.mlserving.operator.api.v1alpha1.ShadowTest();
    st.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    var spec = new io.mlserving.operator.api.v1alpha1.ShadowTestSpec();
    spec.setHost(host);
    spec.setPrimary(primary);
    spec.setShadow(shadow);
    st.setSpec(spec);
    return st;
  }

  /** A CircuitBreaker on {@code target}. */
  public static io.mlserving.operator.api.v1alpha1.CircuitBreaker circuitBreaker(String namespace, String name,
      String target) {
    var cb = new io.mlserving.operator.api.v1alpha1.CircuitBreaker();
    cb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    var spec = new io.mlserving.operator.api.v1alpha1.CircuitBreakerSpec();
    spec.setInferenceService(target);
    cb.setSpec(spec);
    return cb;
  }

  /** An InferenceService loading its model from {@code storageUri}. */
  public static InferenceService isvcWithModel(String namespace, String name, String storageUri) {
    InferenceService isvc = isvc(namespace, name, "ghcr.io/acme/onnx-server:1.4");
    ModelSpec model = new ModelSpec();
    model.setStorageUri(storageUri);
    isvc.getSpec().setModel(model);
    return isvc;
  }

  /** A Canary moving {@code host}'s traffic from {@code stable} to {@code canary} through {@code steps}. */
  public static io.mlserving.operator.api.v1alpha1.Canary canary(String namespace, String name, String stable,
      String canary, String stepInterval, String progressDeadline, Integer... steps) {
    io.mlserving.operator.api.v1alpha1.Canary c = new io.mlserving.operator.api.v1alpha1.Canary();
    c.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(namespace).withName(name)
        .build());
    io.mlserving.operator.api.v1alpha1.CanarySpec spec = new io.mlserving.operator.api.v1alpha1.CanarySpec();
    spec.setStable(stable);
    spec.setCanary(canary);
    spec.setSteps(new java.util.ArrayList<>(java.util.List.of(steps)));
    spec.setStepInterval(stepInterval);
    spec.setProgressDeadline(progressDeadline);
    c.setSpec(spec);
    return c;
  }

  /** {@code c} with metric gates: {@code metrics} of the built-in names with a lower bound each, checked by the test. */
  public static io.mlserving.operator.api.v1alpha1.Canary withAnalysis(io.mlserving.operator.api.v1alpha1.Canary c,
      int failureThreshold, io.mlserving.operator.api.v1alpha1.CanaryMetric... metrics) {
    io.mlserving.operator.api.v1alpha1.CanaryAnalysis a = new io.mlserving.operator.api.v1alpha1.CanaryAnalysis();
    a.setFailureThreshold(failureThreshold);
    a.setMetrics(new java.util.ArrayList<>(java.util.List.of(metrics)));
    c.getSpec().setAnalysis(a);
    return c;
  }

  /** A metric gate. */
  public static io.mlserving.operator.api.v1alpha1.CanaryMetric metric(String name, Double min, Double max) {
    io.mlserving.operator.api.v1alpha1.CanaryMetric m = new io.mlserving.operator.api.v1alpha1.CanaryMetric();
    m.setName(name);
    m.setMin(min);
    m.setMax(max);
    return m;
  }
}
