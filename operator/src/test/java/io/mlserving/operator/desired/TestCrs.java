package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestSpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceSpec;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.api.v1alpha1.Retries;
import io.mlserving.operator.api.v1alpha1.Route;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestSpec;
import io.mlserving.operator.api.v1alpha1.StickySession;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import io.mlserving.operator.api.v1alpha1.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Custom resources for the desired-state tests, in namespace {@code models}, with a uid unless stripped. */
final class TestCrs {
  static final String NS = "models";

  private TestCrs() {}

  static ABTest abTest(String name, Variant... variants) {
    ABTest ab = new ABTest();
    ab.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
    ABTestSpec spec = new ABTestSpec();
    spec.setVariants(new ArrayList<>(List.of(variants)));
    ab.setSpec(spec);
    return ab;
  }

  /** The contract's example: control (fraud-v1, 90) and candidate (fraud-v2, 10). */
  static ABTest fraudAb() {
    return abTest("fraud-ab", v("control", "fraud-v1", 90), v("candidate", "fraud-v2", 10));
  }

  static Variant v(String name, String isvc, int weight) {
    return new Variant(name, isvc, weight);
  }

  static Route route(String variant, Object... headerAndMatch) {
    Route r = new Route();
    r.setVariant(variant);
    Map<String, StringMatch> headers = new LinkedHashMap<>();
    for (int i = 0; i < headerAndMatch.length; i += 2) {
      headers.put((String) headerAndMatch[i], (StringMatch) headerAndMatch[i + 1]);
    }
    r.setHeaders(headers);
    return r;
  }

  static StringMatch exact(String v) {
    return StringMatch.exact(v);
  }

  static StringMatch prefix(String v) {
    StringMatch m = new StringMatch();
    m.setPrefix(v);
    return m;
  }

  static StringMatch regex(String v) {
    StringMatch m = new StringMatch();
    m.setRegex(v);
    return m;
  }

  static StickySession sticky(String cookieName, String maxAge) {
    StickySession s = new StickySession();
    s.setCookieName(cookieName);
    s.setMaxAge(maxAge);
    return s;
  }

  static Retries retries(Integer attempts, String perTryTimeout, String retryOn) {
    Retries r = new Retries();
    r.setAttempts(attempts);
    r.setPerTryTimeout(perTryTimeout);
    r.setRetryOn(retryOn);
    return r;
  }

  static ShadowTest shadowTest(String name, String primary, String shadow) {
    ShadowTest st = new ShadowTest();
    st.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
    ShadowTestSpec spec = new ShadowTestSpec();
    spec.setPrimary(primary);
    spec.setShadow(shadow);
    st.setSpec(spec);
    return st;
  }

  static CircuitBreaker circuitBreaker(String name, String isvc) {
    CircuitBreaker cb = new CircuitBreaker();
    cb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
    CircuitBreakerSpec spec = new CircuitBreakerSpec();
    spec.setInferenceService(isvc);
    cb.setSpec(spec);
    return cb;
  }

  static InferenceService inferenceService(String name) {
    InferenceService isvc = new InferenceService();
    isvc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
    InferenceServiceSpec spec = new InferenceServiceSpec();
    PredictorSpec predictor = new PredictorSpec();
    predictor.setImage("ghcr.io/acme/onnx-server:1.4");
    spec.setPredictor(predictor);
    isvc.setSpec(spec);
    return isvc;
  }
}
