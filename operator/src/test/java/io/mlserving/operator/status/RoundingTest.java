package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How analysis values are shown: percent to 2 decimals, ms to 1, probabilities to 3, counts whole, half-up. */
class RoundingTest {
  @ParameterizedTest(name = "{0} % → {1}")
  @CsvSource({"99.4567, 99.46", "99.454, 99.45", "99.995, 100.0", "0.125, 0.13", "1.005, 1.01", "100, 100", "0, 0"})
  void percent(double value, double shown) {
    assertThat(Rounding.percent(value)).isEqualTo(shown);
  }

  @ParameterizedTest(name = "{0} ms → {1}")
  @CsvSource({"212.45, 212.5", "212.44, 212.4", "0.05, 0.1", "1499.96, 1500.0", "3, 3"})
  void ms(double value, double shown) {
    assertThat(Rounding.ms(value)).isEqualTo(shown);
  }

  @ParameterizedTest(name = "p {0} → {1}")
  @CsvSource({"0.9875, 0.988", "0.98749, 0.987", "0.0005, 0.001", "0.99951, 1.0", "0.333333, 0.333", "1, 1"})
  void probability(double value, double shown) {
    assertThat(Rounding.probability(value)).isEqualTo(shown);
  }

  @ParameterizedTest(name = "{0} requests → {1}")
  @CsvSource({"99.5, 100", "99.4999, 99", "0, 0", "0.4, 0", "1234567890.6, 1234567891"})
  void count(double value, long shown) {
    assertThat(Rounding.count(value)).isEqualTo(shown);
  }

  @Test
  void noiseBelowTheShownPrecisionShowsTheSameValue() {
    assertThat(Rounding.percent(99.4549)).isEqualTo(Rounding.percent(99.4501));
    assertThat(Rounding.ms(212.449)).isEqualTo(Rounding.ms(212.351));
    assertThat(Rounding.probability(0.95049)).isEqualTo(Rounding.probability(0.9495));
    assertThat(Rounding.count(1000.3)).isEqualTo(Rounding.count(999.6));
  }

  @Test
  void valuesWithoutADecimalFormPassThroughAndAreNoCount() {
    assertThat(Rounding.percent(Double.NaN)).isNaN();
    assertThat(Rounding.ms(Double.POSITIVE_INFINITY)).isInfinite();
    assertThatThrownBy(() -> Rounding.count(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void messagesReadAsTheStatusValues() {
    assertThat(Rounding.text(99.40)).isEqualTo("99.4");
    assertThat(Rounding.text(100.0)).isEqualTo("100");
    assertThat(Rounding.text(1.5)).isEqualTo("1.5");
    assertThat(Rounding.probabilityText(0.95)).isEqualTo("0.950");
    assertThat(Rounding.probabilityText(1)).isEqualTo("1.000");
  }
}
