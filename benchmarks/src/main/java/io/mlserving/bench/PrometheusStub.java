package io.mlserving.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for Prometheus' HTTP API on loopback: {@code GET /api/v1/query?query=...} answers the batched
 * live-analysis queries with a fixed vector (the same series every time: unchanged metrics) and counts every
 * query it is sent, by what it asks for. A query that is neither of the two batched ones is counted as
 * {@link Query#OTHER} and answered with an empty vector, so a per-resource query would show up in the counts.
 */
public final class PrometheusStub implements AutoCloseable {
  /** What a query asks for, told from its PromQL. */
  public enum Query { WORKLOADS, BREAKERS, OTHER }

  /** One query received: what it asked for and when (System.nanoTime). */
  public record Received(Query query, long nanos) {}

  private final HttpServer server;
  private final ExecutorService pool;
  private final byte[] workloads;
  private final byte[] breakers;
  private final byte[] empty;
  private final List<Received> received = new ArrayList<>();

  /**
   * A started stub answering the workloads query with {@code workloadsResult} and the breakers query with
   * {@code breakersResult}, each the JSON array of a vector's series ({@code [{"metric":{...},"value":[t,"v"]}]}).
   */
  public PrometheusStub(String workloadsResult, String breakersResult) {
    this.workloads = envelope(workloadsResult);
    this.breakers = envelope(breakersResult);
    this.empty = envelope("[]");
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "prometheus-stub");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/api/v1/query", this::handle);
    server.start();
  }

  /** The base URL a PrometheusRef names: {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String promql = queryParameter(exchange.getRequestURI().getRawQuery());
      Query q = classify(promql);
      synchronized (received) {
        received.add(new Received(q, System.nanoTime()));
      }
      byte[] body = switch (q) {
        case WORKLOADS -> workloads;
        case BREAKERS -> breakers;
        case OTHER -> empty;
      };
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } finally {
      exchange.close();
    }
  }

  /**
   * The batched workloads query reads the destination's request metrics; the batched breakers query reads
   * response flags and Envoy's outlier gauge (see LiveQueries). Anything else is not one of them.
   */
  static Query classify(String promql) {
    if (promql == null) {
      return Query.OTHER;
    }
    if (promql.contains("response_flags") && promql.contains("outlier_detection")) {
      return Query.BREAKERS;
    }
    if (promql.contains("reporter=\"destination\"") && promql.contains("destination_workload_namespace")) {
      return Query.WORKLOADS;
    }
    return Query.OTHER;
  }

  private static String queryParameter(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.startsWith("query=")) {
        return URLDecoder.decode(pair.substring("query=".length()), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static byte[] envelope(String result) {
    return ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Every query received so far, in order. */
  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** How many queries were received so far, in total. */
  public int count() {
    synchronized (received) {
      return received.size();
    }
  }

  /** The queries received after the first {@code from}, counted by what they asked for. */
  public Map<Query, Long> countsSince(int from) {
    Map<Query, Long> out = new java.util.EnumMap<>(Query.class);
    for (Query q : Query.values()) {
      out.put(q, 0L);
    }
    List<Received> all = received();
    for (Received r : all.subList(Math.min(from, all.size()), all.size())) {
      out.merge(r.query(), 1L, Long::sum);
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
