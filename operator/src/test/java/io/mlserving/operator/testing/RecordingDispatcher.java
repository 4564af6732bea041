package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The fabric8 CRUD mock with four additions the operator tests need:
 * <ul>
 *   <li>server-side apply, which the plain mock refuses: an apply patch creates the object when it is
 *       missing and is merged into it (JSON merge patch) when it exists. Field ownership is not modelled:
 *       that part of SSA can only be checked on a real cluster;</li>
 *   <li>a log of every request (method and path), to count writes and reads;</li>
 *   <li>injected faults: the next matching requests get a given status code or a delay (with or without the
 *       request being carried out);</li>
 *   <li>dropped watches: every open watch connection can be closed, the clients then reconnect; and watches
 *       resuming from a too old resourceVersion can be told 410 Gone, so the clients list again.</li>
 * </ul>
 */
public class RecordingDispatcher extends KubernetesCrudDispatcher {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the server saw it. */
  public record Request(String method, String path, String contentType) {
    public boolean isWrite() {
      return WRITES.contains(method);
    }

    public boolean isWatch() {
      return path.contains("watch=true");
    }
  }

  /**
   * A fault: the next {@code times} requests matching {@code when} get {@code code} (after {@code delayMs}), or,
   * when {@code processed}, are carried out as usual and only their answer is held back {@code delayMs}.
   */
  public static final class Fault {
    final Predicate<Request> when;
    final int code;
    final long delayMs;
    final boolean processed;
    final int times;
    final AtomicInteger remaining;

    Fault(Predicate<Request> when, int code, long delayMs, boolean processed, int times) {
      this.times = times;
      this.when = when;
      this.code = code;
      this.delayMs = delayMs;
      this.processed = processed;
      this.remaining = new AtomicInteger(times);
    }

    /** How many matching requests this fault has hit so far. */
    public int hits() {
      return times - remaining.get();
    }

    /** Whether every one of its {@code times} has been used. */
    public boolean spent() {
      return remaining.get() == 0;
    }

    boolean claim(Request r) {
      return when.test(r) && remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, String> discovery = new java.util.concurrent.ConcurrentHashMap<>();
  private final Set<WebSocket> openWatches = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong watchesExpiredBefore = new java.util.concurrent.atomic.AtomicLong();

  public RecordingDispatcher() {
    super(List.of());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Request r = new Request(request.getMethod(), request.getPath(), request.getHeader("Content-Type"));
    requests.add(r);
    Fault fault = faults.stream().filter(f -> f.claim(r)).findFirst().orElse(null);
    if (fault != null && !fault.processed) {
      MockResponse response = new MockResponse().setResponseCode(fault.code)
          .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + fault.code
              + ",\"reason\":\"InjectedFault\",\"message\":\"injected fault " + fault.code + "\"}");
      if (fault.delayMs > 0) {
        response.setBodyDelay(java.time.Duration.ofMillis(fault.delayMs));
      }
      return response;
    }
    MockResponse response = handle(request, r);
    if (fault != null) {
      // The mock sends status line, headers and body together once the delay is over.
      response.setBodyDelay(java.time.Duration.ofMillis(fault.delayMs));
    }
    return response;
  }

  private MockResponse handle(RecordedRequest request, Request r) {
    String discovered = "GET".equals(r.method()) ? discovery.get(r.path()) : null;
    if (discovered != null) {
      return new MockResponse().setResponseCode(200).setBody(discovered);
    }
    if ("POST".equals(r.method()) && r.path().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
      // JOSDK checks, before it runs for a Lease, that it may use Leases: answer as the chart's RBAC grants.
      return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
          + "\"kind\":\"SelfSubjectRulesReview\",\"status\":{\"incomplete\":false,\"nonResourceRules\":[],"
          + "\"resourceRules\":[{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],"
          + "\"verbs\":[\"get\",\"create\",\"update\",\"patch\"]}]}}");
    }
    if ("PATCH".equals(r.method()) && r.contentType() != null
        && r.contentType().startsWith("application/apply-patch")) {
      return apply(request);
    }
    return super.dispatch(request);
  }

  /** Remembers every watch's WebSocket so a test can drop them all, as an API server restart or a proxy would. */
  @Override
  public MockResponse handleWatch(String path) {
    long from = resourceVersionOf(path);
    long expired = watchesExpiredBefore.get();
    if (from >= 0 && from < expired) {
      return gone(from, expired);
    }
    MockResponse response = super.handleWatch(path);
    WebSocketListener inner = response.getWebSocketListener();
    if (inner != null) {
      response.withWebSocketUpgrade(new TrackedWatch(inner));
    }
    return response;
  }

  /**
   * Closes every open watch connection (as an API server restart or an idle-timeout in a proxy does); the
   * clients reconnect by themselves. Returns how many were closed.
   */
  public int dropWatches() {
    int n = 0;
    for (WebSocket ws : List.copyOf(openWatches)) {
      if (ws.close(1001, "dropped by the test")) {
        n++;
      }
      openWatches.remove(ws);
    }
    return n;
  }

  /**
   * From now on a watch that resumes from a resourceVersion older than {@code resourceVersion} is told
   * "410 Gone: too old resource version" (a watch ERROR event, as an API server sends once its history of
   * events was compacted, for example after an outage), so the client must list again.
   */
  public void expireWatchesBefore(long resourceVersion) {
    watchesExpiredBefore.set(resourceVersion);
  }

