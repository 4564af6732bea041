package io.mlserving.operator.api.v1alpha1;

/** The outcome of one metric check of a Canary. */
public enum CheckResult {
  /** The value is within its bounds. */
  Pass,
  /** The value is outside its bounds. */
  Fail,
  /** Too little canary traffic to judge: the step waits. */
  Inconclusive,
  /** No value: Prometheus unreachable, a query error, no data, NaN or more than one series. */
  Error
}
