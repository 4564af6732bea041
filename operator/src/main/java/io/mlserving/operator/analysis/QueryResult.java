package io.mlserving.operator.analysis;

import java.time.Duration;
import java.util.Objects;

/**
 * What an instant query gave: a number, or the named reason there is none.
 *
 * @param outcome which of the two, and which reason
 * @param value the number when {@code outcome} is {@link Outcome#Value} ({@code +Inf} and {@code -Inf} are
 *     numbers); {@code NaN} otherwise
 * @param message {@code null} for a value; otherwise a sentence an SRE can act on, naming the Prometheus URL
 *     and, where it helps, the query
 */
public record QueryResult(Outcome outcome, double value, String message) {
  /** Longest part of a query or an answer quoted in a message, so a status stays readable. */
  static final int QUOTE_LIMIT = 200;

  /** Why there is, or is not, a number. */
  public enum Outcome {
    /** One number (a one-series vector or a scalar). */
    Value,
    /** No connection: refused, unknown host, no route, no connection within the timeout, a malformed URL. */
    Unreachable,
    /** Connected, but no answer within the timeout (or Prometheus itself gave up: errorType timeout). */
    Timeout,
    /** An answer that is not Prometheus' JSON: a proxy's 502, an HTML page, a 404 from a wrong path. */
    HttpError,
    /** Prometheus refused or failed the query ({@code "status":"error"}), or its result is not a number. */
    QueryError,
    /** The query matched no series. */
    Empty,
    /** The one number is NaN (for example 0/0: no traffic in the window). */
    NotANumber,
    /** More than one series: the query lacks an aggregation such as {@code sum}. */
    ManySeries
  }

  /** Checks that a value carries no message and that a failure carries one. */
  public QueryResult {
    Objects.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.Value && message != null) {
      throw new IllegalArgumentException("a value carries no message");
    }
    if (outcome != Outcome.Value && (message == null || message.isBlank())) {
      throw new IllegalArgumentException(outcome + " needs a message");
    }
  }

  /** Whether there is a number ({@code outcome == Value}). */
  public boolean hasValue() {
    return outcome == Outcome.Value;
  }

  /** The number {@code v} (may be infinite; NaN is {@link #notANumber}). */
  public static QueryResult value(double v) {
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("NaN is not a value: use notANumber");
    }
    return new QueryResult(Outcome.Value, v, null);
  }

  /** No connection to Prometheus at {@code url}; {@code cause} says why (e.g. "Connection refused"). */
  public static QueryResult unreachable(String url, String cause) {
    return failure(Outcome.Unreachable, "Prometheus at " + url + " is unreachable: " + cause);
  }

  /** Prometheus at {@code url} did not answer {@code query} within {@code timeout}. */
  public static QueryResult timeout(String url, Duration timeout, String query) {
    return failure(Outcome.Timeout, "Prometheus at " + url + " did not answer within " + human(timeout)
        + " (query: " + quote(query) + ")");
  }

  /** Prometheus at {@code url} answered with HTTP {@code status} and a {@code body} that is not its JSON. */
  public static QueryResult httpError(String url, int status, String body) {
    String shown = body == null || body.isBlank() ? "(empty body)" : quote(body.strip());
    return failure(Outcome.HttpError, "Prometheus at " + url + " answered HTTP " + status + ": " + shown);
  }

  /** Prometheus at {@code url} refused or failed {@code query}: its {@code errorType} and {@code error}. */
  public static QueryResult queryError(String url, String errorType, String error, String query) {
    return failure(Outcome.QueryError, "query error (" + errorType + "): " + error + where(url, query));
  }

  /** Prometheus at {@code url} gave up on {@code query} itself (its errorType {@code timeout}). */
  public static QueryResult serverTimeout(String url, String error, String query) {
    return failure(Outcome.Timeout, "query timeout at Prometheus: " + error + where(url, query));
  }

  /** {@code query} matched no series at {@code url}. */
  public static QueryResult empty(String url, String query) {
    return failure(Outcome.Empty, "no data: the query returned no series" + where(url, query));
  }

  /** {@code query} gave NaN at {@code url}. */
  public static QueryResult notANumber(String url, String query) {
    return failure(Outcome.NotANumber, "the query returned NaN (no samples in the window, or 0/0)"
        + where(url, query));
  }

  /** {@code query} gave {@code series} series (more than one) at {@code url}. */
  public static QueryResult manySeries(String url, int series, String query) {
    return failure(Outcome.ManySeries, "the query returned " + series + " series, expected one (aggregate it, "
        + "e.g. with sum)" + where(url, query));
  }

  private static QueryResult failure(Outcome outcome, String message) {
    return new QueryResult(outcome, Double.NaN, message);
  }

  /** " (Prometheus at <url>, query: <query>)", the query shortened to {@link #QUOTE_LIMIT} characters. */
  private static String where(String url, String query) {
    return " (Prometheus at " + url + ", query: " + quote(query) + ")";
  }

  static String quote(String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= QUOTE_LIMIT ? text : text.substring(0, QUOTE_LIMIT) + "…";
  }

  /** 5s, 250ms, 1m30s: the form users write in specs. */
  private static String human(Duration d) {
    return IstioQueries.window(d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d);
  }
}
