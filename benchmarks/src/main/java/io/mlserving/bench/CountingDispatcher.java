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

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, Long> readyWrites = new ConcurrentHashMap<>();
  private final AtomicLong lastOperatorRequest = new AtomicLong(System.nanoTime());
  private final LongAdder sinceClear = new LongAdder();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    byte[] statusBody = isStatusWrite(request) && request.getBody() != null ? request.getBody().getBytes() : null;
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
    if (statusBody != null && response.code() / 100 == 2) {
      noteReadyWrite(request.getPath(), statusBody);
    }
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

  private static boolean isStatusWrite(RecordedRequest r) {
    String path = r.getPath();
    return ("PUT".equals(r.getMethod()) || "PATCH".equals(r.getMethod())) && path.endsWith("/status")
        && path.startsWith("/apis/mlserving.io/");
  }

  /**
   * Notes when the API server accepted a full status (PUT or merge patch) saying Ready=True for the current
   * generation: the server-side moment a resource became Ready, independent of any watch.
   */
  private void noteReadyWrite(String path, byte[] body) {
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(body);
      com.fasterxml.jackson.databind.JsonNode status = tree.path("status");
      long generation = tree.path("metadata").path("generation").asLong(-1);
      if (generation < 0 || status.path("observedGeneration").asLong(-2) != generation) {
        return;
      }
      for (com.fasterxml.jackson.databind.JsonNode c : status.path("conditions")) {
        if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
          String[] p = path.split("/");
          // /apis/mlserving.io/v1alpha1/namespaces/{ns}/{plural}/{name}/status
          String kind = "inferenceservices".equals(p[6]) ? "InferenceService" : "abtests".equals(p[6]) ? "ABTest" : p[6];
          readyWrites.putIfAbsent(kind + "/" + p[5] + "/" + p[7] + "@" + generation, System.nanoTime());
          return;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not a full status: ignore
    }
  }

  /** When the server accepted a Ready=True status of {@code key} (Kind/ns/name) for {@code generation}. */
  public Long readyWriteNanos(String key, long generation) {
    return readyWrites.get(key + "@" + generation);
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
