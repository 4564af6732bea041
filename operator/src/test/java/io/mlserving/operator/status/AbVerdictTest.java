package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlserving.operator.status.AbVerdict.Reason;
import io.mlserving.operator.status.AbVerdict.VariantStats;
import io.mlserving.operator.status.AbVerdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The A/B verdict from request counts and probabilities of being best, as a table. */
class AbVerdictTest {
  static VariantStats v(String name, long requests) {
    return new VariantStats(name, requests, requests * 9 / 10, 120.0);
  }

  static Arguments row(String what, List<VariantStats> variants, double[] p, double confidence, long minRequests,
      Verdict expected) {
    return Arguments.of(what, variants, p, confidence, minRequests, expected);
  }

  static Stream<Arguments> table() {
    List<VariantStats> enough = List.of(v("stable", 1200), v("candidate", 1200));
    return Stream.of(
        row("a clear winner", enough, new double[] {0.013, 0.987}, 0.95, 100,
            new Verdict("candidate", 0.987, Reason.Winner,
                "candidate is best with probability 0.987 (≥ 0.95) after 2400 requests")),
        row("a leader short of the confidence", enough, new double[] {0.28, 0.72}, 0.95, 100,
            new Verdict(null, 0.72, Reason.NoWinnerYet,
                "candidate leads with probability 0.720 (< 0.95 needed) after 2400 requests")),
        row("exactly the confidence wins", enough, new double[] {0.05, 0.95}, 0.95, 100,
            new Verdict("candidate", 0.95, Reason.Winner,
                "candidate is best with probability 0.950 (≥ 0.95) after 2400 requests")),
        row("just below is not shown as the confidence", enough, new double[] {0.0504, 0.9496}, 0.95, 100,
            new Verdict(null, 0.949, Reason.NoWinnerYet,
                "candidate leads with probability 0.949 (< 0.95 needed) after 2400 requests")),
        row("a winner is never shown below a finer confidence", enough, new double[] {0.00058, 0.99942}, 0.9994, 100,
            new Verdict("candidate", 1.0, Reason.Winner,
                "candidate is best with probability 1.000 (≥ 0.9994) after 2400 requests")),
        row("one variant short of minRequests", List.of(v("stable", 1200), v("candidate", 42)),
            new double[] {0.999, 0.001}, 0.95, 100,
            new Verdict(null, 0.999, Reason.InsufficientData, "candidate has 42 requests, fewer than minRequests 100")),
        row("every short variant is named", List.of(v("stable", 17), v("candidate", 1), v("c", 500)),
            new double[] {0.2, 0.3, 0.5}, 0.95, 100,
            new Verdict(null, 0.5, Reason.InsufficientData,
                "stable has 17 requests and candidate has 1 request, fewer than minRequests 100")),
        row("exactly minRequests is enough", List.of(v("stable", 100), v("candidate", 100)),
            new double[] {0.5, 0.5}, 0.95, 100,
            new Verdict(null, 0.5, Reason.NoWinnerYet,
                "stable and candidate are level with probability 0.500 each (< 0.95 needed) after 200 requests")),
        row("minRequests 0 still needs one request", List.of(v("stable", 1000), v("candidate", 0)),
            new double[] {0.999, 0.001}, 0.95, 0,
            new Verdict(null, 0.999, Reason.InsufficientData,
                "candidate has 0 requests: every variant needs at least one request to be judged")),
        row("level leaders at a confidence of one half are no winner", enough, new double[] {0.5, 0.5}, 0.5, 100,
            new Verdict(null, 0.5, Reason.NoWinnerYet,
                "stable and candidate are level with probability 0.500 each after 2400 requests: a winner must lead"
                    + " alone")),
        row("the third of three", List.of(v("a", 300), v("b", 300), v("c", 400)), new double[] {0.01, 0.02, 0.97},
            0.95, 100, new Verdict("c", 0.97, Reason.Winner, "c is best with probability 0.970 (≥ 0.95) after 1000 requests")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void verdicts(String what, List<VariantStats> variants, double[] p, double confidence, long minRequests,
      Verdict expected) {
    assertThat(AbVerdict.verdict(variants, p, confidence, minRequests)).isEqualTo(expected);
  }

  @Test
  void fromCountsThroughTheBayesianProbability() {
    List<VariantStats> variants = List.of(new VariantStats("stable", 1000, 900, 110.0),
        new VariantStats("candidate", 1000, 1000, 95.0));
    double[] p = BayesianBest.probabilityBest(successes(variants), failures(variants));
    Verdict verdict = AbVerdict.verdict(variants, p, AbVerdict.DEFAULT_CONFIDENCE, AbVerdict.DEFAULT_MIN_REQUESTS);
    assertThat(verdict.reason()).isEqualTo(Reason.Winner);
    assertThat(verdict.winner()).isEqualTo("candidate");
    assertThat(verdict.probability()).isEqualTo(1.0);
  }

  @Test
  void equalVariantsHaveNoWinnerYet() {
    List<VariantStats> variants = List.of(new VariantStats("a", 5000, 4900, null),
        new VariantStats("b", 5000, 4900, null), new VariantStats("c", 5000, 4900, null));
    double[] p = BayesianBest.probabilityBest(successes(variants), failures(variants));
    Verdict verdict = AbVerdict.verdict(variants, p, 0.95, 100);
    assertThat(verdict.reason()).isEqualTo(Reason.NoWinnerYet);
    assertThat(verdict.winner()).isNull();
    assertThat(verdict.probability()).isEqualTo(0.333);
  }

  @Test
  void theContractsDefaults() {
    assertThat(AbVerdict.DEFAULT_CONFIDENCE).isEqualTo(0.95);
    assertThat(AbVerdict.DEFAULT_MIN_REQUESTS).isEqualTo(100);
    assertThat(Stream.of(Reason.values()).map(Enum::name)).containsExactly("InsufficientData", "NoWinnerYet", "Winner");
  }

  @Test
  void refusesInconsistentInput() {
    List<VariantStats> two = List.of(v("a", 200), v("b", 200));
    assertThatThrownBy(() -> AbVerdict.verdict(two, new double[] {1}, 0.95, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbVerdict.verdict(List.of(v("a", 200)), new double[] {1}, 0.95, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbVerdict.verdict(two, new double[] {0.5, 0.5}, 0, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbVerdict.verdict(two, new double[] {0.5, 0.5}, 1.5, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbVerdict.verdict(two, new double[] {0.5, 0.5}, 0.95, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static long[] successes(List<VariantStats> variants) {
    return variants.stream().mapToLong(VariantStats::successes).toArray();
  }

  static long[] failures(List<VariantStats> variants) {
    List<Long> out = new ArrayList<>();
    variants.forEach(x -> out.add(x.requests() - x.successes()));
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
