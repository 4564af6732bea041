package io.mlserving.operator.status;

import java.util.Arrays;

/**
 * The Bayesian probability that each A/B variant has the highest success rate, under independent
 * Beta(1 + successes, 1 + failures) posteriors (a uniform prior on each rate). Deterministic numerical integration,
 * no sampling: the same counts always give the same numbers.
 *
 * <p>P(i is best) = ∫₀¹ f_i(x) · Π_{j≠i} F_j(x) dx, with f the posterior density and F its cumulative distribution
 * (the regularized incomplete beta function, {@link Beta#cdf}). The integral is taken by Gauss-Legendre quadrature
 * on pieces whose width follows the narrowest posterior that matters at each point: one standard deviation near a
 * posterior's mean, growing with the distance from it, out to {@value #REACH} standard deviations (beyond which a
 * posterior holds less than e^-39 of its mass: the density of a Beta with a, b ≥ 1 is log-concave, so its tails fall
 * at least exponentially). Posteriors of 10^9 requests (standard deviation about 10^-5) and of none (a uniform) are
 * resolved side by side.
 */
public final class BayesianBest {
  /**
   * The largest count accepted. Up to it a posterior's standard deviation (at least about 1/count) stays far above
   * the spacing of doubles near 1 and the continued fraction needs well under 10^5 steps; 10^12 requests is years of
   * traffic at 10,000 requests per second, beyond any analysis window.
   */
  public static final long MAX_COUNT = 1_000_000_000_000L;
  /** How many standard deviations from its mean a posterior is integrated. */
  static final double REACH = 40;
  /** Width of a piece near a posterior's mean, in its standard deviations. */
  private static final double CORE_WIDTH = 1;
  /** Beyond {@code CORE_WIDTH · TAIL_GROWTH} standard deviations, pieces are this fraction of the distance to the mean. */
  private static final double TAIL_GROWTH = 4;
  /** The widest piece anywhere, so that the stretches between posteriors are still integrated. */
  private static final double GLOBAL_WIDTH = 1.0 / 32;
  /** Gauss-Legendre points per piece: exact for polynomials of degree 15, plenty on one standard deviation. */
  private static final int POINTS = 8;
  private static final double[] NODES = new double[POINTS];
  private static final double[] WEIGHTS = new double[POINTS];

  static {
    legendre(POINTS, NODES, WEIGHTS);
  }

  private BayesianBest() {}

