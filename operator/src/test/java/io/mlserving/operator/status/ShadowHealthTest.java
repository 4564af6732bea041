package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlserving.operator.status.ShadowHealth.Result;
import io.mlserving.operator.status.ShadowHealth.Side;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The shadow against the primary: the success-rate drop and latency ratio bounds, as a table. */
class ShadowHealthTest {
  static final Side PRIMARY = new Side(5000, 99.4, 200.0);

  static Arguments row(String what, Side primary, Side shadow, Boolean healthy, String reason, String message) {
    return Arguments.of(what, primary, shadow, healthy, reason, message);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        row("within both bounds", PRIMARY, new Side(4900, 99.3, 210.0), true, "ShadowHealthy",
            "shadow success rate 99.3 % is within 1 point of the primary's 99.4 %; shadow p99 latency 210 ms is within"
                + " 1.5 × the primary's 200 ms"),
        row("success rate dropped", PRIMARY, new Side(4900, 97.1, 210.0), false, "SuccessRateDropped",
            "shadow success rate 97.1 % is more than 1 point below the primary's 99.4 % (bound 98.4 %)"),
        row("exactly the drop bound is healthy", PRIMARY, new Side(4900, 98.4, 210.0), true, "ShadowHealthy",
            "shadow success rate 98.4 % is within 1 point of the primary's 99.4 %; shadow p99 latency 210 ms is within"
                + " 1.5 × the primary's 200 ms"),
        row("a hundredth below the drop bound", PRIMARY, new Side(4900, 98.39, 210.0), false, "SuccessRateDropped",
            "shadow success rate 98.39 % is more than 1 point below the primary's 99.4 % (bound 98.4 %)"),
        row("judged as shown: 98.3951 shows as 98.4", PRIMARY, new Side(4900, 98.3951, 210.0), true, "ShadowHealthy",
            "shadow success rate 98.4 % is within 1 point of the primary's 99.4 %; shadow p99 latency 210 ms is within"
                + " 1.5 × the primary's 200 ms"),
        row("exactly the latency bound is healthy", PRIMARY, new Side(4900, 99.4, 300.0), true, "ShadowHealthy",
            "shadow success rate 99.4 % is within 1 point of the primary's 99.4 %; shadow p99 latency 300 ms is within"
                + " 1.5 × the primary's 200 ms"),
        row("latency too high", PRIMARY, new Side(4900, 99.5, 300.1), false, "LatencyTooHigh",
            "shadow p99 latency 300.1 ms is more than 1.5 × the primary's 200 ms (bound 300 ms)"),
        row("both broken: the success rate first, both named", PRIMARY, new Side(4900, 90.0, 512.0), false,
            "SuccessRateDropped", "shadow success rate 90 % is more than 1 point below the primary's 99.4 % (bound"
                + " 98.4 %); shadow p99 latency 512 ms is more than 1.5 × the primary's 200 ms (bound 300 ms)"),
        row("no mirrored requests yet", PRIMARY, new Side(0, null, null), null, "InsufficientData",
            "the shadow has no requests in the analysis window"),
        row("no primary requests", new Side(0, null, null), new Side(10, 99.0, 100.0), null, "InsufficientData",
            "the primary has no requests in the analysis window"),
        row("no requests at all", new Side(0, null, null), new Side(0, null, null), null, "InsufficientData",
            "neither the primary nor the shadow has requests in the analysis window"),
        row("no shadow latency, success rate fine", PRIMARY, new Side(4900, 99.4, null), null, "InsufficientData",
            "no p99 latency for the shadow in the analysis window"),
        row("no latency at all and NaN success rates", new Side(10, Double.NaN, null), new Side(10, Double.NaN, null),
            null, "InsufficientData",
            "no success rate for either side and no p99 latency for either side in the analysis window"),
        row("a known drop needs no latency", PRIMARY, new Side(4900, 95.0, null), false, "SuccessRateDropped",
            "shadow success rate 95 % is more than 1 point below the primary's 99.4 % (bound 98.4 %)"),
        row("a known latency breach needs no success rate", new Side(5000, null, 200.0), new Side(4900, 99.0, 450.0),
            false, "LatencyTooHigh", "shadow p99 latency 450 ms is more than 1.5 × the primary's 200 ms (bound 300 ms)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void withTheContractsDefaults(String what, Side primary, Side shadow, Boolean healthy, String reason,
      String message) {
    Result result = ShadowHealth.healthy(primary, shadow, ShadowHealth.DEFAULT_MAX_SUCCESS_RATE_DROP,
        ShadowHealth.DEFAULT_MAX_LATENCY_RATIO);
    assertThat(result).isEqualTo(new Result(healthy, reason, message));
  }

  @Test
  void otherBoundsAreNamedAsGiven() {
    assertThat(ShadowHealth.healthy(PRIMARY, new Side(4900, 96.9, 240.0), 2.5, 1.2)).isEqualTo(new Result(true,
        "ShadowHealthy", "shadow success rate 96.9 % is within 2.5 points of the primary's 99.4 %; shadow p99 latency"
            + " 240 ms is within 1.2 × the primary's 200 ms"));
    assertThat(ShadowHealth.healthy(PRIMARY, new Side(4900, 96.8, 250.0), 2.5, 1.2)).isEqualTo(new Result(false,
        "SuccessRateDropped", "shadow success rate 96.8 % is more than 2.5 points below the primary's 99.4 % (bound"
            + " 96.9 %); shadow p99 latency 250 ms is more than 1.2 × the primary's 200 ms (bound 240 ms)"));
  }

  @Test
  void defaultsAreTheContracts() {
    assertThat(ShadowHealth.DEFAULT_MAX_SUCCESS_RATE_DROP).isEqualTo(1);
    assertThat(ShadowHealth.DEFAULT_MAX_LATENCY_RATIO).isEqualTo(1.5);
  }

  @Test
  void refusesBoundsThatAreNot() {
    Side shadow = new Side(1, 99.0, 1.0);
    assertThatThrownBy(() -> ShadowHealth.healthy(PRIMARY, shadow, -1, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ShadowHealth.healthy(PRIMARY, shadow, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ShadowHealth.healthy(PRIMARY, shadow, Double.NaN, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
