package io.mlserving.operator.real;

/** Small YAML manifests of our kinds, as a user would write them for {@code kubectl apply}. */
final class Manifests {
  private Manifests() {}

  /** An InferenceService serving {@code image}, with {@code extraSpec} (YAML at the spec's indentation) added. */
  static String inferenceService(String namespace, String name, String image, String extraSpec) {
    return """
        apiVersion: mlserving.io/v1alpha1
        kind: InferenceService
        metadata: {name: %s, namespace: %s}
        spec:
          predictor:
            image: %s
            healthPath: /health
        %s
        """.formatted(name, namespace, image, indent(extraSpec));
  }

  static String inferenceService(String namespace, String name) {
    return inferenceService(namespace, name, "ghcr.io/acme/" + name + ":1", "");
  }

  /** An ABTest on {@code host} splitting 50/50 between two InferenceServices. */
  static String abTest(String namespace, String name, String host, String first, String second) {
    return """
        apiVersion: mlserving.io/v1alpha1
        kind: ABTest
        metadata: {name: %s, namespace: %s}
        spec:
          host: %s
          variants:
            - {name: a, inferenceService: %s, weight: 50}
            - {name: b, inferenceService: %s, weight: 50}
        """.formatted(name, namespace, host, first, second);
  }

  /** A ShadowTest on {@code host} mirroring half of {@code primary}'s traffic to {@code shadow}. */
  static String shadowTest(String namespace, String name, String host, String primary, String shadow) {
    return """
        apiVersion: mlserving.io/v1alpha1
        kind: ShadowTest
        metadata: {name: %s, namespace: %s}
        spec:
          host: %s
          primary: %s
          shadow: %s
          mirrorPercent: 50
        """.formatted(name, namespace, host, primary, shadow);
  }

  /** A CircuitBreaker in front of {@code target}. */
  static String circuitBreaker(String namespace, String name, String target) {
    return """
        apiVersion: mlserving.io/v1alpha1
        kind: CircuitBreaker
        metadata: {name: %s, namespace: %s}
        spec:
          inferenceService: %s
          connectionPool: {maxConnections: 10}
        """.formatted(name, namespace, target);
  }

  private static String indent(String yaml) {
    if (yaml == null || yaml.isBlank()) {
      return "";
    }
    return yaml.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