  private static long resourceVersionOf(String path) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]resourceVersion=([0-9]+)").matcher(path);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static MockResponse gone(long from, long expired) {
    String event = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
        + "\"status\":\"Failure\",\"message\":\"too old resource version: " + from + " (" + expired + ")\","
        + "\"reason\":\"Expired\",\"code\":410}}";
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
        ws.send(event);
        ws.close(1000, "too old resource version");
      }
    });
  }

  /** Open watch connections right now. */
  public int openWatches() {
    return openWatches.size();
  }

  private final class TrackedWatch extends WebSocketListener {
    private final WebSocketListener inner;

    TrackedWatch(WebSocketListener inner) {
      this.inner = inner;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
      inner.onBeforeAccept(ws, response);
    }

    @Override
    public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
      openWatches.add(ws);
      inner.onOpen(ws, response);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      inner.onMessage(ws, text);
    }

    @Override
    public void onMessage(WebSocket ws, io.fabric8.mockwebserver.http.ByteString bytes) {
      inner.onMessage(ws, bytes);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      inner.onMessage(ws, bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      openWatches.remove(ws);
      inner.onClosing(ws, code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      openWatches.remove(ws);
      inner.onClosed(ws, code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, io.fabric8.mockwebserver.http.Response response) {
      openWatches.remove(ws);
      inner.onFailure(ws, t, response);
    }
  }

  private MockResponse apply(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String body;
    try {
      JsonNode tree = YAML.readTree(request.getUtf8Body());
      body = JSON.writeValueAsString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Headers json = Headers.builder().add("Content-Type", "application/json").build();
    if (handleGet(bare).code() == 404) {
      String collection = bare.substring(0, bare.lastIndexOf('/'));
      return handleCreate(new RecordedRequest("POST " + collection + " HTTP/1.1", HttpMethod.POST, collection,
          json, new Buffer().writeUtf8(body)));
    }
    // RFC 7386 merge of the applied object into the stored one, then a plain update: the mock's own
    // merge-patch keeps old list items, where a merge patch (and SSA of fields we own) replaces them.
    try {
      com.fasterxml.jackson.databind.node.ObjectNode stored =
          (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(handleGet(bare).getBody().readUtf8());
      JsonNode merged = mergePatch(stored, JSON.readTree(body));
      return handleUpdate(new RecordedRequest("PUT " + bare + " HTTP/1.1", HttpMethod.PUT, bare, json,
          new Buffer().writeUtf8(JSON.writeValueAsString(merged))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    com.fasterxml.jackson.databind.node.ObjectNode out = target != null && target.isObject()
        ? ((com.fasterxml.jackson.databind.node.ObjectNode) target).deepCopy()
        : JSON.createObjectNode();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    });
    return out;
  }

  /** Every request since the start or the last {@link #clearRequests()}. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Writes (POST, PUT, PATCH, DELETE) since the last clear. */
  public List<Request> writes() {
    return requests.stream().filter(Request::isWrite).toList();
  }

  /** Plain reads (GET that are not watches) since the last clear. */
  public List<Request> reads() {
    return requests.stream().filter(r -> "GET".equals(r.method()) && !r.isWatch()).toList();
  }

  public void clearRequests() {
    requests.clear();
  }

  /** The next {@code times} requests matching {@code when} fail with {@code code}. */
  public Fault failNext(Predicate<Request> when, int code, int times) {
    Fault f = new Fault(when, code, 0, false, times);
    faults.add(f);
    return f;
  }

  /**
   * The next {@code times} requests matching {@code when} answer {@code code} only after {@code delayMs}, and are
   * not carried out: a write that times out before it reaches storage.
   */
  public Fault delayNext(Predicate<Request> when, int code, long delayMs, int times) {
    Fault f = new Fault(when, code, delayMs, false, times);
    faults.add(f);
    return f;
  }

  /**
   * The next {@code times} requests matching {@code when} are carried out as usual but answered only after
   * {@code delayMs}: a write that lands while the client has already given up on it.
   */
  public Fault slowNext(Predicate<Request> when, long delayMs, int times) {
    Fault f = new Fault(when, 0, delayMs, true, times);
    faults.add(f);
    return f;
  }

  /**
   * Answers the discovery request {@code GET /apis/<groupVersion>} with the given resources (plural name to
   * kind), as an API server does for a served group version; the CRUD mock itself answers 404.
   */
  public void serve(String groupVersion, java.util.Map<String, String> pluralToKind) {
    StringBuilder sb = new StringBuilder("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"")
        .append(groupVersion).append("\",\"resources\":[");
    String sep = "";
    for (var e : pluralToKind.entrySet()) {
      sb.append(sep).append("{\"name\":\"").append(e.getKey()).append("\",\"kind\":\"").append(e.getValue())
          .append("\",\"namespaced\":true,\"singularName\":\"\",\"verbs\":[\"get\",\"list\",\"watch\",\"create\",")
          .append("\"update\",\"patch\",\"delete\"]}");
      sep = ",";
    }
    discovery.put("/apis/" + groupVersion, sb.append("]}").toString());
  }

  /** Stops answering the discovery request of {@code groupVersion} (the mock then answers 404, as a server without it). */
  public void unserve(String groupVersion) {
    discovery.remove("/apis/" + groupVersion);
  }

  public void clearFaults() {
    faults.clear();
  }
}
