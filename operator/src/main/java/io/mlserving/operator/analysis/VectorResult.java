package io.mlserving.operator.analysis;

import io.mlserving.operator.analysis.QueryResult.Outcome;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an instant query for many series gave: the series, or the named reason there are none.
 *
 * @param outcome {@link Outcome#Value} when Prometheus answered with a vector (or a scalar), else the failure as
 *     {@link QueryResult} names it: {@link Outcome#Unreachable}, {@link Outcome#Timeout}, {@link Outcome#HttpError}
 *     or {@link Outcome#QueryError}
 * @param samples with a value, every series returned, possibly none (the query matched nothing), NaN samples
 *     kept; empty for a failure
 * @param message {@code null} with a value; otherwise a sentence naming the Prometheus URL and, where it helps,
 *     the query (the same sentences as {@link QueryResult}'s)
 */
public record VectorResult(Outcome outcome, List<Sample> samples, String message) {
  /** The outcomes a vector query can fail with: there is no "empty", "NaN" or "many series" for a vector. */
  public static final Set<Outcome> FAILURES =
      EnumSet.of(Outcome.Unreachable, Outcome.Timeout, Outcome.HttpError, Outcome.QueryError);

  /** Checks that a value carries samples and no message, and that a failure carries a message and no sample. */
  public VectorResult {
    Objects.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.Value) {
      Objects.requireNonNull(samples, "samples");
      if (message != null) {
        throw new IllegalArgumentException("a value carries no message");
      }
    } else {
      if (!FAILURES.contains(outcome)) {
        throw new IllegalArgumentException(outcome + " is not an outcome of a vector query");
      }
      if (message == null || message.isBlank()) {
        throw new IllegalArgumentException(outcome + " needs a message");
      }
      if (samples != null && !samples.isEmpty()) {
        throw new IllegalArgumentException("a failure carries no samples");
      }
    }
    samples = samples == null ? List.of() : List.copyOf(samples);
  }

  /** The series Prometheus returned (possibly none). */
  public static VectorResult of(List<Sample> samples) {
    return new VectorResult(Outcome.Value, samples, null);
  }

  /**
   * The failure {@code failed} describes, with its outcome and message.
   *
   * @throws IllegalArgumentException when {@code failed} is a value, or an outcome only a one-number query has
   */
  public static VectorResult failure(QueryResult failed) {
    if (failed.hasValue()) {
      throw new IllegalArgumentException("a value is no failure: " + failed);
    }
    return new VectorResult(failed.outcome(), List.of(), failed.message());
  }

  /** Whether Prometheus answered with series ({@code outcome == Value}), possibly none. */
  public boolean hasValue() {
    return outcome == Outcome.Value;
  }

  /**
   * This answer read as one number, as {@link Prometheus#query} gives it: the failure as it is; no series is
   * {@link Outcome#Empty}, more than one {@link Outcome#ManySeries}, one NaN {@link Outcome#NotANumber}.
   *
   * @param url the Prometheus URL the messages name
   * @param promql the query the messages quote
   */
  public QueryResult single(String url, String promql) {
    if (!hasValue()) {
      return new QueryResult(outcome, Double.NaN, message);
    }
    if (samples.isEmpty()) {
      return QueryResult.empty(url, promql);
    }
    if (samples.size() > 1) {
      return QueryResult.manySeries(url, samples.size(), promql);
    }
    double v = samples.get(0).value();
    return Double.isNaN(v) ? QueryResult.notANumber(url, promql) : QueryResult.value(v);
  }
}
