package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Beta posterior's log-gamma, density and incomplete beta function, against independent computations. */
class BetaTest {
  @Test
  void logGammaMatchesFactorialsAndTheHalfInteger() {
    double lnFactorial = 0;   // ln((n−1)!) by sums, for Γ(n)
    for (int n = 1; n <= 200; n++) {
      if (n > 1) {
        lnFactorial += Math.log(n - 1);
      }
      assertThat(Beta.logGamma(n)).as("lnΓ(%d)", n).isCloseTo(lnFactorial, within(1e-12 * Math.max(1, lnFactorial)));
    }
    assertThat(Beta.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-14));
    // Γ(3.5) = 15√π / 8.
    assertThat(Beta.logGamma(3.5)).isCloseTo(Math.log(15 * Math.sqrt(Math.PI) / 8), within(1e-14));
  }

  @Test
  void theStirlingRemainderIsAboutOneTwelfthOverZ() {
    for (double z : new double[] {10, 1e3, 1e6, 1e9}) {
      assertThat(Beta.stirlingCorrection(z)).isCloseTo(1 / (12 * z), within(1 / (300 * z * z * z)));
    }
  }

  @ParameterizedTest(name = "I_{0}({1}, {2})")
  @CsvSource({
      "0.5, 1, 1",
      "0.3, 2, 3",
      "0.7, 2, 3",
      "0.05, 1, 40",
      "0.9, 30, 4",
      "0.45, 50, 60",
      "0.46, 500, 600",
      "0.999, 800, 2",
  })
  void incompleteBetaIsABinomialTail(double x, int a, int b) {
    // For integers, I_x(a, b) = P(Binomial(a+b−1, x) ≥ a), summed exactly in decimal arithmetic: in log space the
    // factorials near ln(1099!) = 6600 would leave the reference itself wrong by 10^-12.
    int n = a + b - 1;
    MathContext precision = new MathContext(50);
    BigDecimal p = new BigDecimal(x);
    BigDecimal q = BigDecimal.ONE.subtract(p);
    BigDecimal[] qPower = new BigDecimal[n + 1];
    qPower[0] = BigDecimal.ONE;
    for (int i = 1; i <= n; i++) {
      qPower[i] = qPower[i - 1].multiply(q, precision);
    }
    BigDecimal tail = BigDecimal.ZERO;
    BigDecimal pPower = p.pow(a, precision);
    BigInteger choose = binomial(n, a);
    for (int j = a; j <= n; j++) {
      tail = tail.add(new BigDecimal(choose).multiply(pPower).multiply(qPower[n - j]), precision);
      pPower = pPower.multiply(p, precision);
      choose = choose.multiply(BigInteger.valueOf(n - j)).divide(BigInteger.valueOf(j + 1));
    }
    assertThat(new Beta(a, b).cdf(x)).isCloseTo(tail.doubleValue(), within(1e-14));
  }

  static BigInteger binomial(int n, int k) {
    BigInteger out = BigInteger.ONE;
    for (int i = 1; i <= k; i++) {
      out = out.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
    }
    return out;
  }

  @Test
  void atABillionRequestsTheDistributionFunctionIsTheIntegralOfTheDensity() {
    Beta posterior = new Beta(1 + 900_000_000.0, 1 + 100_000_000.0);
    double from = posterior.mean - 3 * posterior.sd;
    double to = posterior.mean + 2 * posterior.sd;
    int steps = 20_000;
    double h = (to - from) / steps;
    double integral = 0;
    for (int i = 0; i <= steps; i++) {
      double weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
      integral += weight * posterior.density(from + i * h);
    }
    integral *= h / 3;
    // About Φ(2) − Φ(−3) = 0.97590 for so peaked a Beta.
    assertThat(integral).isCloseTo(0.9759, within(1e-3));
    assertThat(posterior.cdf(to) - posterior.cdf(from)).isCloseTo(integral, within(1e-9));
  }

  @Test
  void theDensityOfAUniformIsOneAndOfBetaOneNIsExponential() {
    assertThat(new Beta(1, 1).density(0.37)).isCloseTo(1, within(1e-14));
    Beta exponential = new Beta(1, 1_000_001);
    // f(x) = n (1−x)^(n−1) with n = 1,000,001.
    double x = 2e-6;
    assertThat(exponential.density(x)).isCloseTo(1_000_001 * Math.exp(1_000_000 * Math.log1p(-x)),
        within(1e-9 * exponential.density(x)));
    assertThat(exponential.cdf(x)).isCloseTo(-Math.expm1(1_000_001 * Math.log1p(-x)), within(1e-12));
  }

  @Test
  void parametersBelowOneAreRefused() {
    assertThatThrownBy(() -> new Beta(0.5, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Beta(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
