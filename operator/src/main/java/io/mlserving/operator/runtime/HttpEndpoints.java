package io.mlserving.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /healthz} (the process serves), {@code /readyz} (the operator started and every informer is
 * healthy; a replica waiting for the leader Lease is ready too) and {@code /metrics} (Prometheus text).
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  public HttpEndpoints(int port, Supplier<Operator> operator, PrometheusMeterRegistry registry) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http-endpoints");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", ex -> {
      Operator op = operator.get();
      boolean ready = op != null && op.getRuntimeInfo().isStarted() && op.getRuntimeInfo().allEventSourcesAreHealthy();
      send(ex, ready ? 200 : 503, "text/plain", ready ? "ready\n"
          : "not ready: " + (op == null || !op.getRuntimeInfo().isStarted() ? "operator starting"
              : "unhealthy informers " + op.getRuntimeInfo().unhealthyInformerWrappingEventSourceHealthIndicator()
                  .keySet()) + "\n");
    });
    server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
  }

  public HttpEndpoints start() {
    server.start();
    return this;
  }

  /** The port actually bound (for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
