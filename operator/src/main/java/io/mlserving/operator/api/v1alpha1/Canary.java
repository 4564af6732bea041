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

/**
 * Progressive delivery of one InferenceService over another: the canary's weight steps up while its metrics stay
 * healthy, and goes back to 0 by itself when they do not.
 */
@Group(MlServing.GROUP)
@Version(MlServing.VERSION)
@Singular("canary")
@Plural("canaries")
@ShortNames(Canary.SHORT_NAME)
@Categories(MlServing.CATEGORY)
@ValidationRule(value = MlServing.NAME_RULE, message = MlServing.NAME_RULE_MESSAGE)
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_STATUS_PATH)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = MlServing.READY_REASON_PATH)
@AdditionalPrinterColumn(name = "Host", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.host")
@AdditionalPrinterColumn(name = "Stable", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.stable")
@AdditionalPrinterColumn(name = "Canary", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.canary")
@AdditionalPrinterColumn(name = "Weight", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.canaryWeight")
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class Canary extends CustomResource<CanarySpec, CanaryStatus> implements Namespaced {
  /** Flagger owns {@code canary}. */
  public static final String SHORT_NAME = "mlcanary";

  @Override
  protected CanaryStatus initStatus() {
    return new CanaryStatus();
  }
}
