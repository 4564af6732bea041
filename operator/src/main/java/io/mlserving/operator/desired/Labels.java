package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every generated object carries, and the pod label of an InferenceService. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String OWNER_KIND = "mlserving.io/owner-kind";
  public static final String OWNER_NAME = "mlserving.io/owner-name";
  /** Pod label (and Deployment selector) naming the InferenceService a pod serves. */
  public static final String INFERENCE_SERVICE = "mlserving.io/inference-service";

  public static final String OPERATOR = "mlserving-operator";
  public static final String PART_OF_VALUE = "mlserving";
  /** Label selector of everything the operator generates; its informers watch only these. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private Labels() {}

  /** The four ownership labels of an object generated for {@code owner}. */
  public static Map<String, String> owned(HasMetadata owner) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(PART_OF, PART_OF_VALUE);
    labels.put(OWNER_KIND, owner.getKind());
    labels.put(OWNER_NAME, owner.getMetadata().getName());
    return labels;
  }

  /** Pod selector of an InferenceService's pods. */
  public static Map<String, String> selector(String inferenceService) {
    return Map.of(INFERENCE_SERVICE, inferenceService);
  }
}
