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
import java.util.ArrayList;
import java.util.List;

/** Moves a host's traffic from the stable InferenceService to the canary step by step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CanarySpec.DISTINCT_RULE, message = CanarySpec.DISTINCT_MESSAGE, fieldPath = ".canary")
@ValidationRule(value = CanarySpec.STEPS_RULE, message = CanarySpec.STEPS_MESSAGE, fieldPath = ".steps")
@ValidationRule(value = CanarySpec.DEADLINE_RULE, message = CanarySpec.DEADLINE_MESSAGE,
    fieldPath = ".progressDeadline")
public class CanarySpec extends HostRoutingSpec {
  public static final int MIN_STEP = 1;
  public static final int MAX_STEP = 99;
  public static final int MAX_STEPS = 20;
  public static final String DEFAULT_STEP_INTERVAL = "1m";
  /** Shortest stepInterval: the rollout's times are kept to the second, as the API server keeps times. */
  public static final String MIN_STEP_INTERVAL = "1s";
  static final String STEP_INTERVAL_RULE = "duration(self) >= duration('" + MIN_STEP_INTERVAL + "')";
  public static final String STEP_INTERVAL_MESSAGE = "must be a duration of at least " + MIN_STEP_INTERVAL
      + ", such as 30s or 1m";
  public static final String DEFAULT_PROGRESS_DEADLINE = "10m";
  static final String DISTINCT_RULE = "self.stable != self.canary";
  public static final String DISTINCT_MESSAGE = "canary must differ from stable";
  // isSorted() and the first index of each step being its last: strictly increasing.
  static final String STEPS_RULE = "self.steps.isSorted() && self.steps.all(s, self.steps.indexOf(s) == "
      + "self.steps.lastIndexOf(s))";
  public static final String STEPS_MESSAGE = "steps must be strictly increasing";
  static final String DEADLINE_RULE = "!has(self.stepInterval) || !has(self.progressDeadline)"
      + " || duration(self.progressDeadline) > duration(self.stepInterval)";
  public static final String DEADLINE_MESSAGE =
      "progressDeadline must be longer than stepInterval, or every step would stall before its first check";

  /** Name of the InferenceService that serves now. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService that serves now.")
  private String stable;

  /** Name of the InferenceService being rolled out; must differ from stable. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_LABEL)
  @JsonPropertyDescription("Name of the InferenceService being rolled out; must differ from stable.")
  private String canary;

  /** The canary's weight at each step, in percent: 1 to 99, strictly increasing, 1 to 20 entries. */
  @Required
  @Size(min = 1, max = MAX_STEPS)
  @JsonPropertyDescription("The canary's weight at each step, in percent: 1 to 99, strictly increasing, 1 to 20 entries.")
  private List<@Min(MIN_STEP) @Max(MAX_STEP) Integer> steps = new ArrayList<>();

  /** Minimum time at a step, at least 1s, for example 1m; the metrics are checked at this interval. */
  @Default(DEFAULT_STEP_INTERVAL)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = STEP_INTERVAL_RULE, message = STEP_INTERVAL_MESSAGE)
  @JsonPropertyDescription("Minimum time at a step, at least 1s, for example 1m; the metrics are checked at this"
      + " interval.")
  private String stepInterval;

  /** A step (or the wait for both models to be Ready) that cannot advance for this long rolls back, e.g. 10m. */
  @Default(DEFAULT_PROGRESS_DEADLINE)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = MlServing.DURATION_RULE, message = MlServing.DURATION_MESSAGE)
  @JsonPropertyDescription("A step (or the wait for both models to be Ready) that cannot advance for this long"
      + " rolls back, for example 10m.")
  private String progressDeadline;

  /** Metric gates checked at every step; without them, steps advance on time and canary readiness alone. */
  @JsonPropertyDescription("Metric gates checked at every step; without them, steps advance on time and canary"
      + " readiness alone.")
  private CanaryAnalysis analysis;

  /** Retry policy of the route. */
  @JsonPropertyDescription("Retry policy of the route.")
  private Retries retries;

  public String getStable() {
    return stable;
  }

  public void setStable(String stable) {
    this.stable = stable;
  }

  public String getCanary() {
    return canary;
  }

  public void setCanary(String canary) {
    this.canary = canary;
  }

  public List<Integer> getSteps() {
    return steps;
  }

  public void setSteps(List<Integer> steps) {
    this.steps = steps;
  }

  public String getStepInterval() {
    return stepInterval;
  }

  public void setStepInterval(String stepInterval) {
    this.stepInterval = stepInterval;
  }

  public String getProgressDeadline() {
    return progressDeadline;
  }

  public void setProgressDeadline(String progressDeadline) {
    this.progressDeadline = progressDeadline;
  }

  public CanaryAnalysis getAnalysis() {
    return analysis;
  }

  public void setAnalysis(CanaryAnalysis analysis) {
    this.analysis = analysis;
  }

  public Retries getRetries() {
    return retries;
  }

  public void setRetries(Retries retries) {
    this.retries = retries;
  }
}
