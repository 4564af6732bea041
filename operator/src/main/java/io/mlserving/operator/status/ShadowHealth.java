package io.mlserving.operator.status;

import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a ShadowTest's shadow model is as healthy as its primary: its success rate at most maxSuccessRateDrop
 * points below the primary's, and its p99 latency at most maxLatencyRatio times the primary's (the ShadowHealthy
 * condition). Pure.
 *
 * <p>The bounds are judged on the values as status shows them ({@link Rounding#percent}, {@link Rounding#ms}) and in
 * decimal arithmetic: the message then never contradicts the numbers beside it (a shadow shown at exactly the bound
 * is healthy), and the condition cannot flip while every shown value stays the same, which would be a status write
 * the contract rules out.
 */
public final class ShadowHealth {
  /** The default of spec.analysis.maxSuccessRateDrop, in percentage points (contract). */
  public static final double DEFAULT_MAX_SUCCESS_RATE_DROP = ShadowTestAnalysis.DEFAULT_MAX_SUCCESS_RATE_DROP;
  /** The default of spec.analysis.maxLatencyRatio: the shadow's p99 over the primary's (contract). */
  public static final double DEFAULT_MAX_LATENCY_RATIO = ShadowTestAnalysis.DEFAULT_MAX_LATENCY_RATIO;

  private ShadowHealth() {}

  /**
   * One side of the comparison over the analysis window.
   *
   * @param requests requests in the window (for the shadow: mirrored requests, seen only under
   *     reporter="destination")
   * @param successRate the percentage of requests that were not 5xx; null when Prometheus has no value
   * @param latencyP99Ms the 99th percentile latency in milliseconds; null when Prometheus has no value
   */
  public record Side(long requests, Double successRate, Double latencyP99Ms) {}

  /** The reasons of the ShadowHealthy condition, CamelCase. */
  public enum Reason {
    /** Both bounds hold. */
    ShadowHealthy,
    /** The shadow's success rate is more than maxSuccessRateDrop points below the primary's. */
    SuccessRateDropped,
    /** The shadow's p99 latency is more than maxLatencyRatio times the primary's. */
    LatencyTooHigh,
    /** A side has no requests, or a value a bound needs is missing: nothing to say yet. */
    InsufficientData
  }

  /**
   * The judgement.
   *
   * @param healthy true or false; null when there is not enough data to say (the condition is Unknown)
   * @param reason a {@link Reason} name
   * @param message for people: both values and the bound
   */
  public record Result(Boolean healthy, String reason, String message) {}

  /**
   * Judges {@code shadow} against {@code primary}. A side without requests gives InsufficientData. Otherwise each
   * bound whose values are both known is judged: a broken one gives false (SuccessRateDropped before LatencyTooHigh
   * when both break, the message naming both), since a known failure needs no further data; with none broken, a
   * missing value gives InsufficientData, and else true.
   *
   * @throws IllegalArgumentException when maxSuccessRateDrop is negative or maxLatencyRatio not positive
   */
  public static Result healthy(Side primary, Side shadow, double maxSuccessRateDrop, double maxLatencyRatio) {
    if (!(maxSuccessRateDrop >= 0) || Double.isInfinite(maxSuccessRateDrop)) {
      throw new IllegalArgumentException("maxSuccessRateDrop must be a number of points ≥ 0, got " + maxSuccessRateDrop);
    }
    if (!(maxLatencyRatio > 0) || Double.isInfinite(maxLatencyRatio)) {
      throw new IllegalArgumentException("maxLatencyRatio must be a ratio > 0, got " + maxLatencyRatio);
    }
    if (primary.requests() <= 0 || shadow.requests() <= 0) {
      String who = primary.requests() <= 0 && shadow.requests() <= 0 ? "neither the primary nor the shadow has"
          : primary.requests() <= 0 ? "the primary has no" : "the shadow has no";
      return insufficient(who + " requests in the analysis window");
    }
    Double primaryRate = shown(primary.successRate(), true);
    Double shadowRate = shown(shadow.successRate(), true);
    Double primaryP99 = shown(primary.latencyP99Ms(), false);
    Double shadowP99 = shown(shadow.latencyP99Ms(), false);

    List<String> broken = new ArrayList<>();
    List<String> held = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Reason reason = null;
    if (primaryRate != null && shadowRate != null) {
      BigDecimal drop = BigDecimal.valueOf(maxSuccessRateDrop);
      BigDecimal bound = BigDecimal.valueOf(primaryRate).subtract(drop);
      String points = Rounding.text(maxSuccessRateDrop) + (maxSuccessRateDrop == 1 ? " point" : " points");
      if (BigDecimal.valueOf(shadowRate).compareTo(bound) < 0) {
        reason = Reason.SuccessRateDropped;
        broken.add("shadow success rate " + percent(shadowRate) + " is more than " + points + " below the primary's "
            + percent(primaryRate) + " (bound " + percent(bound.doubleValue()) + ")");
      } else {
        held.add("shadow success rate " + percent(shadowRate) + " is within " + points + " of the primary's "
            + percent(primaryRate));
      }
    } else {
      missing.add("success rate" + whose(primaryRate, shadowRate));
    }
    if (primaryP99 != null && shadowP99 != null) {
      BigDecimal bound = BigDecimal.valueOf(primaryP99).multiply(BigDecimal.valueOf(maxLatencyRatio));
      String ratio = Rounding.text(maxLatencyRatio) + " ×";
      if (BigDecimal.valueOf(shadowP99).compareTo(bound) > 0) {
        reason = reason == null ? Reason.LatencyTooHigh : reason;
        broken.add("shadow p99 latency " + ms(shadowP99) + " is more than " + ratio + " the primary's " + ms(primaryP99)
            + " (bound " + ms(Rounding.ms(bound.doubleValue())) + ")");
      } else {
        held.add("shadow p99 latency " + ms(shadowP99) + " is within " + ratio + " the primary's " + ms(primaryP99));
      }
    } else {
      missing.add("p99 latency" + whose(primaryP99, shadowP99));
    }
    if (reason != null) {
      return new Result(false, reason.name(), String.join("; ", broken));
    }
    if (!missing.isEmpty()) {
      return insufficient("no " + String.join(" and no ", missing) + " in the analysis window");
    }
    return new Result(true, Reason.ShadowHealthy.name(), String.join("; ", held));
  }

  private static Result insufficient(String message) {
    return new Result(null, Reason.InsufficientData.name(), message);
  }

  /** A value as shown in status, or null when there is none (NaN is Prometheus's 0/0, no value either). */
  private static Double shown(Double value, boolean percent) {
    if (value == null || !Double.isFinite(value)) {
      return null;
    }
    return percent ? Rounding.percent(value) : Rounding.ms(value);
  }

  private static String whose(Double primary, Double shadow) {
    return primary == null && shadow == null ? " for either side" : primary == null ? " for the primary"
        : " for the shadow";
  }

  private static String percent(double value) {
    return Rounding.text(value) + " %";
  }

  private static String ms(double value) {
    return Rounding.text(value) + " ms";
  }
}
