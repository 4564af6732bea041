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
      return new CanaryCheck(name, null, min, max, CheckResult.Inconclusive, "the canary had "
          + format(count) + " requests in the last " + window + ", fewer than minRequests " + minRequests,
          time);
    }
    if (!value.hasValue()) {
      return new CanaryCheck(name, null, min, max, CheckResult.Error, value.message(), time);
    }
    double v = round(value.value());
    CanaryCheck check = new CanaryCheck(name, v, min, max, CheckResult.Pass, null, time);
    if (min != null && v < min) {
      check.setResult(CheckResult.Fail);
      check.setMessage(name + " " + format(v) + " is below min " + format(min));
    } else if (max != null && v > max) {
      check.setResult(CheckResult.Fail);
      check.setMessage(name + " " + format(v) + " is above max " + format(max));
    } else {
      check.setMessage(name + " " + format(v) + " " + bounds(check));
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

  /** A number as status shows it: at most three decimals, no trailing zeros (99.6, 500, 0.125). */
  public static String format(double v) {
    if (Double.isInfinite(v) || Double.isNaN(v)) {
      return Double.toString(v);
    }
    return BigDecimal.valueOf(v).setScale(DECIMALS, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  static double round(double v) {
    if (Double.isInfinite(v) || Double.isNaN(v)) {
      return v;
    }
    return BigDecimal.valueOf(v).setScale(DECIMALS, RoundingMode.HALF_UP).doubleValue();
  }
}
