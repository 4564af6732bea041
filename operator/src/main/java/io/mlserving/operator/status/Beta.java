package io.mlserving.operator.status;

/**
 * A Beta(a, b) distribution with a, b ≥ 1 (the posterior of a success rate): density, cumulative distribution
 * and the log-gamma function they rest on, accurate for parameters from 1 to beyond 10^9. Pure and deterministic.
 *
 * <p>The naive forms lose the answer at large counts: {@code (a-1)·ln x} is about 10^8 for a = 10^9, so the
 * rounding of that term alone (10^-8) and the cancellation in {@code lnΓ(a) + lnΓ(b) - lnΓ(a+b)} (terms near 2·10^10)
 * would leave the density with a relative error of 10^-6 or worse. Both are avoided by writing everything
 * relative to the mean μ = a/(a+b) (see {@link #logDensity}), where the large terms cancel analytically.
 */
final class Beta {
  /** ½·ln(2π). */
  private static final double HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
  /** Above this the Stirling series of {@link #stirlingCorrection} is used directly: its error is below 10^-16 here. */
  private static final double STIRLING_FROM = 10;
  /** The continued fraction stops when a step changes it by less than this (relative). */
  private static final double CF_EPSILON = 1e-15;
  /** Guards Lentz's method against a zero denominator. */
  private static final double TINY = 1e-300;
  /**
   * The continued fraction needs about √max(a, b) steps at its worst (x at the mean), some 2,500 for counts of 10^9;
   * this bound is only reached by counts far beyond what a request counter holds.
   */
  private static final int CF_MAX_STEPS = 5_000_000;

  final double a;
  final double b;
  /** The mean a/(a+b): the reference point of the density's logarithm. */
  final double mean;
  /** 1 − mean, computed as b/(a+b) so that it keeps its precision when the mean is close to 1. */
  private final double oneMinusMean;
  /** The standard deviation √(ab / ((a+b)²(a+b+1))). */
  final double sd;
  /** ln of the density at the mean, free of the cancellation of lnB(a, b) (see {@link #logDensity}). */
  private final double logDensityAtMean;

  Beta(double a, double b) {
    if (!(a >= 1) || !(b >= 1) || Double.isInfinite(a) || Double.isInfinite(b)) {
      throw new IllegalArgumentException("Beta parameters must be finite and at least 1: a=" + a + ", b=" + b);
    }
    this.a = a;
    this.b = b;
    double n = a + b;
    this.mean = a / n;
    this.oneMinusMean = b / n;
    this.sd = Math.sqrt(mean * oneMinusMean / (n + 1));
    // (a-1)·ln μ + (b-1)·ln(1-μ) − lnB(a, b) with lnΓ(z) = (z-½)ln z − z + ½ln 2π + δ(z): the terms of order a ln a
    // cancel exactly on paper, leaving ½·ln(n³ / (2π·a·b)) − δ(a) − δ(b) + δ(n), all of moderate size.
    this.logDensityAtMean = 0.5 * (Math.log(n / a) + Math.log(n / b) + Math.log(n)) - HALF_LN_2PI
        - stirlingCorrection(a) - stirlingCorrection(b) + stirlingCorrection(n);
  }

  /**
   * ln of the density at x in [0, 1]: (a-1)·ln(x/μ) + (b-1)·ln((1-x)/(1-μ)) + ln f(μ), with t = x − μ taken once
   * (exact near μ, where precision matters) and both logarithms as log1p of a small number.
   */
  double logDensity(double x) {
    double t = x - mean;
    // a = 1 (no successes) or b = 1 (no failures) has no such factor: skip it rather than compute 0·(−∞) at an end.
    double left = a == 1 ? 0 : (a - 1) * Math.log1p(t / mean);
    double right = b == 1 ? 0 : (b - 1) * Math.log1p(-t / oneMinusMean);
    return left + right + logDensityAtMean;
  }

  /** The probability density at x in [0, 1]. */
  double density(double x) {
    return Math.exp(logDensity(x));
  }

  /** P(X ≤ x): the regularized incomplete beta function I_x(a, b). */
  double cdf(double x) {
    return cdf(x, x <= 0 || x >= 1 ? 0 : density(x));
  }

