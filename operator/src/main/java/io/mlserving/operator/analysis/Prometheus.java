package io.mlserving.operator.analysis;

/** An instant-query client; implementations never throw for a failure of Prometheus, they return a QueryResult. */
public interface Prometheus {
  /** The base URL queries go to, as messages name it. */
  String url();

  /** Evaluates {@code promql} at the current time: one number, or the named reason there is none. */
  QueryResult query(String promql);
}
