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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The fabric8 CRUD mock with three additions the operator tests need:
 * <ul>
 *   <li>server-side apply, which the plain mock refuses: an apply patch creates the object when it is
 *       missing and is merged into it (JSON merge patch) when it exists. Field ownership is not modelled:
 *       that part of SSA can only be checked on a real cluster;</li>
 *   <li>a log of every request (method and path), to count writes and reads;</li>
 *   <li>injected faults: the next matching requests get a given status code or a delay.</li>
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

  /** A fault: the next {@code times} requests matching {@code when} get {@code code} (after {@code delayMs}). */
  public static final class Fault {
    final Predicate<Request> when;
    final int code;
    final long delayMs;
    final AtomicInteger remaining;

    Fault(Predicate<Request> when, int code, long delayMs, int times) {
      this.when = when;
      this.code = code;
      this.delayMs = delayMs;
      this.remaining = new AtomicInteger(times);
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, String> discovery = new java.util.concurrent.ConcurrentHashMap<>();

  public RecordingDispatcher() {
    super(List.of());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Request r = new Request(request.getMethod(), request.getPath(), request.getHeader("Content-Type"));
    requests.add(r);
    for (Fault f : faults) {
      if (f.when.test(r) && f.remaining.getAndDecrement() > 0) {
        MockResponse response = new MockResponse().setResponseCode(f.code)
            .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + f.code
                + ",\"reason\":\"InjectedFault\",\"message\":\"injected fault " + f.code + "\"}");
        if (f.delayMs > 0) {
          response.setBodyDelay(java.time.Duration.ofMillis(f.delayMs));
        }
        return response;
      }
    }
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
  public void failNext(Predicate<Request> when, int code, int times) {
    faults.add(new Fault(when, code, 0, times));
  }

  /** The next {@code times} requests matching {@code when} answer {@code code} only after {@code delayMs}. */
  public void delayNext(Predicate<Request> when, int code, long delayMs, int times) {
    faults.add(new Fault(when, code, delayMs, times));
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

  public void clearFaults() {
    faults.clear();
  }
}
