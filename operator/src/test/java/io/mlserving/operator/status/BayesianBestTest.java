package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P(variant is best) under Beta(1 + successes, 1 + failures) posteriors, against values computed here without the
 * production code: the closed form for two variants (with log-gamma of integers as sums of logarithms), a normal
 * approximation for large counts, and cases known exactly.
 */
class BayesianBestTest {
  /** ln((n)!) for n up to the table's size: sums of logarithms, independent of the production log-gamma. */
  private static final double[] LN_FACTORIAL = new double[60_001];

  static {
    for (int n = 2; n < LN_FACTORIAL.length; n++) {
      LN_FACTORIAL[n] = LN_FACTORIAL[n - 1] + Math.log(n);
    }
  }

  /** ln Γ(n) = ln((n−1)!) for an integer n ≥ 1. */
  static double lnGamma(long n) {
    return LN_FACTORIAL[(int) (n - 1)];
  }

  static double lnBeta(long a, long b) {
    return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
  }

  /**
   * P(rate B > rate A), A ~ Beta(aA, bA), B ~ Beta(aB, bB), integer parameters: the closed form
   * Σ_{i=0}^{aB−1} B(aA+i, bA+bB) / ((bB+i)·B(1+i, bB)·B(aA, bA)), each term in log space.
   */
  static double closedForm(long successesA, long failuresA, long successesB, long failuresB) {
    long aA = 1 + successesA;
    long bA = 1 + failuresA;
    long aB = 1 + successesB;
    long bB = 1 + failuresB;
    double sum = 0;
    for (long i = 0; i < aB; i++) {
      sum += Math.exp(lnBeta(aA + i, bA + bB) - Math.log(bB + i) - lnBeta(1 + i, bB) - lnBeta(aA, bA));
    }
    return sum;
  }

  /** The standard normal distribution function by Simpson's rule on the density from −40 (error below 10^-12). */
  static double normalCdf(double z) {
    double from = -40;
    int steps = 200_000;
    double h = (z - from) / steps;
    double sum = 0;
    for (int i = 0; i <= steps; i++) {
      double x = from + i * h;
      double weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
      sum += weight * Math.exp(-x * x / 2);
    }
    return sum * h / 3 / Math.sqrt(2 * Math.PI);
  }

  static double[] best(long[] successes, long[] failures) {
    return BayesianBest.probabilityBest(successes, failures);
  }

  static double sum(double[] values) {
    return Arrays.stream(values).sum();
  }

  @ParameterizedTest(name = "A {0}/{1}, B {2}/{3}")
  @CsvSource({
      // successes A, failures A, successes B, failures B
      "0, 0, 0, 0",
      "1, 0, 0, 1",
      "3, 2, 5, 1",
      "10, 5, 12, 3",
      "0, 10, 1, 9",
      "20, 30, 25, 30",
      "50, 50, 60, 40",
      "7, 93, 2, 98",
      "99, 1, 95, 5",
      "0, 0, 40, 2",
      "1800, 200, 1830, 170",
      "450, 4550, 520, 4480",
  })
  void twoVariantsMatchTheClosedForm(long successesA, long failuresA, long successesB, long failuresB) {
    double[] p = best(new long[] {successesA, successesB}, new long[] {failuresA, failuresB});
    double expected = closedForm(successesA, failuresA, successesB, failuresB);
    assertThat(p[1]).isCloseTo(expected, within(1e-9));
    assertThat(p[0]).isCloseTo(1 - expected, within(1e-9));
  }

