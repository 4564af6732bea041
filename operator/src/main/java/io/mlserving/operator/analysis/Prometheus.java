package io.mlserving.operator.analysis;

/** An instant-query client; implementations never throw for a failure of Prometheus, they return a result. */
public interface Prometheus {
  /** The base URL queries go to, as messages name it. */
  String url();

  /**
   * Evaluates {@code promql} at the current time: every series it gives (one query for many resources, e.g.
   * {@link LiveQueries#workloads}), or the named reason there are none.
   */
  VectorResult queryVector(String promql);

  /** Evaluates {@code promql} at the current time: one number, or the named reason there is none. */
  default QueryResult query(String promql) {
    return queryVector(promql).single(url(), promql);
  }
}
