package io.mlserving.operator.status;

import io.mlserving.operator.analysis.QueryResult;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CheckResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * One metric check of a Canary from what Prometheus answered: Pass or Fail against the metric's bounds,
 * Inconclusive with too little canary traffic, Error without a number. Pure: the answers (plain values, no I/O)
 * and the time are passed in.
 */
public final class CanaryChecks {
  /** Decimals kept of a value in status: enough to read, few enough not to make every check a new status. */
  static final int DECIMALS = 3;

  private CanaryChecks() {}

  /**
   * The check of {@code metric}: {@code requests} is the canary's request count over {@code window} (the text
   * shown, e.g. 1m), {@code value} the metric's own query.
   */
  public static CanaryCheck evaluate(CanaryMetric metric, QueryResult value, QueryResult requests, int minRequests,
      String window, Instant now) {
    String name = metric.getName();
    Double min = metric.getMin();
    Double max = metric.getMax();
    String time = time(now);
    // No series at all is a canary nobody has called yet: zero requests, not a failure of Prometheus.
    boolean none = requests.outcome() == QueryResult.Outcome.Empty;
    if (!requests.hasValue() && !none) {
      return new CanaryCheck(name, null, min, max, CheckResult.Error,
          "could not count the canary's requests: " + requests.message(), time);
    }
    double count = none ? 0 : requests.value();
    // Without a single request there is nothing to judge, whatever minRequests says.
    if (count < Math.max(1, minRequests)) {
      // With minRequests 0 "fewer than minRequests 0" would be false: the floor of one request is what held it.
      String why = minRequests >= 1 ? ", fewer than minRequests " + minRequests
          : ", not one to judge (minRequests " + minRequests + ")";
      return new CanaryCheck(name, null, min, max, CheckResult.Inconclusive, "the canary had "
          + format(count) + " requests in the last " + window + why, time);
    }
    if (!value.hasValue()) {
      return new CanaryCheck(name, null, min, max, CheckResult.Error, value.message(), time);
    }
    // Judged on the number Prometheus gave, bounds inclusive: rounding first would pass 98.9996 against min 99.
    double raw = value.value();
    boolean below = min != null && raw < min;
    boolean above = !below && max != null && raw > max;
    // Kept rounded, away from the bound a Fail broke, so that the number shown never reads as within it. JSON has no
    // infinity (Jackson would write the string "Infinity", which the status schema's number refuses): an infinite
    // value is judged and named in the message, and kept as no value.
    Double kept = Double.isInfinite(raw) ? null
        : round(raw, below ? RoundingMode.FLOOR : above ? RoundingMode.CEILING : RoundingMode.HALF_UP);
    String shown = kept == null ? format(raw) : format(kept);
    CanaryCheck check = new CanaryCheck(name, kept, min, max, CheckResult.Pass, null, time);
    if (below) {
      check.setResult(CheckResult.Fail);
      check.setMessage(name + " " + shown + " is below min " + format(min));
    } else if (above) {
      check.setResult(CheckResult.Fail);
      check.setMessage(name + " " + shown + " is above max " + format(max));
    } else {
      check.setMessage(name + " " + shown + " " + bounds(check));
    }
    return check;
  }

  /** A check's time: RFC 3339 to the second, as the API server stores times. */
  public static String time(Instant now) {
    return CanaryRollout.time(now);
  }

  /** The bound(s) a value kept or broke: "≥ 99", "≤ 500", "in [1, 2]", or "< 99" and "> 500" for a Fail. */
  static String bounds(CanaryCheck k) {
    Double min = k.getMin();
    Double max = k.getMax();
    if (k.getResult() == CheckResult.Fail && k.getValue() != null) {
      return min != null && k.getValue() < min ? "< " + format(min) : "> " + format(max);
    }
    if (min != null && max != null) {
      return "in [" + format(min) + ", " + format(max) + "]";
    }
    return min != null ? "≥ " + format(min) : "≤ " + format(max);
  }

  /**
   * A number as status shows it: at most three decimals, no trailing zeros (99.6, 500, 0.125); infinities as
   * Prometheus writes them (+Inf, -Inf).
   */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return BigDecimal.valueOf(v).setScale(DECIMALS, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  /** {@code v} (finite) to {@link #DECIMALS} decimals, rounded as {@code mode} says. */
  static double round(double v, RoundingMode mode) {
    return BigDecimal.valueOf(v).setScale(DECIMALS, mode).doubleValue();
  }
}