  /** {@link #cdf(double)} when the density at x, {@code f}, is already known (it is the continued fraction's prefactor). */
  double cdf(double x, double f) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    if (f == 0) {
      // So far from the mean that the density underflows: the mass on that side is smaller still.
      return x < mean ? 0 : 1;
    }
    // I_x(a,b) = x^a (1-x)^b / (a·B(a,b)) · CF(x; a, b), and x^a (1-x)^b / B(a,b) = x(1-x)·f(x). The continued fraction
    // converges fast only below (a+1)/(a+b+2); above it, use I_x(a,b) = 1 − I_{1-x}(b,a).
    if (x < (a + 1) / (a + b + 2)) {
      return f * x * (1 - x) / a * continuedFraction(x, a, b);
    }
    // Below ½, 1 − x is rounded (by up to 1.1·10^-16), and a peaked posterior's distribution function moves by f·δx
    // over that: 10^-11 at a million requests. So take the complement at x̃ = 1 − fl(1 − x), which is exact
    // (Sterbenz), and move back to x along the density: F(x) = F(x̃) + f·(x − x̃), exact to f'·δx².
    double y = 1 - x;
    double exact = 1 - y;
    double fExact = exact == x ? f : density(exact);
    return 1 - fExact * exact * y / b * continuedFraction(y, b, a) + f * (x - exact);
  }

  /**
   * The continued fraction of I_x(p, q): 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
   * d(2m+1) = −(p+m)(p+q+m)x / ((p+2m)(p+2m+1)) and d(2m) = m(q−m)x / ((p+2m−1)(p+2m)), evaluated from the front by
   * the modified Lentz method (no need to choose a depth in advance).
   */
  static double continuedFraction(double x, double p, double q) {
    double numerator = 1;          // the running numerator ratio C of Lentz's method
    double denominator = 1 - (p + q) * x / (p + 1);   // D, before inversion: 1 + d1
    denominator = 1 / nonZero(denominator);
    double value = denominator;
    for (int m = 1; m <= CF_MAX_STEPS; m++) {
      double even = m * (q - m) * x / ((p + 2 * m - 1) * (p + 2 * m));
      denominator = 1 / nonZero(1 + even * denominator);
      numerator = nonZero(1 + even / numerator);
      value *= denominator * numerator;
      double odd = -(p + m) * (p + q + m) * x / ((p + 2 * m) * (p + 2 * m + 1));
      denominator = 1 / nonZero(1 + odd * denominator);
      numerator = nonZero(1 + odd / numerator);
      double step = denominator * numerator;
      value *= step;
      if (Math.abs(step - 1) < CF_EPSILON) {
        return value;
      }
    }
    throw new ArithmeticException("the incomplete beta continued fraction did not converge for x=" + x + ", a=" + p
        + ", b=" + q);
  }

  private static double nonZero(double v) {
    return Math.abs(v) < TINY ? TINY : v;
  }

  /** ln Γ(z) for z > 0. */
  static double logGamma(double z) {
    return (z - 0.5) * Math.log(z) - z + HALF_LN_2PI + stirlingCorrection(z);
  }

  /**
   * δ(z) = lnΓ(z) − [(z−½)ln z − z + ½ln 2π], the remainder of Stirling's formula, for z > 0. For z ≥ 10 it is
   * Stirling's asymptotic series, Σ B(2k) / (2k(2k−1) z^(2k−1)) with the Bernoulli numbers B(2k), to seven terms.
   * Below, the recurrence Γ(z+1) = zΓ(z) gives δ(z) = δ(z+1) + (z+½)·ln(1 + 1/z) − 1, which climbs to 10 without
   * ever forming a large number.
   */
  static double stirlingCorrection(double z) {
    if (!(z > 0)) {
      throw new IllegalArgumentException("log-gamma needs z > 0, got " + z);
    }
    double shift = 0;
    while (z < STIRLING_FROM) {
      shift += (z + 0.5) * Math.log1p(1 / z) - 1;
      z += 1;
    }
    double inv = 1 / z;
    double inv2 = inv * inv;
    // B2/2 = 1/12, B4/12 = -1/360, B6/30 = 1/1260, B8/56 = -1/1680, B10/90 = 1/1188, B12/132 = -691/360360,
    // B14/182 = 1/156; evaluated in Horner form.
    double series = inv * (1.0 / 12 + inv2 * (-1.0 / 360 + inv2 * (1.0 / 1260 + inv2 * (-1.0 / 1680
        + inv2 * (1.0 / 1188 + inv2 * (-691.0 / 360360 + inv2 * (1.0 / 156)))))));
    return series + shift;
  }
}
