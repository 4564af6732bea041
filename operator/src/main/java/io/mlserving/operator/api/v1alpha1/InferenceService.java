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

/** One model served behind a Deployment and a Service (web-single, model-load, model-in-image patterns). */
@Group(MlServing.GROUP)
@Version(MlServing.VERSION)
// Named, not derived: fabric8 pluralizes the kind with regular expressions in every instance's constructor
// otherwise, and the watch makes one instance per event.
@Singular("inferenceservice")
@Plural("inferenceservices")
@ShortNames("mlisvc")
@Categories(MlServing.CATEGORY)
@ValidationRule(value = MlServing.NAME_RULE, message = MlServing.NAME_RULE_MESSAGE)
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_STATUS_PATH)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_REASON_PATH)
@AdditionalPrinterColumn(name = "URL", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.url")
@AdditionalPrinterColumn(name = "Ready-Replicas", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.readyReplicas")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class InferenceService extends CustomResource<InferenceServiceSpec, InferenceServiceStatus>
    implements Namespaced {
  @Override
  protected InferenceServiceStatus initStatus() {
    return new InferenceServiceStatus();
  }
}
