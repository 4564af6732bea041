package io.mlserving.operator.desired;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go/Istio duration strings such as 500ms, 90m, 1h30m or 1.5h. */
public final class Durations {
  // Longest units first, so that "ms" is not read as "m" followed by a stray "s".
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|us|µs|ns|h|m|s)");
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

  /** The longest Go duration (int64 nanoseconds); the API server's CEL duration() and Istio refuse longer. */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);
  /** {@link #MAX} as Go prints it, to the millisecond. */
  public static final String MAX_TEXT = "2562047h47m16.854s";

  private Durations() {}

  /**
   * The duration {@code text} denotes (unsigned; fractions are cut to whole nanoseconds).
   *
   * @throws IllegalArgumentException when {@code text} is not a duration, or too long for a {@link Duration}
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(text);
    BigDecimal nanos = BigDecimal.ZERO;
    int pos = 0;
    while (pos < text.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException("'" + text + "' is not a duration such as 500ms, 5s, 1m30s or 24h");
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
      pos = m.end();
    }
    BigInteger[] secondsAndNanos = nanos.toBigInteger().divideAndRemainder(NANOS_PER_SECOND.toBigInteger());
    if (secondsAndNanos[0].bitLength() >= Long.SIZE) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return Duration.ofSeconds(secondsAndNanos[0].longValue(), secondsAndNanos[1].longValue());
  }

  /** Whole seconds of {@code text}, rounded down: 24h is 86400, 90m is 5400. */
  public static long seconds(String text) {
    return parse(text).getSeconds();
  }

  private static long nanosPer(String unit) {
    return switch (unit) {
      case "h" -> 3_600_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "s" -> 1_000_000_000L;
      case "ms" -> 1_000_000L;
      case "us", "µs" -> 1_000L;
      case "ns" -> 1L;
      default -> throw new IllegalArgumentException("unknown duration unit " + unit);
    };
  }
}
