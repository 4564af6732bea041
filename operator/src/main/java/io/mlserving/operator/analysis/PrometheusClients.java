package io.mlserving.operator.analysis;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** One client per URL, sharing one HttpClient (the operator keeps one instance). */
public final class PrometheusClients {
  private final Duration timeout;
  private final HttpClient http;
  private final Map<String, Prometheus> byUrl = new ConcurrentHashMap<>();

  /** Clients whose queries take at most {@code timeout}, connection included. */
  public PrometheusClients(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder()
        .connectTimeout(timeout)
        // Prometheus speaks HTTP/1.1 on plain http; an h2c upgrade attempt only adds a round of headers.
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  /** The longest a query may take. */
  public Duration timeout() {
    return timeout;
  }

  /** The client of the Prometheus at {@code url}; URLs that differ only by trailing slashes share one. */
  public Prometheus forUrl(String url) {
    PrometheusClient fresh = new PrometheusClient(url, timeout, http);
    return byUrl.computeIfAbsent(fresh.url(), u -> fresh);
  }
}
