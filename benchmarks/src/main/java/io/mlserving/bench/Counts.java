package io.mlserving.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Request counts by {@link RequestKey}: a snapshot of the counting layer, or the difference of two. */
public record Counts(Map<RequestKey, Long> byKey) {
  /** What happened after {@code earlier}. */
  public Counts minus(Counts earlier) {
    Map<RequestKey, Long> out = new TreeMap<>();
    byKey.forEach((k, v) -> {
      long d = v - earlier.byKey.getOrDefault(k, 0L);
      if (d != 0) {
        out.put(k, d);
      }
    });
    return new Counts(out);
  }

  public long sum(Predicate<RequestKey> which) {
    return byKey.entrySet().stream().filter(e -> which.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
  }

  public long operatorWrites() {
    return sum(k -> k.actor().equals(CountingDispatcher.OPERATOR) && k.isWrite());
  }

  public long operatorPointReads() {
    return sum(k -> k.actor().equals(CountingDispatcher.OPERATOR) && k.isPointRead());
  }

  public long operator(String verb) {
    return sum(k -> k.actor().equals(CountingDispatcher.OPERATOR) && k.verb().equals(verb));
  }

  /** The requests matching {@code which}, as "METHOD verb template -> code" to count, for the JSON. */
  public Map<String, Long> describe(Predicate<RequestKey> which) {
    Map<String, Long> out = new LinkedHashMap<>();
    byKey.forEach((k, v) -> {
      if (which.test(k)) {
        out.merge(k.actor() + " " + k.method() + " " + k.verb() + " " + k.template() + " -> " + k.code(), v,
            Long::sum);
      }
    });
    return out;
  }

  public Map<String, Long> describeOperator() {
    return describe(k -> k.actor().equals(CountingDispatcher.OPERATOR));
  }
}
