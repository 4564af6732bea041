package io.mlserving.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Connection-pool limits and outlier ejection in front of one InferenceService (prediction circuit breaking). */
@Group(MlServing.GROUP)
@Version(MlServing.VERSION)
@Singular("circuitbreaker")
@Plural("circuitbreakers")
@ShortNames("cbreaker")
@Categories(MlServing.CATEGORY)
@ValidationRule(value = MlServing.NAME_RULE, message = MlServing.NAME_RULE_MESSAGE)
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_STATUS_PATH)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_REASON_PATH)
@AdditionalPrinterColumn(name = "Target", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.inferenceService")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class CircuitBreaker extends CustomResource<CircuitBreakerSpec, CircuitBreakerStatus> implements Namespaced {
  @Override
  protected CircuitBreakerStatus initStatus() {
    return new CircuitBreakerStatus();
  }
}
