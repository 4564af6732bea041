package io.mlserving.bench;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.mlserving.operator.testing.RecordingDispatcher;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counting layer on the mock API server: the operator tests' {@link RecordingDispatcher} (CRUD mock,
 * server-side apply as create-or-merge, Istio discovery), plus a count of every request by who sent it
 * (the User-Agent of the benchmark's own clients; anything else is the operator), method, kind of request
 * (get, list, watch, discovery, write), path template and response code.
 */
public final class CountingDispatcher extends RecordingDispatcher {
  /** User-Agent prefix of the benchmark's own clients; a request without it comes from the operator. */
  public static final String BENCH_AGENT = "mlserving-bench/";
  public static final String OPERATOR = "operator";

  /** For debugging: with BENCH_TRACE=<text>, requests whose path contains it are printed with their bodies. */
  private static final String TRACE_ENV = System.getenv("BENCH_TRACE");
  private static final java.util.function.Predicate<RecordedRequest> TRACE =
      TRACE_ENV == null || TRACE_ENV.isEmpty() ? null : r -> r.getPath().contains(TRACE_ENV);

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final AtomicLong lastOperatorRequest = new AtomicLong(System.nanoTime());
  private final LongAdder sinceClear = new LongAdder();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String traceBody = TRACE != null && TRACE.test(request) && request.getBody() != null
        ? new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8) : null;
    MockResponse response = super.dispatch(request);
    if (traceBody != null) {
      String out = response.getBody() == null ? "" : new String(response.getBody().getBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      java.util.regex.Matcher rv = java.util.regex.Pattern.compile("\"resourceVersion\":\"(\\d+)\"").matcher(out);
      System.err.println("TRACE " + java.time.LocalTime.now() + " " + request.getHeader("User-Agent") + " "
          + request.getMethod() + " " + request.getPath() + " -> " + response.code() + " rv "
          + (rv.find() ? rv.group(1) : "?") + " " + traceBody.substring(0, Math.min(traceBody.length(), 600)));
    }
    String agent = request.getHeader("User-Agent");
    String actor = agent != null && agent.startsWith(BENCH_AGENT) ? agent.substring(BENCH_AGENT.length()) : OPERATOR;
    RequestKey key = RequestKey.of(actor, request.getMethod(), request.getPath(),
        request.getHeader("Content-Type"), response.code());
    counts.computeIfAbsent(key.encode(), k -> new LongAdder()).increment();
    if (OPERATOR.equals(actor)) {
      lastOperatorRequest.set(System.nanoTime());
    }
    // The recording list of the parent is copy-on-write: keep it short, the counts above are what we use.
    sinceClear.increment();
    if (sinceClear.sum() > 5_000) {
      sinceClear.reset();
      clearRequests();
    }
    return response;
  }

  /** A copy of the counts so far. */
  public Counts snapshot() {
    Map<RequestKey, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(RequestKey.decode(k), v.sum()));
    return new Counts(copy);
  }

  /** Nanos (System.nanoTime) of the operator's last request. */
  public long lastOperatorRequestNanos() {
    return lastOperatorRequest.get();
  }
}
