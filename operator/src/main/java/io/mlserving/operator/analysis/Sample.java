package io.mlserving.operator.analysis;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One series of an instant vector: its labels and its value at the query's time.
 *
 * @param labels the series' labels, ordered by name ({@code __name__} only when the query keeps it); empty for a
 *     scalar
 * @param value the value as Prometheus sent it: {@code NaN} (no observation, 0/0) and infinities are kept
 */
public record Sample(Map<String, String> labels, double value) {
  /** Copies the labels into an unmodifiable map ordered by name, so two samples print alike. */
  public Sample {
    Objects.requireNonNull(labels, "labels");
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /** The value of label {@code name}, or {@code null} when the series has no such label. */
  public String label(String name) {
    return labels.get(name);
  }
}
