package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A stand-in for Prometheus' HTTP API on loopback: {@code /api/v1/query} answers every query with the instant vector
 * the test sets (by what the query asks), and records the queries it got.
 */
public final class StubPrometheus implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final AtomicReference<Function<String, List<Series>>> answer = new AtomicReference<>(q -> List.of());

  /** One series of an answer: its labels and value. */
  public record Series(Map<String, String> labels, double value) {}

  private StubPrometheus() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/api/v1/query", exchange -> {
      String raw = exchange.getRequestURI().getRawQuery();
      String promql = "";
      for (String part : raw == null ? new String[0] : raw.split("&")) {
        if (part.startsWith("query=")) {
          promql = URLDecoder.decode(part.substring("query=".length()), StandardCharsets.UTF_8);
        }
      }
      queries.add(promql);
      byte[] body = vector(answer.get().apply(promql)).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  /** A started stub answering every query with no series. */
  public static StubPrometheus start() {
    return new StubPrometheus();
  }

  /** The base URL, as a spec or the operator setting names it. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** From now on, a query is answered with what {@code answer} gives for it. */
  public void answer(Function<String, List<Series>> answer) {
    this.answer.set(answer);
  }

  /** The queries received so far, decoded. */
  public List<String> queries() {
    return List.copyOf(queries);
  }

  /** Prometheus' JSON for an instant vector of {@code series} (values as strings, as Prometheus sends them). */
  static String vector(List<Series> series) {
    ObjectNode root = JSON.createObjectNode().put("status", "success");
    ObjectNode data = root.putObject("data").put("resultType", "vector");
    ArrayNode result = data.putArray("result");
    for (Series s : series) {
      ObjectNode item = result.addObject();
      ObjectNode metric = item.putObject("metric");
      s.labels().forEach(metric::put);
      item.putArray("value").add(1_714_564_800.0).add(Double.isNaN(s.value()) ? "NaN" : Double.toString(s.value()));
    }
    return root.toString();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
