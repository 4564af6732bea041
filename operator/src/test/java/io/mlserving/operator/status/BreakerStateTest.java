package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.status.BreakerState.Observed;
import io.mlserving.operator.status.BreakerState.Result;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CircuitOpen judgement from overflow, no-healthy-upstream and ejection counts, as a table. */
class BreakerStateTest {
  static final String HINT = "ejected endpoints unknown: the sidecars do not export Envoy's outlier-detection stats"
      + " (envoy_cluster_outlier_detection_ejections_active); to export them, give the client pods the annotation"
      + " proxy.istio.io/config: '{\"proxyStatsMatcher\":{\"inclusionRegexps\":[\".*outlier_detection.*\"]}}', or set"
      + " the same proxyStatsMatcher mesh-wide in meshConfig.defaultConfig, then restart the pods";

  static Arguments row(Long overflowing, Long noHealthy, Long ejections, boolean open, String reason, String message) {
    return Arguments.of(new Observed(overflowing, noHealthy, ejections), open, reason, message);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        row(0L, 0L, 0L, false, "Closed", "0 requests refused by the connection pool (UO) and 0 requests with no"
            + " healthy upstream (UH) in the analysis window; 0 endpoints ejected by outlier detection"),
        row(3L, 0L, 0L, true, "Overflowing", "3 requests refused by the connection pool (UO) and 0 requests with no"
            + " healthy upstream (UH) in the analysis window; 0 endpoints ejected by outlier detection"),
        row(0L, 1L, 0L, true, "NoHealthyUpstream", "0 requests refused by the connection pool (UO) and 1 request with"
            + " no healthy upstream (UH) in the analysis window; 0 endpoints ejected by outlier detection"),
        row(0L, 0L, 1L, true, "Ejecting", "0 requests refused by the connection pool (UO) and 0 requests with no"
            + " healthy upstream (UH) in the analysis window; 1 endpoint ejected by outlier detection"),
        row(12L, 4L, 2L, true, "Overflowing", "12 requests refused by the connection pool (UO) and 4 requests with no"
            + " healthy upstream (UH) in the analysis window; 2 endpoints ejected by outlier detection"),
        row(0L, 7L, 2L, true, "NoHealthyUpstream", "0 requests refused by the connection pool (UO) and 7 requests"
            + " with no healthy upstream (UH) in the analysis window; 2 endpoints ejected by outlier detection"),
        row(0L, 0L, null, false, "Closed", "0 requests refused by the connection pool (UO) and 0 requests with no"
            + " healthy upstream (UH) in the analysis window; " + HINT),
        row(5L, 0L, null, true, "Overflowing", "5 requests refused by the connection pool (UO) and 0 requests with no"
            + " healthy upstream (UH) in the analysis window; " + HINT),
        row(null, null, 0L, false, "Closed", "an unknown number of requests refused by the connection pool (UO) and"
            + " an unknown number of requests with no healthy upstream (UH) in the analysis window; 0 endpoints"
            + " ejected by outlier detection"),
        row(null, 2L, null, true, "NoHealthyUpstream", "an unknown number of requests refused by the connection pool"
            + " (UO) and 2 requests with no healthy upstream (UH) in the analysis window; " + HINT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void judgements(Observed observed, boolean open, String reason, String message) {
    assertThat(BreakerState.open(observed)).isEqualTo(new Result(open, reason, message));
  }

  @Test
  void theHintIsTheConstantAndNamesBothWaysToEnableTheStats() {
    assertThat(BreakerState.ENABLE_OUTLIER_STATS).isEqualTo(HINT)
        .contains("proxy.istio.io/config", "meshConfig.defaultConfig", ".*outlier_detection.*");
  }
}
