package io.mlserving.operator.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Prometheus' HTTP API: {@code GET <url>/api/v1/query?query=<urlencoded>}, an instant query read as series
 * ({@link #queryVector}) or as one number ({@link #query}).
 */
public final class PrometheusClient implements Prometheus {
  /** How long a query may take when nothing else is configured. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long GRACE_MILLIS = 200;

  private final String url;
  private final Duration timeout;
  private final HttpClient http;
  // Null when the URL cannot be used; the reason is then in urlProblem and every query says it.
  private final URI queryEndpoint;
  private final String urlProblem;

  /**
   * A client of the Prometheus at {@code url} (with or without a trailing slash, with or without a path
   * prefix such as {@code /prometheus}). A malformed URL does not throw: each query answers Unreachable.
   *
   * @param timeout the longest a query may take, connection included
   * @param http shared client; its connect timeout, if any, bounds the connection
   */
  public PrometheusClient(String url, Duration timeout, HttpClient http) {
    this.url = trimSlashes(Objects.requireNonNull(url, "url").strip());
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = Objects.requireNonNull(http, "http");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    URI endpoint = null;
    String problem = null;
    try {
      URI base = URI.create(this.url);
      if (!"http".equalsIgnoreCase(base.getScheme()) && !"https".equalsIgnoreCase(base.getScheme())) {
        problem = "the URL is not http(s)";
      } else if (base.getHost() == null) {
        problem = "the URL has no host";
      } else if (base.getRawQuery() != null || base.getRawFragment() != null) {
        problem = "the URL has a query or fragment";
      } else {
        endpoint = URI.create(this.url + "/api/v1/query");
      }
    } catch (IllegalArgumentException e) {
      problem = "the URL is malformed (" + e.getMessage() + ")";
    }
    this.queryEndpoint = endpoint;
    this.urlProblem = problem;
  }

  @Override
  public String url() {
    return url;
  }

  /** The longest a query may take. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * {@inheritDoc} The one-number {@link #query} reads the same answer ({@link VectorResult#single}): both share
   * this exchange, its failures and its parsing.
   */
  @Override
  public VectorResult queryVector(String promql) {
    if (queryEndpoint == null) {
      return VectorResult.failure(QueryResult.unreachable(url, urlProblem));
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(queryEndpoint + "?query=" + encode(promql)))
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      // The request timeout ends at the response headers; this bounds the body too (a stalled proxy). The
      // grace lets the client's own connect/request timeouts, which tell the two apart, fire first.
      response = sent.get(timeout.toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      return VectorResult.failure(QueryResult.timeout(url, timeout, promql));
    } catch (InterruptedException e) {
      sent.cancel(true);
      Thread.currentThread().interrupt();
      return VectorResult.failure(QueryResult.timeout(url, timeout, promql));
    } catch (ExecutionException e) {
      return VectorResult.failure(failure(e.getCause(), promql));
    }
    return parse(url, response.statusCode(), response.body(), promql);
  }

  /** The outcome of a failed exchange: a connection problem, a timeout, or a broken answer. */
  private QueryResult failure(Throwable cause, String promql) {
    // The JDK client wraps the interesting exception (ConnectException around UnresolvedAddressException...).
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return QueryResult.unreachable(url, "no connection within " + IstioQueries.window(timeout));
      }
      if (t instanceof HttpTimeoutException) {
        return QueryResult.timeout(url, timeout, promql);
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return QueryResult.unreachable(url, "unknown host " + URI.create(url).getHost());
      }
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return QueryResult.unreachable(url, connectProblem(t));
      }
    }
    // Anything else (a reset or closed connection, a TLS failure): no usable exchange with the server.
    return QueryResult.unreachable(url, describe(cause));
  }

  /**
   * Why the connection failed. The JDK client drops the operating system's reason (its ConnectException
   * has no message, its cause is a ClosedChannelException), so a plain socket asks again, within the
   * timeout: "Connection refused", "No route to host".
   */
  private String connectProblem(Throwable e) {
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      return e.getMessage();
    }
    URI base = URI.create(url);
    int port = base.getPort() != -1 ? base.getPort() : "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), port), (int) Math.min(Integer.MAX_VALUE,
          timeout.toMillis()));
      return "the connection failed (a second attempt connected: Prometheus may be restarting)";
    } catch (SocketTimeoutException te) {
      return "no connection within " + IstioQueries.window(timeout);
    } catch (IOException io) {
      return describe(io);
    }
  }

  /** The first non-empty message down the cause chain, else the exception's class name. */
  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }

  /**
   * What an answer of Prometheus at {@code url} means: its JSON envelope whatever the HTTP status (it sends
   * {@code "status":"error"} with 400, 422 and 503), otherwise an HTTP error quoting the body. A scalar is one
   * sample without labels; a range vector or a string is a query error (an instant query wants numbers).
   */
  static VectorResult parse(String url, int status, String body, String promql) {
    JsonNode root;
    try {
      root = body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject() || !root.path("status").isTextual()) {
      return VectorResult.failure(QueryResult.httpError(url, status, body));
    }
    if ("error".equals(root.path("status").asText())) {
      String errorType = root.path("errorType").asText("unknown");
      String error = root.path("error").asText("(no error message)");
      return VectorResult.failure("timeout".equals(errorType)
          ? QueryResult.serverTimeout(url, error, promql)
          : QueryResult.queryError(url, errorType, error, promql));
    }
    if (!"success".equals(root.path("status").asText()) || status / 100 != 2) {
      return VectorResult.failure(QueryResult.httpError(url, status, body));
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText("");
    JsonNode result = data.path("result");
    return switch (type) {
      case "vector" -> vector(url, result, body);
      case "scalar" -> {
        Double v = number(result);
        yield v == null ? VectorResult.failure(QueryResult.httpError(url, 200, body))
            : VectorResult.of(List.of(new Sample(Map.of(), v)));
      }
      case "matrix" -> VectorResult.failure(QueryResult.queryError(url, "matrix", "the query returned a range "
          + "vector, not numbers (wrap the range in a function such as rate() and aggregate it with sum())", promql));
      case "string" -> VectorResult.failure(QueryResult.queryError(url, "string", "the query returned a string, "
          + "not a number", promql));
      default -> VectorResult.failure(QueryResult.httpError(url, status, body));
    };
  }

  /** {@code [{"metric": {labels}, "value": [<unix time>, "<number>"]}, ...]}; any malformed series spoils all. */
  private static VectorResult vector(String url, JsonNode result, String body) {
    if (!result.isArray()) {
      return VectorResult.failure(QueryResult.httpError(url, 200, body));
    }
    List<Sample> samples = new ArrayList<>(result.size());
    for (JsonNode series : result) {
      JsonNode metric = series.path("metric");
      Double v = number(series.path("value"));
      if (!metric.isObject() || v == null) {
        return VectorResult.failure(QueryResult.httpError(url, 200, body));
      }
      Map<String, String> labels = new TreeMap<>();
      for (Map.Entry<String, JsonNode> label : metric.properties()) {
        if (!label.getValue().isTextual()) {
          return VectorResult.failure(QueryResult.httpError(url, 200, body));
        }
        labels.put(label.getKey(), label.getValue().asText());
      }
      samples.add(new Sample(labels, v));
    }
    return VectorResult.of(samples);
  }

  /** The number of a {@code [<unix time>, "<number>"]} pair (NaN and infinities included); null if malformed. */
  private static Double number(JsonNode pair) {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      return null;
    }
    String text = pair.get(1).asText();
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          yield null;
        }
      }
    };
  }

  /** URL query encoding with {@code %20} for spaces (what RFC 3986 readers expect, not form-only {@code +}). */
  static String encode(String promql) {
    return URLEncoder.encode(promql, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code url} without its trailing slashes, as the client and live analysis's keys name it. */
  static String trimSlashes(String url) {
    String out = url;
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  @Override
  public String toString() {
    return "PrometheusClient[" + url + ", timeout " + timeout + "]";
  }
}
