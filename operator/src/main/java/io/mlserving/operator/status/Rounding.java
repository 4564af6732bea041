package io.mlserving.operator.status;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How live-analysis values are shown in status: success rates in percent to 2 decimals, latencies in milliseconds
 * to 1 decimal, probabilities to 3 decimals, counts as whole numbers. Status is written only when a shown value
 * changes, so these precisions decide how often metrics noise turns into a write.
 *
 * <p>Rounding is half-up on the decimal value the double prints as (so 0.125 → 0.13, where binary arithmetic would
 * give 0.12). NaN and the infinities are returned as they are: they have no decimal form, and the caller shows no
 * value for them (JSON has no such numbers).
 */
public final class Rounding {
  /** Decimals of a success rate in percent (99.94 %): a hundredth of a point. */
  public static final int PERCENT_DECIMALS = 2;
  /** Decimals of a latency in milliseconds (212.5 ms). */
  public static final int MS_DECIMALS = 1;
  /** Decimals of a probability (0.987). */
  public static final int PROBABILITY_DECIMALS = 3;

  private Rounding() {}

  /** A success rate already in percent (99.4567, not 0.994567), to 2 decimals: 99.46. */
  public static double percent(double percent) {
    return round(percent, PERCENT_DECIMALS);
  }

  /** A latency in milliseconds, to 1 decimal. */
  public static double ms(double ms) {
    return round(ms, MS_DECIMALS);
  }

  /** A probability, to 3 decimals. */
  public static double probability(double probability) {
    return round(probability, PROBABILITY_DECIMALS);
  }

  /**
   * A count as a whole number: Prometheus's increase() extrapolates to the window's edges and returns fractions
   * (99.7 requests), which would otherwise change on every refresh.
   *
   * @throws IllegalArgumentException for NaN or an infinity, which have no count
   */
  public static long count(double count) {
    if (!Double.isFinite(count)) {
      throw new IllegalArgumentException("not a count: " + count);
    }
    return BigDecimal.valueOf(count).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** {@code value} to {@code decimals} decimals, half-up; NaN and infinities unchanged. */
  static double round(double value, int decimals) {
    return round(value, decimals, RoundingMode.HALF_UP);
  }

  /** {@code value} to {@code decimals} decimals in the given mode; NaN and infinities unchanged. */
  static double round(double value, int decimals, RoundingMode mode) {
    if (!Double.isFinite(value)) {
      return value;
    }
    // BigDecimal.valueOf goes through Double.toString, the shortest decimal that reads back as this double: the
    // number as a person would write it, so that half-up means what it says.
    return BigDecimal.valueOf(value).setScale(decimals, mode).doubleValue();
  }

  /**
   * A shown value as text, without trailing zeros (99.4, 1.5, 100): for messages, which should read as the status
   * values do.
   */
  static String text(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    BigDecimal plain = BigDecimal.valueOf(value).stripTrailingZeros();
    // stripTrailingZeros turns 100 into 1E+2; a scale of at least 0 prints it plainly.
    return (plain.scale() < 0 ? plain.setScale(0) : plain).toPlainString();
  }

  /** A probability as text with its 3 decimals kept (0.950, 1.000), as it is compared with a confidence. */
  static String probabilityText(double probability) {
    return BigDecimal.valueOf(probability).setScale(PROBABILITY_DECIMALS, RoundingMode.HALF_UP).toPlainString();
  }
}
