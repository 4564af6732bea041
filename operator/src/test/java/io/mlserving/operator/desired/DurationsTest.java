package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "24h,      PT24H",
      "90m,      PT1H30M",
      "1h30m,    PT1H30M",
      "1.5h,     PT1H30M",
      "5s,       PT5S",
      "500ms,    PT0.5S",
      "1m30s,    PT1M30S",
      "1h0m0s,   PT1H",
      "2us,      PT0.000002S",
      "2µs,      PT0.000002S",
      "7ns,      PT0.000000007S",
      "0.5s,     PT0.5S",
      "1s500ms,  PT1.5S",
      "0s,       PT0S"})
  void parsesGoDurations(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({"24h, 86400", "90m, 5400", "1.5h, 5400", "1500ms, 1", "999ms, 0", "168h, 604800", "1m1s, 61"})
  void secondsRoundDown(String text, long seconds) {
    assertThat(Durations.seconds(text)).isEqualTo(seconds);
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "s", "5 s", "-5s", "5d", "1h 30m", "5sx", ".5s", "1.s", "PT5S"})
  void rejectsWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  void rejectsNothing(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