  @ParameterizedTest(name = "{0} requests each, rates {1} and {2}")
  @CsvSource({
      "1000000, 0.9, 0.9003",
      "1000000, 0.99, 0.9901",
      "1000000, 0.5, 0.4995",
      "100000000, 0.999, 0.999003",
      "1000000000, 0.95, 0.95001",
  })
  void largeCountsFollowTheNormalApproximation(long requests, double rateA, double rateB) {
    long successesA = Math.round(requests * rateA);
    long successesB = Math.round(requests * rateB);
    double[] p = best(new long[] {successesA, successesB}, new long[] {requests - successesA, requests - successesB});
    // Normal posteriors: mean (1+s)/(2+n), variance mean·(1−mean)/(3+n); B − A is normal too.
    double meanA = (1.0 + successesA) / (2.0 + requests);
    double meanB = (1.0 + successesB) / (2.0 + requests);
    double variance = meanA * (1 - meanA) / (3.0 + requests) + meanB * (1 - meanB) / (3.0 + requests);
    double expected = normalCdf((meanB - meanA) / Math.sqrt(variance));
    assertThat(expected).as("a case that is not already decided").isBetween(0.05, 0.95);
    assertThat(p[1]).isCloseTo(expected, within(1e-3));
  }

  @Test
  void noDataAtAllIsATossUp() {
    assertThat(best(new long[] {0, 0}, new long[] {0, 0})).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
  }

  @Test
  void allSuccessesAgainstNinetyPercentIsCertain() {
    double[] p = best(new long[] {1000, 900}, new long[] {0, 100});
    assertThat(p[0]).isCloseTo(1.0, within(1e-12));
    assertThat(p[1]).isLessThan(1e-12).isNotNegative();
  }

  @Test
  void equalVariantsShareTheProbabilityEqually() {
    assertThat(best(new long[] {5, 5, 5}, new long[] {7, 7, 7})).containsExactly(
        new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, within(1e-12));
    long[] successes = new long[10];
    long[] failures = new long[10];
    Arrays.fill(successes, 990_000);
    Arrays.fill(failures, 10_000);
    double[] ten = best(successes, failures);
    for (double p : ten) {
      assertThat(p).isCloseTo(0.1, within(1e-12));
    }
  }

  @Test
  void aPeakedPosteriorAgainstAUniformOneIsResolved() {
    // 10^9 requests at a rate of one half (standard deviation 1.6·10^-5) against no data: P(U > 0.5) = 1/2.
    double[] p = best(new long[] {500_000_000L, 0}, new long[] {500_000_000L, 0});
    assertThat(p).containsExactly(new double[] {0.5, 0.5}, within(1e-9));
  }