  /**
   * For k ≥ 2 variants, variant i having seen {@code successes[i]} and {@code failures[i]} requests, the probability
   * that variant i's success rate is the highest of all. The result has k entries summing to 1; equal counts give
   * equal probabilities, and permuting the variants permutes the result.
   *
   * @throws IllegalArgumentException with fewer than two variants, arrays of different lengths, or a count below 0
   *     or above {@link #MAX_COUNT}
   */
  public static double[] probabilityBest(long[] successes, long[] failures) {
    double[] raw = unnormalised(successes, failures);
    double sum = 0;
    for (double p : raw) {
      sum += p;
    }
    // The integrals sum to 1 up to quadrature error (10^-10 at most in the tests' cases, held within 10^-6 there);
    // dividing by the sum removes that residue, so that the result is a probability distribution to the last bit.
    double[] out = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = raw[i] / sum;
    }
    return out;
  }

  /** The integrals themselves, before renormalisation: their sum tells the quadrature error. */
  static double[] unnormalised(long[] successes, long[] failures) {
    if (successes == null || failures == null || successes.length != failures.length) {
      throw new IllegalArgumentException("successes and failures must be given for the same variants");
    }
    int k = successes.length;
    if (k < 2) {
      throw new IllegalArgumentException("at least two variants are needed, got " + k);
    }
    Beta[] posterior = new Beta[k];
    for (int i = 0; i < k; i++) {
      if (successes[i] < 0 || failures[i] < 0 || successes[i] > MAX_COUNT || failures[i] > MAX_COUNT) {
        throw new IllegalArgumentException("counts must be between 0 and " + MAX_COUNT + ": variant " + i + " has "
            + successes[i] + " successes and " + failures[i] + " failures");
      }
      posterior[i] = new Beta(1.0 + successes[i], 1.0 + failures[i]);
    }
    double[] lo = new double[k];
    double[] hi = new double[k];
    double start = 1;
    double end = 0;
    for (int i = 0; i < k; i++) {
      lo[i] = Math.max(0, posterior[i].mean - REACH * posterior[i].sd);
      hi[i] = Math.min(1, posterior[i].mean + REACH * posterior[i].sd);
      start = Math.min(start, lo[i]);
      end = Math.max(end, hi[i]);
    }

    double[] result = new double[k];
    double[] density = new double[k];
    double[] cdf = new double[k];
    double left = start;
    while (left < end) {
      double right = Math.min(end, left + width(left, posterior, lo, hi));
      // A narrower posterior whose reach begins inside this piece would be stepped over: stop where it begins.
      for (int j = 0; j < k; j++) {
        if (lo[j] > left && lo[j] < right) {
          right = lo[j];
        }
      }
      if (!(right > left)) {
        // Cannot happen within MAX_COUNT (a standard deviation stays far above the spacing of doubles); guards the loop.
        throw new ArithmeticException("integration grid stalled at " + left);
      }
      double mid = 0.5 * (left + right);
      double half = 0.5 * (right - left);
      for (int p = 0; p < POINTS; p++) {
        double x = mid + half * NODES[p];
        double w = half * WEIGHTS[p];
        boolean anyDensity = false;
        for (int j = 0; j < k; j++) {
          // Outside its reach a posterior has no density worth adding and a distribution function of 0 or 1.
          boolean inside = x >= lo[j] && x <= hi[j];
          density[j] = inside ? posterior[j].density(x) : 0;
          anyDensity |= density[j] > 0;
        }
        if (!anyDensity) {
          continue;
        }
        for (int j = 0; j < k; j++) {
          cdf[j] = x < lo[j] ? 0 : x > hi[j] ? 1 : posterior[j].cdf(x, density[j]);
        }
        for (int i = 0; i < k; i++) {
          if (density[i] == 0) {
            continue;
          }
          double term = w * density[i];
          for (int j = 0; j < k && term != 0; j++) {
            if (j != i) {
              term *= cdf[j];
            }
          }
          result[i] += term;
        }
      }
      left = right;
    }
    return result;
  }

  /**
   * The width of the piece starting at x: the smallest any posterior whose reach covers x asks for (one standard
   * deviation near its mean, a quarter of the distance to the mean further out), and never more than
   * {@link #GLOBAL_WIDTH}.
   */
  private static double width(double x, Beta[] posterior, double[] lo, double[] hi) {
    double width = GLOBAL_WIDTH;
    for (int j = 0; j < posterior.length; j++) {
      if (x >= lo[j] && x < hi[j]) {
        double sd = posterior[j].sd;
        width = Math.min(width, Math.max(CORE_WIDTH * sd, Math.abs(x - posterior[j].mean) / TAIL_GROWTH));
      }
    }
    return width;
  }

  /**
   * The n-point Gauss-Legendre rule on [-1, 1]: the roots of the Legendre polynomial P_n by Newton's method from
   * Tricomi's estimate cos(π(i − ¼)/(n + ½)), and the weights 2 / ((1 − x²)·P_n'(x)²).
   */
  static void legendre(int n, double[] nodes, double[] weights) {
    for (int i = 0; i < (n + 1) / 2; i++) {
      double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
      double derivative = 0;
      for (int iteration = 0; iteration < 100; iteration++) {
        // P_n(x) by the three-term recurrence (m+1)P_{m+1} = (2m+1)x P_m − m P_{m−1}.
        double previous = 1;
        double current = x;
        for (int m = 1; m < n; m++) {
          double next = ((2 * m + 1) * x * current - m * previous) / (m + 1);
          previous = current;
          current = next;
        }
        derivative = n * (x * current - previous) / (x * x - 1);
        double dx = current / derivative;
        x -= dx;
        if (Math.abs(dx) < 1e-16) {
          break;
        }
      }
      double weight = 2 / ((1 - x * x) * derivative * derivative);
      // Symmetric about 0: fill both ends so that the rule is exactly symmetric.
      nodes[i] = -x;
      nodes[n - 1 - i] = x;
      weights[i] = weight;
      weights[n - 1 - i] = weight;
    }
    if (n % 2 == 1) {
      nodes[n / 2] = 0;
    }
  }

  /** The rule's nodes and weights, for the tests. */
  static double[][] rule() {
    return new double[][] {Arrays.copyOf(NODES, POINTS), Arrays.copyOf(WEIGHTS, POINTS)};
  }
}
