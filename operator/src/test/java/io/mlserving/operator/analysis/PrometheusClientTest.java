package io.mlserving.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mlserving.operator.analysis.QueryResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every outcome of an instant query, against a stub of Prometheus' HTTP API on 127.0.0.1. */
class PrometheusClientTest {
  private static final String QUERY = "sum(rate(istio_requests_total[1m]))";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** What the stub answers next: status, content type, body. */
  record Answer(int status, String contentType, String body) {}

  private static HttpServer server;
  private static ExecutorService threads;
  private static String base;
  private static final AtomicReference<Answer> next = new AtomicReference<>();
  private static final AtomicReference<URI> lastRequest = new AtomicReference<>();
  // Holds the "slow" handler until the test is over: the client must give up on its own.
  private static final CountDownLatch release = new CountDownLatch(1);

  @BeforeAll
  static void startStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "prometheus-stub");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/api/v1/query", PrometheusClientTest::answer);
    server.createContext("/prometheus/api/v1/query", PrometheusClientTest::answer);
    server.createContext("/slow/api/v1/query", ex -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send(ex, new Answer(200, "application/json", vector("1")));
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stopStub() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  private static void answer(HttpExchange ex) throws IOException {
    lastRequest.set(ex.getRequestURI());
    Answer a = next.get();
    send(ex, a != null ? a : new Answer(500, "text/plain", "no answer set"));
  }

  private static void send(HttpExchange ex, Answer a) throws IOException {
    byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", a.contentType());
    ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String vector(String... values) {
    StringBuilder series = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      series.append(i == 0 ? "" : ",").append("{\"metric\":{\"pod\":\"p").append(i)
          .append("\"},\"value\":[1735689600.123,\"").append(values[i]).append("\"]}");
    }
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + series + "]}}";
  }

  static String error(String type, String message) {
    return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":\"" + message + "\"}";
  }

  static Arguments json(String name, int status, String body, Outcome outcome, double value, String message) {
    return Arguments.of(name, new Answer(status, "application/json", body), outcome, value, message);
  }

  static Arguments text(String name, int status, String body, Outcome outcome, String message) {
    return Arguments.of(name, new Answer(status, "text/html", body), outcome, Double.NaN, message);
  }

  static Stream<Arguments> answers() {
    String longPage = "<html><body>" + "x".repeat(500) + "</body></html>";
    return Stream.of(
        json("one series", 200, vector("0.99"), Outcome.Value, 0.99, null),
        json("scalar", 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1735689600,\"1\"]}}",
            Outcome.Value, 1, null),
        json("exponent", 200, vector("1.5e+03"), Outcome.Value, 1500, null),
        json("+Inf is a value", 200, vector("+Inf"), Outcome.Value, Double.POSITIVE_INFINITY, null),
        json("-Inf is a value", 200, vector("-Inf"), Outcome.Value, Double.NEGATIVE_INFINITY, null),
        json("warnings do not matter", 200, vector("3").replace("}}", "},\"warnings\":[\"partial\"]}"),
            Outcome.Value, 3, null),
        json("NaN", 200, vector("NaN"), Outcome.NotANumber, Double.NaN, "the query returned NaN"),
        json("scalar NaN", 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"NaN\"]}}",
            Outcome.NotANumber, Double.NaN, "the query returned NaN"),
        json("no series", 200, vector(), Outcome.Empty, Double.NaN, "no data: the query returned no series"),
        json("three series", 200, vector("1", "2", "3"), Outcome.ManySeries, Double.NaN,
            "the query returned 3 series, expected one"),
        json("bad_data with 400", 400, error("bad_data", "1:5: parse error: unexpected end of input"),
            Outcome.QueryError, Double.NaN, "query error (bad_data): 1:5: parse error: unexpected end of input"),
        json("execution with 422", 422, error("execution", "many-to-many matching not allowed"),
            Outcome.QueryError, Double.NaN, "query error (execution): many-to-many matching not allowed"),
        json("error with 200", 200, error("internal", "boom"), Outcome.QueryError, Double.NaN,
            "query error (internal): boom"),
        json("Prometheus' own timeout, 503", 503, error("timeout", "query timed out in expression evaluation"),
            Outcome.Timeout, Double.NaN, "query timeout at Prometheus: query timed out in expression evaluation"),
        json("matrix", 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
            Outcome.QueryError, Double.NaN, "the query returned a range vector"),
        json("string", 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"a\"]}}",
            Outcome.QueryError, Double.NaN, "the query returned a string"),
        json("JSON that is not Prometheus'", 200, "{\"hello\":\"world\"}", Outcome.HttpError, Double.NaN,
            "answered HTTP 200: {\"hello\":\"world\"}"),
        json("a sample that is no number", 200, vector("many"), Outcome.HttpError, Double.NaN, "answered HTTP 200"),
        json("success with 500", 500, vector("1"), Outcome.HttpError, Double.NaN, "answered HTTP 500"),
        text("proxy's 503", 503, "upstream connect error or disconnect/reset before headers",
            Outcome.HttpError, "answered HTTP 503: upstream connect error or disconnect/reset before headers"),
        text("long HTML page: first 200 characters", 502, longPage, Outcome.HttpError,
            "answered HTTP 502: " + longPage.substring(0, 200) + "…"),
        text("HTML with 200 (not Prometheus)", 200, "<html>Grafana</html>", Outcome.HttpError,
            "answered HTTP 200: <html>Grafana</html>"),
        text("404 without a body", 404, "", Outcome.HttpError, "answered HTTP 404: (empty body)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void everyAnswerHasANamedOutcome(String name, Answer answer, Outcome outcome, double value, String message) {
    next.set(answer);
    QueryResult result = new PrometheusClient(base, Duration.ofSeconds(5), HTTP).query(QUERY);
    assertThat(result.outcome()).as(name).isEqualTo(outcome);
    if (outcome == Outcome.Value) {
      assertThat(result.hasValue()).isTrue();
      assertThat(result.value()).isEqualTo(value);
      assertThat(result.message()).isNull();
    } else {
      assertThat(result.hasValue()).isFalse();
      assertThat(result.value()).isNaN();
      assertThat(result.message()).contains(message).contains(base);
      if (outcome != Outcome.HttpError) {
        // Query-level failures name the query, so the SRE can paste it into Prometheus.
        assertThat(result.message()).contains(QUERY);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void vectorQueriesShareTheExchangeAndItsFailures(String name, Answer answer, Outcome outcome, double value,
      String message) {
    next.set(answer);
    PrometheusClient client = new PrometheusClient(base, Duration.ofSeconds(5), HTTP);
    VectorResult vector = client.queryVector(QUERY);
    QueryResult one = client.query(QUERY);
    assertThat(one.outcome()).as(name).isEqualTo(outcome);
    if (VectorResult.FAILURES.contains(outcome)) {
      // The same failure, word for word.
      assertThat(vector.outcome()).as(name).isEqualTo(outcome);
      assertThat(vector.message()).isEqualTo(one.message());
      assertThat(vector.samples()).isEmpty();
    } else {
      // No series, NaN, several series: all answers with series, which only a one-number reading refuses.
      assertThat(vector.outcome()).as(name).isEqualTo(Outcome.Value);
      assertThat(vector.message()).isNull();
      assertThat(vector.single(base, QUERY)).isEqualTo(one);
    }
  }

  @Test
  void vectorKeepsEverySeriesWithItsLabelsAndNaN() {
    next.set(new Answer(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
        + "\"result\":[{\"metric\":{\"metric\":\"requests\",\"destination_workload\":\"fraud-v1\"},"
        + "\"value\":[1735689600.5,\"41.7\"]},{\"metric\":{\"metric\":\"p99\",\"destination_workload\":\"idle\"},"
        + "\"value\":[1735689600.5,\"NaN\"]},{\"metric\":{},\"value\":[1735689600.5,\"+Inf\"]}]}}"));
    VectorResult r = new PrometheusClient(base, Duration.ofSeconds(5), HTTP).queryVector(QUERY);
    assertThat(r.hasValue()).isTrue();
    assertThat(r.samples()).hasSize(3);
    assertThat(r.samples().get(0)).isEqualTo(new Sample(Map.of("metric", "requests", "destination_workload",
        "fraud-v1"), 41.7));
    assertThat(r.samples().get(0).label("destination_workload")).isEqualTo("fraud-v1");
    assertThat(r.samples().get(0).label("pod")).isNull();
    assertThat(r.samples().get(1).value()).isNaN();
    assertThat(r.samples().get(1).labels()).containsExactly(Map.entry("destination_workload", "idle"),
        Map.entry("metric", "p99"));
    assertThat(r.samples().get(2)).isEqualTo(new Sample(Map.of(), Double.POSITIVE_INFINITY));
  }

  @Test
  void vectorOfAScalarIsOneUnlabelledSampleAndOfNothingNoSample() {
    PrometheusClient client = new PrometheusClient(base, Duration.ofSeconds(5), HTTP);
    next.set(new Answer(200, "application/json",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1735689600,\"2.5\"]}}"));
    assertThat(client.queryVector(QUERY)).isEqualTo(VectorResult.of(List.of(new Sample(Map.of(), 2.5))));
    next.set(new Answer(200, "application/json", vector()));
    assertThat(client.queryVector(QUERY)).isEqualTo(VectorResult.of(List.of()));
    // One malformed series spoils the answer: no partial analysis from a broken reply.
    next.set(new Answer(200, "application/json", vector("1", "many", "3")));
    assertThat(client.queryVector(QUERY).outcome()).isEqualTo(Outcome.HttpError);
    next.set(new Answer(200, "application/json", vector("1").replace("\"pod\":\"p0\"", "\"pod\":7")));
    assertThat(client.queryVector(QUERY).outcome()).isEqualTo(Outcome.HttpError);
  }

  @Test
  void vectorOfAClosedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    VectorResult result = new PrometheusClient(url, Duration.ofSeconds(2), HTTP).queryVector(QUERY);
    assertThat(result).isEqualTo(new VectorResult(Outcome.Unreachable, List.of(),
        "Prometheus at " + url + " is unreachable: Connection refused"));
  }

  @Test
  void vectorResultsCarrySamplesOrAMessage() {
    assertThatThrownBy(() -> new VectorResult(Outcome.Value, List.of(), "why"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VectorResult(Outcome.Timeout, List.of(), " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VectorResult(Outcome.QueryError, List.of(new Sample(Map.of(), 1)), "why"))
        .isInstanceOf(IllegalArgumentException.class);
    // Empty, NaN and many series are what a one-number reading makes of series, not outcomes of a vector.
    assertThatThrownBy(() -> VectorResult.failure(QueryResult.empty("http://p:9090", "q")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VectorResult.failure(QueryResult.value(1)))
        .isInstanceOf(IllegalArgumentException.class);
    VectorResult two = VectorResult.of(List.of(new Sample(Map.of("a", "1"), 1), new Sample(Map.of("a", "2"), 2)));
    assertThat(two.single("http://p:9090", "q").outcome()).isEqualTo(Outcome.ManySeries);
    assertThat(VectorResult.of(List.of(new Sample(Map.of(), Double.NaN))).single("http://p:9090", "q").outcome())
        .isEqualTo(Outcome.NotANumber);
    assertThat(VectorResult.of(List.of(new Sample(Map.of("a", "1"), 7))).single("http://p:9090", "q"))
        .isEqualTo(QueryResult.value(7));
    VectorResult down = VectorResult.failure(QueryResult.unreachable("http://p:9090", "Connection refused"));
    assertThat(down.single("http://p:9090", "q")).isEqualTo(QueryResult.unreachable("http://p:9090",
        "Connection refused"));
  }

  @Test
  void slowAnswerIsATimeout() {
    long t0 = System.nanoTime();
    QueryResult result = new PrometheusClient(base + "/slow", Duration.ofMillis(300), HTTP).query(QUERY);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(result.outcome()).isEqualTo(Outcome.Timeout);
    assertThat(result.message()).isEqualTo("Prometheus at " + base + "/slow did not answer within 300ms (query: "
        + QUERY + ")");
    assertThat(millis).as("gave up after the timeout, not later").isBetween(250L, 3000L);
  }

  @Test
  void closedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    QueryResult result = new PrometheusClient(url, Duration.ofSeconds(2), HTTP).query(QUERY);
    assertThat(result.outcome()).isEqualTo(Outcome.Unreachable);
    assertThat(result.message()).isEqualTo("Prometheus at " + url + " is unreachable: Connection refused");
  }

  @Test
  void unknownHostIsUnreachable() {
    // .invalid never resolves (RFC 2606).
    String url = "http://prometheus.mlserving.invalid:9090";
    QueryResult result = new PrometheusClient(url, Duration.ofSeconds(3), HTTP).query(QUERY);
    assertThat(result.outcome()).isEqualTo(Outcome.Unreachable);
    assertThat(result.message()).isEqualTo("Prometheus at " + url + " is unreachable: unknown host "
        + "prometheus.mlserving.invalid");
  }

  @Test
  void unusableUrlIsUnreachableWithoutThrowing() {
    assertThat(new PrometheusClient("prometheus:9090", Duration.ofSeconds(1), HTTP).query(QUERY).message())
        .isEqualTo("Prometheus at prometheus:9090 is unreachable: the URL is not http(s)");
    assertThat(new PrometheusClient("http://", Duration.ofSeconds(1), HTTP).query(QUERY).outcome())
        .isEqualTo(Outcome.Unreachable);
    assertThat(new PrometheusClient("http://a b:9090", Duration.ofSeconds(1), HTTP).query(QUERY).message())
        .startsWith("Prometheus at http://a b:9090 is unreachable: the URL is malformed");
    assertThat(new PrometheusClient("http://p:9090/?x=1", Duration.ofSeconds(1), HTTP).query(QUERY).message())
        .endsWith("the URL has a query or fragment");
  }

  @Test
  void pathPrefixWithOrWithoutTrailingSlash() {
    next.set(new Answer(200, "application/json", vector("42")));
    for (String url : List.of(base + "/prometheus", base + "/prometheus/", base + "/prometheus//")) {
      PrometheusClient client = new PrometheusClient(url, Duration.ofSeconds(5), HTTP);
      assertThat(client.url()).isEqualTo(base + "/prometheus");
      assertThat(client.query(QUERY)).isEqualTo(QueryResult.value(42));
      assertThat(lastRequest.get().getPath()).isEqualTo("/prometheus/api/v1/query");
    }
    PrometheusClient root = new PrometheusClient(base + "/", Duration.ofSeconds(5), HTTP);
    assertThat(root.query(QUERY)).isEqualTo(QueryResult.value(42));
    assertThat(lastRequest.get().getPath()).isEqualTo("/api/v1/query");
  }

  @Test
  void queryIsUrlEncoded() {
    next.set(new Answer(200, "application/json", vector("1")));
    PrometheusClient client = new PrometheusClient(base, Duration.ofSeconds(5), HTTP);

    client.query("up{job=\"a b\"}");
    assertThat(lastRequest.get().getRawQuery()).isEqualTo("query=up%7Bjob%3D%22a%20b%22%7D");

    // Characters that would end or change the parameter if sent raw: & = + # % ? and a non-ASCII one.
    String tricky = "sum(rate(x{a=~\"b+c|d&e=f\",g!~\"5.*\"}[1m])) / 2 # 100% ? é";
    client.query(tricky);
    String raw = lastRequest.get().getRawQuery();
    assertThat(raw).startsWith("query=").doesNotContain(" ", "&", "#", "+", "\"");
    assertThat(raw.substring("query=".length()).chars().filter(c -> c == '=').count()).isZero();
    assertThat(lastRequest.get().getQuery()).isEqualTo("query=" + tricky);
  }

  @Test
  void clientsShareOneClientPerUrl() {
    PrometheusClients clients = new PrometheusClients(Duration.ofSeconds(2));
    Prometheus a = clients.forUrl("http://prometheus.istio-system:9090");
    assertThat(clients.forUrl("http://prometheus.istio-system:9090/")).isSameAs(a);
    assertThat(clients.forUrl("http://other:9090")).isNotSameAs(a);
    assertThat(a.url()).isEqualTo("http://prometheus.istio-system:9090");

    next.set(new Answer(200, "application/json", vector("7")));
    assertThat(clients.forUrl(base).query(QUERY)).isEqualTo(QueryResult.value(7));
  }

  @Test
  void resultsCarryAMessageExactlyWhenThereIsNoValue() {
    assertThat(QueryResult.value(1).message()).isNull();
    assertThatThrownBy(() -> QueryResult.value(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueryResult(Outcome.Empty, Double.NaN, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueryResult(Outcome.Value, 1, "why"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(QueryResult.empty("http://p:9090", "q").message())
        .isEqualTo("no data: the query returned no series (Prometheus at http://p:9090, query: q)");
    assertThat(QueryResult.manySeries("http://p:9090", 3, "q").message())
        .startsWith("the query returned 3 series, expected one");
    String longQuery = "a".repeat(300);
    assertThat(QueryResult.notANumber("http://p:9090", longQuery).message())
        .contains("a".repeat(200) + "…)").doesNotContain("a".repeat(201));
  }
}