  @Test
  void rareSuccessesAtAHugeCountFollowTheGammaLimit() {
    // With a billion failures, rates of Beta(1, n) and Beta(4, n) are Gamma(1)/n and Gamma(4)/n to 10^-9:
    // P(Gamma(4) > Gamma(1)) = 1 − (1/2)^4 = 0.9375. Posteriors of width 10^-9 pressed against 0.
    double[] p = best(new long[] {0, 3}, new long[] {1_000_000_000L, 1_000_000_000L});
    assertThat(p[1]).isCloseTo(0.9375, within(1e-6));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(new long[] {0, 0}, new long[] {0, 0}),
        Arguments.of(new long[] {3, 5}, new long[] {2, 1}),
        Arguments.of(new long[] {1000, 900}, new long[] {0, 100}),
        Arguments.of(new long[] {500_000_000L, 0}, new long[] {500_000_000L, 0}),
        Arguments.of(new long[] {0, 3}, new long[] {1_000_000_000L, 1_000_000_000L}),
        Arguments.of(new long[] {900_000_000L, 900_010_000L}, new long[] {100_000_000L, 99_990_000L}),
        // Widths from a uniform to 10^-5, means from 0.5 to 0.9.
        Arguments.of(new long[] {0, 10, 900_000, 900_000_000L}, new long[] {0, 2, 100_000, 100_000_000L}),
        Arguments.of(new long[] {0, 0, 0}, new long[] {0, 1, 1_000_000_000L}),
        Arguments.of(new long[] {999_999_999L, 1_000_000_000L}, new long[] {1, 0}),
        Arguments.of(tenVariants(1_000_000, 950_000, 150)[0], tenVariants(1_000_000, 950_000, 150)[1]),
        Arguments.of(tenVariants(1_000_000_000L, 950_000_000L, 1500)[0],
            tenVariants(1_000_000_000L, 950_000_000L, 1500)[1]));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theIntegralsSumToOneBeforeRenormalising(long[] successes, long[] failures) {
    assertThat(sum(BayesianBest.unnormalised(successes, failures))).isCloseTo(1.0, within(1e-6));
    double[] p = best(successes, failures);
    assertThat(sum(p)).isCloseTo(1.0, within(1e-15));
    for (double v : p) {
      assertThat(v).isBetween(0.0, 1.0);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void twoCallsGiveTheSameNumbers(long[] successes, long[] failures) {
    assertThat(best(successes, failures)).containsExactly(best(successes.clone(), failures.clone()));
  }

  @Test
  void permutingTheVariantsPermutesTheResult() {
    long[] successes = {0, 10, 900_000, 900_000_000L};
    long[] failures = {0, 2, 100_000, 100_000_000L};
    double[] reference = best(successes, failures);
    for (int[] order : permutations(4)) {
      long[] s = new long[4];
      long[] f = new long[4];
      for (int i = 0; i < 4; i++) {
        s[i] = successes[order[i]];
        f[i] = failures[order[i]];
      }
      double[] p = best(s, f);
      for (int i = 0; i < 4; i++) {
        assertThat(p[i]).as("order %s, position %d", Arrays.toString(order), i)
            .isCloseTo(reference[order[i]], within(1e-12));
      }
    }
  }

  @Test
  void swappingTwoVariantsSwapsTheirProbabilities() {
    double[] ab = best(new long[] {120, 135}, new long[] {880, 865});
    double[] ba = best(new long[] {135, 120}, new long[] {865, 880});
    assertThat(ba).containsExactly(new double[] {ab[1], ab[0]}, within(1e-12));
  }

  @Test
  void tenVariantsOfAMillionRequestsTakeWellUnderTenMilliseconds() {
    long[][] input = tenVariants(1_000_000, 950_000, 150);
    for (int i = 0; i < 20; i++) {
      best(input[0], input[1]);   // let the JIT compile it
    }
    // The best of several runs: the machine is shared, and what is measured is the work, not the scheduler.
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      best(input[0], input[1]);
      fastest = Math.min(fastest, System.nanoTime() - start);
    }
    assertThat(fastest / 1e6).as("milliseconds").isLessThan(10);
  }

  @Test
  void refusesWhatIsNotATest() {
    assertThatThrownBy(() -> best(new long[] {1}, new long[] {1})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least two");
    assertThatThrownBy(() -> best(new long[] {1, 2}, new long[] {1})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> best(new long[] {1, -2}, new long[] {1, 1})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("variant 1");
    assertThatThrownBy(() -> best(new long[] {1, BayesianBest.MAX_COUNT + 1}, new long[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theGaussLegendreRuleIsExactForPolynomialsOfDegreeFifteen() {
    double[][] rule = BayesianBest.rule();
    for (int degree = 0; degree <= 15; degree++) {
      double integral = 0;
      for (int i = 0; i < rule[0].length; i++) {
        integral += rule[1][i] * Math.pow(rule[0][i], degree);
      }
      double exact = degree % 2 == 1 ? 0 : 2.0 / (degree + 1);
      assertThat(integral).as("∫ x^%d over [-1, 1]", degree).isCloseTo(exact, within(1e-14));
    }
  }

  /** Ten variants of {@code requests} each, successes from {@code first} rising by {@code step}. */
  static long[][] tenVariants(long requests, long first, long step) {
    long[] successes = new long[10];
    long[] failures = new long[10];
    for (int i = 0; i < 10; i++) {
      successes[i] = first + i * step;
      failures[i] = requests - successes[i];
    }
    return new long[][] {successes, failures};
  }

  static List<int[]> permutations(int n) {
    List<int[]> out = new ArrayList<>();
    permute(new int[n], new boolean[n], 0, out);
    return out;
  }

  private static void permute(int[] current, boolean[] used, int at, List<int[]> out) {
    if (at == current.length) {
      out.add(current.clone());
      return;
    }
    for (int i = 0; i < current.length; i++) {
      if (!used[i]) {
        used[i] = true;
        current[at] = i;
        permute(current, used, at + 1, out);
        used[i] = false;
      }
    }
  }
}
