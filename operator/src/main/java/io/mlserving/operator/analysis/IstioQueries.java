package io.mlserving.operator.analysis;

import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * PromQL for Istio's standard metrics (built-in analysis queries) and the placeholders of custom queries.
 * Pure: builds strings, no I/O.
 */
public final class IstioQueries {
  /** Placeholder {@code {{namespace}}}: the namespace of the analysed resource. */
  public static final String NAMESPACE = CanaryMetric.NAMESPACE_PLACEHOLDER;
  /** Placeholder {@code {{canary}}}: the canary's workload name. */
  public static final String CANARY = CanaryMetric.CANARY_PLACEHOLDER;
  /** Placeholder {@code {{stable}}}: the stable's workload name. */
  public static final String STABLE = CanaryMetric.STABLE_PLACEHOLDER;
  /** Placeholder {@code {{window}}}: the analysis window as a Prometheus range, e.g. {@code 1m}. */
  public static final String WINDOW = CanaryMetric.WINDOW_PLACEHOLDER;
  /** Every placeholder a custom query may use, in the order the docs list them. */
  public static final List<String> PLACEHOLDERS = CanaryMetric.PLACEHOLDERS;

  /** Istio's request counter. */
  public static final String REQUESTS_TOTAL = "istio_requests_total";
  /** Istio's request duration histogram, in milliseconds (its {@code _bucket} series). */
  public static final String REQUEST_DURATION_BUCKET = "istio_request_duration_milliseconds_bucket";

  private static final Pattern PLACEHOLDER = Pattern.compile(CanaryMetric.PLACEHOLDER);
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private IstioQueries() {}

  /** How a label matcher compares: {@code =}, {@code !=}, {@code =~}, {@code !~}. */
  public enum Op {
    /** Equal. */
    EQ("="),
    /** Not equal. */
    NEQ("!="),
    /** Matches the (fully anchored) regular expression. */
    RE("=~"),
    /** Does not match the regular expression. */
    NRE("!~");

    private final String promql;

    Op(String promql) {
      this.promql = promql;
    }

    /** The operator as PromQL writes it. */
    public String promql() {
      return promql;
    }
  }

  /** One label matcher, e.g. {@code response_code!~"5.*"}. */
  public record LabelMatcher(String label, Op op, String value) {
    /** Checks the label name (a programming error, not user input) and the nulls. */
    public LabelMatcher {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
      if (!LABEL_NAME.matcher(label).matches()) {
        throw new IllegalArgumentException("not a Prometheus label name: '" + label + "'");
      }
    }

    /** The matcher as PromQL writes it, the value an escaped string literal. */
    public String promql() {
      return label + op.promql() + literal(value);
    }
  }

  /**
   * Which Istio series a query reads: a list of label matchers. {@link #destination} is what the built-in
   * checks use; {@link #and} adds e.g. {@code destination_service} or a {@code reporter="source"} variant.
   */
  public record Selector(List<LabelMatcher> matchers) {
    /** Copies the list. */
    public Selector {
      matchers = List.copyOf(matchers);
    }

    /**
     * Requests served by {@code workload} in {@code namespace}, as the receiving sidecar reports them:
     * {@code reporter="destination"}, {@code destination_workload}, {@code destination_workload_namespace}.
     */
    public static Selector destination(String namespace, String workload) {
      return new Selector(List.of())
          .and("reporter", "destination")
          .and("destination_workload", workload)
          .and("destination_workload_namespace", namespace);
    }

    /** This selector with {@code label="value"} added. */
    public Selector and(String label, String value) {
      return and(label, Op.EQ, value);
    }

    /** This selector with {@code label <op> "value"} added. */
    public Selector and(String label, Op op, String value) {
      List<LabelMatcher> more = new ArrayList<>(matchers);
      more.add(new LabelMatcher(label, op, value));
      return new Selector(more);
    }

    /** The selector in braces, e.g. {@code {reporter="destination",destination_workload="m"}}. */
    public String promql() {
      return matchers.stream().map(LabelMatcher::promql).collect(Collectors.joining(",", "{", "}"));
    }
  }

