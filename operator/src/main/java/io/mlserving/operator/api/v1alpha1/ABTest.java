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

/** Weighted and condition-based traffic split between InferenceServices (online A/B testing). */
@Group(MlServing.GROUP)
@Version(MlServing.VERSION)
@Singular("abtest")
@Plural("abtests")
@ShortNames("abtest")
@Categories(MlServing.CATEGORY)
@ValidationRule(value = MlServing.NAME_RULE, message = MlServing.NAME_RULE_MESSAGE)
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_STATUS_PATH)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_REASON_PATH)
@AdditionalPrinterColumn(name = "Host", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.host")
@AdditionalPrinterColumn(name = "Weights", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.weightSummary")
@AdditionalPrinterColumn(name = "Winner", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.analysis.verdict.winner")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class ABTest extends CustomResource<ABTestSpec, ABTestStatus> implements Namespaced {
  @Override
  protected ABTestStatus initStatus() {
    return new ABTestStatus();
  }
}
