package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Sends every request to the primary and a mirrored copy of a share of them to the shadow. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.primary != self.shadow", message = ShadowTestSpec.DISTINCT_MESSAGE,
    fieldPath = ".shadow")
public class ShadowTestSpec extends HostRoutingSpec {
  /** Live analysis in status (primary versus shadow); with the operator's Prometheus setting it is on with the defaults. */
  @JsonPropertyDescription("Live analysis in status (primary versus shadow); with the operator's Prometheus setting it is on with the defaults.")
  private ShadowTestAnalysis analysis;

  public static final String DISTINCT_MESSAGE = "shadow must differ from primary";

  /** Name of the InferenceService that answers every request. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService that answers every request.")
  private String primary;

  /** Name of the InferenceService that receives the mirrored copy; its answers are discarded. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService that receives the mirrored copy; its answers are discarded.")
  private String shadow;

  /** Share of requests mirrored to the shadow, 0 to 100 percent. */
  @Default("100")
  @Min(0)
  @Max(MlServing.PERCENT_MAX)
  @JsonPropertyDescription("Share of requests mirrored to the shadow, 0 to 100 percent.")
  private Double mirrorPercent;

  public String getPrimary() {
    return primary;
  }

  public void setPrimary(String primary) {
    this.primary = primary;
  }

  public String getShadow() {
    return shadow;
  }

  public void setShadow(String shadow) {
    this.shadow = shadow;
  }

  public Double getMirrorPercent() {
    return mirrorPercent;
  }

  public void setMirrorPercent(Double mirrorPercent) {
    this.mirrorPercent = mirrorPercent;
  }

  public ShadowTestAnalysis getAnalysis() {
    return analysis;
  }

  public void setAnalysis(ShadowTestAnalysis analysis) {
    this.analysis = analysis;
  }
}
