package io.mlserving.operator.prom;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A test-side stand-in for Istio's sidecars: serves {@code /metrics} on 127.0.0.1 in the Prometheus text
 * format, with the series Istio's standard metrics have ({@code istio_requests_total}, the
 * {@code istio_request_duration_milliseconds} histogram) and gauges, whose values the test drives.
 *
 * <p>Two ways to drive it: one-off increments ({@link #requests}, {@link #latency}), or a steady rate
 * ({@link #traffic}), which a ticker of the exporter advances every {@value #TICK_MILLIS} ms so that
 * {@code rate()} and {@code increase()} over a window see a counter that grows with time.
 * <pre>{@code
 * try (IstioExporter istio = IstioExporter.start();
 *      PrometheusServer prometheus = PrometheusServer.scraping(istio.target())) {
 *   istio.traffic(IstioExporter.Requests.to("prod", "fraud-v2").code(200)).rate(19).latencyMs(30);
 *   istio.traffic(IstioExporter.Requests.to("prod", "fraud-v2").code(503)).rate(1);
 *   prometheus.awaitValue(IstioQueries.successRate("prod", "fraud-v2", window), v -> Math.abs(v - 95) < 1, ...);
 * }
 * }</pre>
 */
public final class IstioExporter implements AutoCloseable {
  /** Istio's request counter. */
  public static final String REQUESTS_TOTAL = "istio_requests_total";
  /** Istio's request duration histogram (base name of {@code _bucket}, {@code _sum}, {@code _count}). */
  public static final String REQUEST_DURATION = "istio_request_duration_milliseconds";
  /** Envoy's gauge of hosts ejected by outlier detection (for circuit-breaker analysis). */
  public static final String OUTLIER_EJECTIONS_ACTIVE = "envoy_cluster_outlier_detection_ejections_active";
  /** Istio's default bucket bounds for request durations, in milliseconds (+Inf is added). */
  public static final List<Double> DURATION_BUCKETS = List.of(1d, 2d, 5d, 10d, 25d, 50d, 100d, 250d, 500d,
      1000d, 2500d, 5000d, 10000d, 30000d, 60000d, 300000d, 600000d, 1800000d, 3600000d);
  /** How often the ticker advances steady traffic. */
  public static final long TICK_MILLIS = 100;

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /**
   * The labels of one Istio request series, as a destination sidecar reports them. {@link #to} fills every
   * label Istio sets; {@link #with} and {@link #code} change one.
   */
  public record Requests(SortedMap<String, String> labels) {
    /** Copies and checks the labels. */
    public Requests {
      labels = checked(labels);
    }

    /**
     * Requests that {@code workload} in {@code namespace} served (its Service is named like the workload),
     * reported by the destination, from a {@code loadgen} workload in the same namespace, HTTP 200.
     */
    public static Requests to(String namespace, String workload) {
      SortedMap<String, String> l = new TreeMap<>();
      l.put("reporter", "destination");
      l.put("source_workload", "loadgen");
      l.put("source_workload_namespace", namespace);
      l.put("destination_workload", workload);
      l.put("destination_workload_namespace", namespace);
      l.put("destination_service", workload + "." + namespace + ".svc.cluster.local");
      l.put("destination_service_name", workload);
      l.put("destination_service_namespace", namespace);
      l.put("response_code", "200");
      l.put("response_flags", "-");
      l.put("request_protocol", "http");
      return new Requests(l);
    }

    /**
     * Requests to {@code workload}'s Service in {@code namespace} as the calling sidecar reports them
     * ({@code reporter="source"}): from a {@code loadgen} workload in the same namespace, HTTP 200. Circuit
     * breaking shows here only: a refused request ({@link #refused}) never reaches a destination sidecar.
     */
    public static Requests from(String namespace, String workload) {
      return to(namespace, workload).with("reporter", "source");
    }

    /**
     * These requests refused by the client's sidecar with Envoy's response flag {@code flag} ({@code UO}: the
     * connection pool overflowed; {@code UH}: no healthy upstream): HTTP 503, and no destination workload (no
     * endpoint was picked, so Istio reports it {@code unknown}).
     */
    public Requests refused(String flag) {
      return with("response_flags", flag).code(503).with("destination_workload", "unknown")
          .with("destination_workload_namespace", "unknown");
    }

    /** These labels with {@code label} set to {@code value}. */
    public Requests with(String label, String value) {
      SortedMap<String, String> l = new TreeMap<>(labels);
      l.put(label, value);
      return new Requests(l);
    }

    /** These labels with {@code response_code} {@code code}. */
    public Requests code(int code) {
      return with("response_code", Integer.toString(code));
    }
  }

  /** One histogram series: cumulative counts per bound (the last is +Inf), sum and count. */
  private static final class Histogram {
    final long[] cumulative = new long[DURATION_BUCKETS.size() + 1];
    double sum;
    long count;

    void observe(double ms, long n) {
      for (int i = 0; i < DURATION_BUCKETS.size(); i++) {
        if (ms <= DURATION_BUCKETS.get(i)) {
          cumulative[i] += n;
        }
      }
      cumulative[DURATION_BUCKETS.size()] += n;
      sum += ms * n;
      count += n;
    }
  }

  /**
   * A steady stream of requests with one label set: {@link #rate} requests per second, each counted in
   * {@code istio_requests_total} and, unless {@link #latencyMs} is negative, observed in the histogram.
   * Requests are whole: the fractional part carries over to the next tick.
   */
  public final class Traffic {
    private final Requests labels;
    private volatile double perSecond;
    private volatile double latencyMs = 10;
    private double owed;
    private boolean stopped;
    private long lastTick = System.nanoTime();

    private Traffic(Requests labels) {
      this.labels = labels;
    }

    /** Sets the rate in requests per second (0 pauses the stream). */
    public Traffic rate(double perSecond) {
      if (perSecond < 0) {
        throw new IllegalArgumentException("a rate is >= 0");
      }
      synchronized (IstioExporter.this) {
        if (stopped) {
          throw new IllegalStateException("this traffic was stopped; start a new one");
        }
        advance(System.nanoTime());
        this.perSecond = perSecond;
      }
      return this;
    }

    /** Sets the duration each request is observed with, in milliseconds (negative: counter only). */
    public Traffic latencyMs(double ms) {
      this.latencyMs = ms;
      return this;
    }

    /** Ends the stream; what it counted stays. */
    public void stop() {
      synchronized (IstioExporter.this) {
        advance(System.nanoTime());
        perSecond = 0;
        stopped = true;
        streams.remove(this);
      }
    }

    /** Counts the whole requests owed since the last tick (caller holds the exporter's lock). */
    private void advance(long now) {
      owed += perSecond * (now - lastTick) / 1e9;
      lastTick = now;
      long whole = (long) owed;
      if (whole > 0) {
        owed -= whole;
        count(labels, whole);
        if (latencyMs >= 0) {
          observe(labels, latencyMs, whole);
        }
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService httpThreads;
  private final ScheduledExecutorService ticker;
  private final Map<SortedMap<String, String>, Long> counters = new HashMap<>();
  private final Map<SortedMap<String, String>, Histogram> histograms = new HashMap<>();
  // Gauge name -> label set -> value.
  private final Map<String, Map<SortedMap<String, String>, Double>> gauges = new TreeMap<>();
  private final List<Traffic> streams = new CopyOnWriteArrayList<>();
  private final AtomicInteger scrapes = new AtomicInteger();

  private IstioExporter() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the Istio exporter on 127.0.0.1", e);
    }
    httpThreads = Executors.newFixedThreadPool(2, daemon("istio-exporter-http"));
    server.setExecutor(httpThreads);
    server.createContext("/metrics", this::serve);
    server.start();
    ticker = Executors.newSingleThreadScheduledExecutor(daemon("istio-exporter-ticker"));
    ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Starts an exporter on a free port of 127.0.0.1. */
  public static IstioExporter start() {
    return new IstioExporter();
  }

  /** {@code 127.0.0.1:<port>}, the scrape target. */
  public String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>/metrics}. */
  public String url() {
    return "http://" + target() + "/metrics";
  }

  /** How many times {@code /metrics} was fetched. */
  public int scrapes() {
    return scrapes.get();
  }

  /** Adds {@code n} requests with {@code labels} to {@code istio_requests_total}. */
  public synchronized IstioExporter requests(Requests labels, long n) {
    count(labels, n);
    return this;
  }

  /** Observes {@code n} requests with {@code labels} that took {@code ms} milliseconds, in the histogram. */
  public synchronized IstioExporter latency(Requests labels, double ms, long n) {
    observe(labels, ms, n);
    return this;
  }

  /** Sets gauge {@code name} with {@code labels} to {@code value}. */
  public synchronized IstioExporter gauge(String name, Map<String, String> labels, double value) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a metric name: " + name);
    }
    gauges.computeIfAbsent(name, k -> new HashMap<>()).put(checked(labels), value);
    return this;
  }

  /**
   * Sets Envoy's outlier-ejection gauge of the outbound cluster Istio names for {@code fqdn}'s port
   * {@code port} ({@code outbound|<port>||<fqdn>}) to {@code ejected} hosts.
   */
  public IstioExporter ejections(int port, String fqdn, double ejected) {
    return gauge(OUTLIER_EJECTIONS_ACTIVE, Map.of("cluster_name", "outbound|" + port + "||" + fqdn), ejected);
  }

  /** A new steady stream of requests with {@code labels}, at rate 0 until {@link Traffic#rate} is called. */
  public Traffic traffic(Requests labels) {
    Traffic t = new Traffic(labels);
    streams.add(t);
    return t;
  }

  /** {@link #traffic(Requests)} for {@link Requests#to}{@code (namespace, workload)}, HTTP 200. */
  public Traffic traffic(String namespace, String workload) {
    return traffic(Requests.to(namespace, workload));
  }

  /** The current {@code /metrics} text. */
  public synchronized String text() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP ").append(REQUESTS_TOTAL).append(" Total requests (test exporter).\n");
    out.append("# TYPE ").append(REQUESTS_TOTAL).append(" counter\n");
    sorted(counters).forEach(e -> sample(out, REQUESTS_TOTAL, e.getKey(), null, e.getValue()));
    out.append("# HELP ").append(REQUEST_DURATION).append(" Request duration in milliseconds (test exporter).\n");
    out.append("# TYPE ").append(REQUEST_DURATION).append(" histogram\n");
    sorted(histograms).forEach(e -> {
      SortedMap<String, String> labels = e.getKey();
      Histogram h = e.getValue();
      for (int i = 0; i <= DURATION_BUCKETS.size(); i++) {
        String le = i < DURATION_BUCKETS.size() ? number(DURATION_BUCKETS.get(i)) : "+Inf";
        sample(out, REQUEST_DURATION + "_bucket", labels, le, h.cumulative[i]);
      }
      sample(out, REQUEST_DURATION + "_sum", labels, null, h.sum);
      sample(out, REQUEST_DURATION + "_count", labels, null, h.count);
    });
    gauges.forEach((name, series) -> {
      out.append("# TYPE ").append(name).append(" gauge\n");
      sorted(series).forEach(e -> sample(out, name, e.getKey(), null, e.getValue()));
    });
    return out.toString();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    server.stop(0);
    httpThreads.shutdownNow();
  }

  private synchronized void tick() {
    long now = System.nanoTime();
    for (Traffic t : streams) {
      t.advance(now);
    }
  }

  private void count(Requests labels, long n) {
    counters.merge(labels.labels(), n, Long::sum);
  }

  private void observe(Requests labels, double ms, long n) {
    histograms.computeIfAbsent(labels.labels(), k -> new Histogram()).observe(ms, n);
  }

  private void serve(HttpExchange ex) throws IOException {
    byte[] body = text().getBytes(StandardCharsets.UTF_8);
    scrapes.incrementAndGet();
    ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void sample(StringBuilder out, String name, Map<String, String> labels, String le, double v) {
    out.append(name).append('{');
    List<String> pairs = new ArrayList<>();
    labels.forEach((k, val) -> pairs.add(k + "=\"" + escape(val) + "\""));
    if (le != null) {
      pairs.add("le=\"" + le + "\"");
    }
    out.append(String.join(",", pairs)).append("} ").append(number(v)).append('\n');
  }

  /** A number as the text format writes it: integers without ".0", NaN, +Inf, -Inf. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Label value escaping of the text format: backslash, double quote, newline. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static SortedMap<String, String> checked(Map<String, String> labels) {
    SortedMap<String, String> copy = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__") || k.equals("le")) {
        throw new IllegalArgumentException("not a label name a test may set: " + k);
      }
      copy.put(k, Objects.requireNonNull(v, k));
    });
    return java.util.Collections.unmodifiableSortedMap(copy);
  }

  /** The series ordered by their labels, so the text is stable from one scrape to the next. */
  private static <V> List<Map.Entry<SortedMap<String, String>, V>> sorted(Map<SortedMap<String, String>, V> m) {
    return m.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().toString())).toList();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
