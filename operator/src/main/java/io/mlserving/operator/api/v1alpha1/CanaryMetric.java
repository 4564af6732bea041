package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One metric gate: a built-in Istio metric or a PromQL query, and the bounds its value must keep. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CanaryMetric.BOUND_RULE, message = CanaryMetric.BOUND_MESSAGE)
@ValidationRule(value = CanaryMetric.ORDER_RULE, message = CanaryMetric.ORDER_MESSAGE, fieldPath = ".min")
@ValidationRule(value = CanaryMetric.KNOWN_RULE, message = CanaryMetric.KNOWN_MESSAGE, fieldPath = ".name")
public class CanaryMetric {
  /** Built-in: percent of the canary's requests that are not 5xx. */
  public static final String SUCCESS_RATE = "success-rate";
  /** Built-in: p99 of the canary's request duration, in milliseconds. */
  public static final String LATENCY_P99 = "latency-p99";
  /** The built-in names as the body of a CEL list. */
  static final String BUILT_IN_LIST = "'" + SUCCESS_RATE + "', '" + LATENCY_P99 + "'";
  public static final List<String> BUILT_IN = List.of(SUCCESS_RATE, LATENCY_P99);
  public static final int QUERY_MAX_LENGTH = 4096;
  /**
   * A placeholder in a custom query, {@code {{canary}}}, spaces inside the braces allowed; group 1 is its name.
   * Anything but braces counts as a name, so that {@code {{ canary-name }}} is found (and named as unknown) rather
   * than sent to Prometheus as written.
   */
  public static final String PLACEHOLDER = "\\{\\{\\s*([^{}]*?)\\s*}}";
  /** Placeholder: the namespace of the Canary. */
  public static final String NAMESPACE_PLACEHOLDER = "namespace";
  /** Placeholder: the canary's workload (its InferenceService's name). */
  public static final String CANARY_PLACEHOLDER = "canary";
  /** Placeholder: the stable's workload. */
  public static final String STABLE_PLACEHOLDER = "stable";
  /** Placeholder: the analysis window as a Prometheus range, such as 1m. */
  public static final String WINDOW_PLACEHOLDER = "window";
  /** The placeholders a custom query may use, in the order the docs list them. */
  public static final List<String> PLACEHOLDERS =
      List.of(NAMESPACE_PLACEHOLDER, CANARY_PLACEHOLDER, STABLE_PLACEHOLDER, WINDOW_PLACEHOLDER);

  static final String BOUND_RULE = "has(self.min) || has(self.max)";
  public static final String BOUND_MESSAGE = "each metric needs min, max or both";
  static final String ORDER_RULE = "!has(self.min) || !has(self.max) || self.min <= self.max";
  public static final String ORDER_MESSAGE = "min must not be greater than max";
  static final String KNOWN_RULE = "has(self.query) || self.name in [" + BUILT_IN_LIST + "]";
  public static final String KNOWN_MESSAGE =
      "a metric without query must be a built-in one: " + SUCCESS_RATE + " or " + LATENCY_P99;

  /** The metric's name: a built-in one (success-rate, latency-p99) or any name for a custom query. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_1123_LABEL)
  @JsonPropertyDescription("The metric's name: a built-in one (success-rate, latency-p99) or any name for a"
      + " custom query.")
  private String name;

  /**
   * A PromQL query returning one number; it may use {{namespace}}, {{canary}}, {{stable}} and {{window}}.
   */
  @Size(min = 1, max = QUERY_MAX_LENGTH)
  @JsonPropertyDescription("A PromQL query returning one number; it may use {{namespace}}, {{canary}},"
      + " {{stable}} and {{window}}.")
  private String query;

  /** Lowest acceptable value (inclusive). */
  @JsonPropertyDescription("Lowest acceptable value (inclusive).")
  private Double min;

  /** Highest acceptable value (inclusive). */
  @JsonPropertyDescription("Highest acceptable value (inclusive).")
  private Double max;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }
}