  /**
   * {@code d} as a Prometheus range, whole units largest first: 60s is {@code 1m}, 90s {@code 1m30s}, 0.5s
   * {@code 500ms}, 2 days {@code 48h} (Prometheus takes no fractions such as {@code 1.5m}). Sub-millisecond
   * parts are dropped.
   *
   * @throws IllegalArgumentException when {@code d} is shorter than 1 ms (Prometheus refuses an empty range)
   */
  public static String window(Duration d) {
    long millis = d.toMillis();
    if (millis < 1) {
      throw new IllegalArgumentException("a Prometheus range must be at least 1ms, got " + d);
    }
    StringBuilder out = new StringBuilder();
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long seconds = millis / 1000 % 60;
    long ms = millis % 1000;
    append(out, hours, "h");
    append(out, minutes, "m");
    append(out, seconds, "s");
    append(out, ms, "ms");
    return out.toString();
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      out.append(amount).append(unit);
    }
  }

  /** Requests {@code workload} in {@code namespace} served within {@code window} (increase of the counter). */
  public static String requests(String namespace, String workload, Duration window) {
    return requests(Selector.destination(namespace, workload), window);
  }

  /**
   * {@code sum(increase(istio_requests_total{…}[window]))}. No series at all (the workload never served a
   * request that Prometheus saw) gives an empty result, not 0: callers tell "no data" from "no traffic".
   */
  public static String requests(Selector selector, Duration window) {
    return "sum(increase(" + REQUESTS_TOTAL + selector.promql() + "[" + window(window) + "]))";
  }

  /** Percentage of {@code workload}'s requests within {@code window} that are not 5xx. */
  public static String successRate(String namespace, String workload, Duration window) {
    return successRate(Selector.destination(namespace, workload), window);
  }

  /**
   * {@code 100 * (sum(rate(non-5xx[w])) or vector(0)) / sum(rate(all[w]))}. The {@code or vector(0)} makes
   * a workload whose every request failed 0 %, not "no data" (without it, the missing non-5xx series make
   * the whole quotient empty); no series at all stays empty, no request in the window is 0/0 (NaN).
   */
  public static String successRate(Selector selector, Duration window) {
    String range = "[" + window(window) + "]";
    Selector ok = selector.and("response_code", Op.NRE, "5.*");
    return "100 * (sum(rate(" + REQUESTS_TOTAL + ok.promql() + range + ")) or vector(0))"
        + " / sum(rate(" + REQUESTS_TOTAL + selector.promql() + range + "))";
  }

  /** The 99th percentile of {@code workload}'s request duration within {@code window}, in milliseconds. */
  public static String latencyP99(String namespace, String workload, Duration window) {
    return latency(0.99, Selector.destination(namespace, workload), window);
  }

  /** The 99th percentile of the selected requests' duration within {@code window}, in milliseconds. */
  public static String latencyP99(Selector selector, Duration window) {
    return latency(0.99, selector, window);
  }

  /**
   * {@code histogram_quantile(q, sum by (le) (rate(istio_request_duration_milliseconds_bucket{…}[w])))}:
   * Prometheus interpolates linearly inside the bucket the quantile falls in; no request in the window is NaN.
   */
  public static String latency(double quantile, Selector selector, Duration window) {
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException("a quantile is within 0..1, got " + quantile);
    }
    String q = BigDecimal.valueOf(quantile).stripTrailingZeros().toPlainString();
    return "histogram_quantile(" + q + ", sum by (le) (rate(" + REQUEST_DURATION_BUCKET + selector.promql()
        + "[" + window(window) + "])))";
  }

  /**
   * {@code query} with each {@code {{name}}} (spaces inside the braces allowed) replaced by {@code vars}'
   * value, inserted as is (namespaces and workload names are DNS names: nothing to escape). A placeholder
   * without a value stays as written; {@link #unknownPlaceholders} names it before a query is run.
   */
  public static String template(String query, Map<String, String> vars) {
    Matcher m = PLACEHOLDER.matcher(query);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The placeholder names in {@code query} that are not in {@code known}, in order of appearance. */
  public static Set<String> unknownPlaceholders(String query, Set<String> known) {
    Set<String> unknown = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(query);
    while (m.find()) {
      if (!known.contains(m.group(1))) {
        unknown.add(m.group(1));
      }
    }
    return Collections.unmodifiableSet(unknown);
  }

  /** {@code value} as a PromQL double-quoted string literal (Go escapes: backslash, quote, newline...). */
  public static String literal(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
