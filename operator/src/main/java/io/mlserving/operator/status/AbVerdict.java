package io.mlserving.operator.status;

import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict of an ABTest's live analysis: which variant wins, if any, from each variant's request count and its
 * Bayesian probability of being best ({@link BayesianBest}). Pure.
 */
public final class AbVerdict {
  /** The default of spec.analysis.confidence: a winner needs this probability of being best (contract). */
  public static final double DEFAULT_CONFIDENCE = ABTestAnalysis.DEFAULT_CONFIDENCE;
  /** The default of spec.analysis.minRequests: no verdict until every variant has this many requests (contract). */
  public static final long DEFAULT_MIN_REQUESTS = ABTestAnalysis.DEFAULT_MIN_REQUESTS;

  private AbVerdict() {}

  /**
   * What Prometheus says about one variant over the analysis window.
   *
   * @param name the variant's name in the ABTest
   * @param requests requests in the window
   * @param successes requests that succeeded (not 5xx)
   * @param latencyP99Ms the 99th percentile latency in milliseconds; null when Prometheus has none
   */
  public record VariantStats(String name, long requests, long successes, Double latencyP99Ms) {}

  /** The reason of a verdict, CamelCase as the contract names it (status.analysis.verdict.reason). */
  public enum Reason {
    /** A variant has fewer than minRequests requests: too early to judge. */
    InsufficientData,
    /** Every variant has enough requests, but none is best with the required confidence. */
    NoWinnerYet,
    /** One variant is best with at least the required confidence. */
    Winner
  }

  /**
   * The verdict.
   *
   * @param winner the winning variant's name; null unless {@code reason} is Winner
   * @param probability the winner's (else the leader's) probability of being best, to 3 decimals as shown; for Winner
   *     and NoWinnerYet rounded away from the confidence, so that a shown 0.950 is never a NoWinnerYet under 0.95
   * @param reason why
   * @param message for people: names the variants and numbers behind the reason
   */
  public record Verdict(String winner, double probability, Reason reason, String message) {}

  /**
   * The verdict for {@code variants}, whose probabilities of being best are {@code probabilityBest} (same order):
   * InsufficientData while any variant has fewer than {@code minRequests} requests (or none at all: even with
   * minRequests 0 a variant never called cannot be judged); else Winner when the leader's probability is at least
   * {@code confidence}; else NoWinnerYet. The comparison is on the unrounded probability.
   *
   * @throws IllegalArgumentException when the lists differ in length, there are fewer than two variants, confidence
   *     is not in (0, 1] or minRequests is negative
   */
  public static Verdict verdict(List<VariantStats> variants, double[] probabilityBest, double confidence,
      long minRequests) {
    if (variants == null || probabilityBest == null || variants.size() != probabilityBest.length) {
      throw new IllegalArgumentException("one probability per variant is needed");
    }
    if (variants.size() < 2) {
      throw new IllegalArgumentException("an A/B verdict needs at least two variants, got " + variants.size());
    }
    if (!(confidence > 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1], got " + confidence);
    }
    if (minRequests < 0) {
      throw new IllegalArgumentException("minRequests must not be negative, got " + minRequests);
    }
    int leader = 0;
    boolean level = false;
    long total = 0;
    for (int i = 0; i < variants.size(); i++) {
      total += variants.get(i).requests();
      if (probabilityBest[i] > probabilityBest[leader]) {
        leader = i;
        level = false;
      } else if (i != leader && probabilityBest[i] == probabilityBest[leader]) {
        level = true;
      }
    }
    String leaderName = variants.get(leader).name();
    double p = probabilityBest[leader];

    List<VariantStats> tooFew = new ArrayList<>();
    for (VariantStats v : variants) {
      // A floor of one request: with minRequests 0 a variant nobody called would otherwise be judged on its prior.
      if (v.requests() < Math.max(1, minRequests)) {
        tooFew.add(v);
      }
    }
    if (!tooFew.isEmpty()) {
      // The leader's probability is still shown (it says where the test is heading); it is not compared with anything.
      return new Verdict(null, Rounding.probability(p), Reason.InsufficientData, insufficient(tooFew, minRequests));
    }
    // A leader level with another (possible only with confidence ≤ 0.5) is no winner: there would be two.
    if (p >= confidence && !level) {
      double shown = shownAtLeast(p, confidence);
      return new Verdict(leaderName, shown, Reason.Winner, leaderName + " is best with probability "
          + Rounding.probabilityText(shown) + " (≥ " + Rounding.text(confidence) + ") after " + total + " requests");
    }
    if (level && p >= confidence) {
      double shown = Rounding.probability(p);
      return new Verdict(null, shown, Reason.NoWinnerYet, levelNames(variants, probabilityBest, p)
          + " are level with probability " + Rounding.probabilityText(shown) + " each after " + total
          + " requests: a winner must lead alone");
    }
    double shown = shownBelow(p, confidence);
    String who = level ? levelNames(variants, probabilityBest, p) + " are level with probability "
        : leaderName + " leads with probability ";
    return new Verdict(null, shown, Reason.NoWinnerYet, who + Rounding.probabilityText(shown) + (level ? " each" : "")
        + " (< " + Rounding.text(confidence) + " needed) after " + total + " requests");
  }

  /** "candidate has 42 requests, fewer than minRequests 100", naming every variant short of them. */
  private static String insufficient(List<VariantStats> tooFew, long minRequests) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < tooFew.size(); i++) {
      VariantStats v = tooFew.get(i);
      out.append(i == 0 ? "" : i == tooFew.size() - 1 ? " and " : ", ").append(v.name()).append(" has ")
          .append(v.requests()).append(v.requests() == 1 ? " request" : " requests");
    }
    // With minRequests 0 or 1 what held the verdict is the floor of one request, not "fewer than minRequests 0".
    return out + (minRequests > 1 ? ", fewer than minRequests " + minRequests
        : ": every variant needs at least one request to be judged");
  }

  private static String levelNames(List<VariantStats> variants, double[] probabilityBest, double p) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < variants.size(); i++) {
      if (probabilityBest[i] == p) {
        names.add(variants.get(i).name());
      }
    }
    return String.join(" and ", names);
  }

  /** p (≥ confidence) to 3 decimals, rounded up if half-up would fall below the confidence (e.g. 0.9994 under 0.99945). */
  private static double shownAtLeast(double p, double confidence) {
    double shown = Rounding.probability(p);
    return shown >= confidence ? shown : Rounding.round(p, Rounding.PROBABILITY_DECIMALS, RoundingMode.CEILING);
  }

  /** p (< confidence) to 3 decimals, rounded down if half-up would reach the confidence (0.9496 → 0.949 under 0.95). */
  private static double shownBelow(double p, double confidence) {
    double shown = Rounding.probability(p);
    return shown < confidence ? shown : Rounding.round(p, Rounding.PROBABILITY_DECIMALS, RoundingMode.FLOOR);
  }
}
