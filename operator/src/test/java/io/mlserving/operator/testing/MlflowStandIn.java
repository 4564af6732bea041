package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an MLflow tracking server on loopback (there is no MLflow to be had here): the two Model Registry
 * endpoints the operator calls and the artifact proxy the mlflow-artifacts loader calls, with MLflow's answers and
 * error bodies, plus switches for credentials, slow and failing answers and outages, and a log of the requests.
 *
 * <p>What it answers, as MLflow 2.x/3.x does (REST API reference https://mlflow.org/docs/latest/rest-api.html;
 * the artifact proxy of {@code mlflow server --serve-artifacts},
 * https://mlflow.org/docs/latest/self-hosting/architecture/tracking-server; the shapes checked against MLflow's
 * server handlers, its SQL model-registry store and its local artifact repository):
 * <ul>
 *   <li>{@code GET /api/2.0/mlflow/registered-models/alias?name=&alias=}: 200 {@code {"model_version": {...}}};
 *       an unknown model or alias is 400 INVALID_PARAMETER_VALUE "Registered model alias A not found." (MLflow's
 *       SQL store looks the alias up directly, so it answers the same for a model that does not exist); a missing
 *       name or alias is 400 INVALID_PARAMETER_VALUE "Missing value for required parameter 'name'. See the API docs
 *       for more information about request parameters."</li>
 *   <li>{@code GET /api/2.0/mlflow/model-versions/get-download-uri?name=&version=}: 200 {@code {"artifact_uri": ...}};
 *       an unknown model or version is 404 RESOURCE_DOES_NOT_EXIST "Model Version (name=N, version=V) not found"; an
 *       empty name is 400 "Registered model name cannot be empty."; a version that is not an integer is 400 "Model
 *       version must be an integer, got 'V'".</li>
 *   <li>{@code GET /api/2.0/mlflow-artifacts/artifacts?path=D}: {@code {"files": [{"path": <basename>, "is_dir":
 *       bool, "file_size": n}]}}, sorted, the path of each entry its base name (MLflow strips the directory),
 *       {@code file_size} only for files; a missing directory or a file's path lists nothing, which MLflow's JSON
 *       writes as {@code {}}; a path with {@code ..} or an absolute one is 400 INVALID_PARAMETER_VALUE "Invalid
 *       path".</li>
 *   <li>{@code GET /api/2.0/mlflow-artifacts/artifacts/<path>}: the file's bytes; a missing file is 404
 *       RESOURCE_DOES_NOT_EXIST "No such artifact: 'P'"; a directory is Flask's HTML 500 (MLflow fails opening
 *       it).</li>
 *   <li>Any other path: Flask's HTML 404 page (no MLflow error body).</li>
 *   <li>With {@link #requireBasic} or {@link #requireBearer}, a request without the right Authorization gets what
 *       MLflow's basic-auth app answers: 401, {@code WWW-Authenticate: Basic realm="mlflow"}, and a plain-text body
 *       "You are not authenticated. Please see
 *       https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate." (a
 *       bearer-token server is a proxy or plugin in front of MLflow; it answers the
 *       same here, with a Bearer challenge).</li>
 * </ul>
 * Errors are {@code {"error_code": ..., "message": ...}} as application/json, with the HTTP status MLflow maps the
 * code to (INVALID_PARAMETER_VALUE 400, RESOURCE_DOES_NOT_EXIST 404). Thread-safe; every test switch takes effect
 * for the next request.
 */
public final class MlflowStandIn implements AutoCloseable {
  /** The alias lookup, as {@link #requests(String)} names it. */
  public static final String ALIAS_PATH = "/api/2.0/mlflow/registered-models/alias";
  /** The version lookup. */
  public static final String DOWNLOAD_URI_PATH = "/api/2.0/mlflow/model-versions/get-download-uri";
  /** The artifact proxy: listed with {@code ?path=}, a file fetched under it. */
  public static final String ARTIFACTS_PATH = "/api/2.0/mlflow-artifacts/artifacts";
  /** What MLflow's basic-auth app answers a request without valid credentials (status 401). */
  public static final String UNAUTHENTICATED_BODY = "You are not authenticated. Please see "
      + "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.";
  /** What MLflow's basic-auth app answers an authenticated user without permission (status 403). */
  public static final String PERMISSION_DENIED_BODY = "Permission denied";
  /** Flask's page for an unhandled error in a handler (status 500), as MLflow serves it. */
  public static final String HTML_500 = """
      <!doctype html>
      <html lang=en>
      <title>500 Internal Server Error</title>
      <h1>Internal Server Error</h1>
      <p>The server encountered an internal error and was unable to complete your request. Either the server is \
      overloaded or there is an error in the application.</p>
      """;
  /** Flask's page for a path no route matches (status 404). */
  public static final String HTML_404 = """
      <!doctype html>
      <html lang=en>
      <title>404 Not Found</title>
      <h1>Not Found</h1>
      <p>The requested URL was not found on the server. If you entered the URL manually please check your spelling \
      and try again.</p>
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request as the stand-in saw it: the path without the prefix (the whole path when it was outside the
   * prefix: {@code underPrefix} false), the decoded query, the Authorization header.
   */
  public record Request(String method, String path, Map<String, String> query, String authorization,
      boolean underPrefix) {}

  private record Version(String name, String version, String source, String runId, long created) {}

  private record Failure(int status, String body) {}

  private final String prefix;
  private final Object lock = new Object();
  // name -> version -> Version; name -> alias -> version. Guarded by lock.
  private final Map<String, Map<String, Version>> models = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> aliases = new HashMap<>();
  private final Map<String, byte[]> artifacts = new TreeMap<>();
  private final Deque<Failure> next = new ArrayDeque<>();
  private final Map<String, Failure> onPath = new HashMap<>();
  private final Map<String, String> redirects = new HashMap<>();
  private Failure always;
  private String requiredAuthorization;
  private String challenge;
  private Duration delay = Duration.ZERO;
  private final List<Request> log = new CopyOnWriteArrayList<>();
  private final AtomicLong runIds = new AtomicLong(1);

  private int port;
  private HttpServer server;
  private ExecutorService executor;
  // Counted down when the server stops, so a delayed answer ends with it instead of outliving it.
  private volatile CountDownLatch stopped = new CountDownLatch(1);

  private MlflowStandIn(String prefix) {
    this.prefix = prefix;
    bind(0);
  }

  /** A started stand-in serving the API at the root of its URL. */
  public static MlflowStandIn start() {
    return new MlflowStandIn("");
  }

  /**
   * A started stand-in serving the API under {@code pathPrefix} (as behind a reverse proxy, or MLflow's
   * {@code --static-prefix}), for example {@code /mlflow}: its URL is then {@code http://127.0.0.1:<port>/mlflow}.
   */
  public static MlflowStandIn start(String pathPrefix) {
    String p = pathPrefix == null ? "" : pathPrefix.replaceAll("/+$", "");
    if (!p.isEmpty() && !p.startsWith("/")) {
      throw new IllegalArgumentException("the prefix must start with /: " + pathPrefix);
    }
    return new MlflowStandIn(p);
  }

  /** The tracking URI, as a spec's registry.url or the operator's MLFLOW_TRACKING_URI names it. */
  public String url() {
    return origin() + prefix;
  }

  /** scheme://host:port, without the prefix. */
  public String origin() {
    return "http://127.0.0.1:" + port;
  }

  /** The port, the same across {@link #stop()} and {@link #restart()}. */
  public int port() {
    return port;
  }

  // ---- the registry ----

  /**
   * Registers version {@code version} (an integer, as MLflow numbers them) of model {@code name} with its files at
   * {@code artifactUri} (what get-download-uri answers), creating the model if needed; a version already there is
   * replaced.
   */
  public MlflowStandIn register(String name, String version, String artifactUri) {
    Integer.parseInt(version);
    synchronized (lock) {
      models.computeIfAbsent(name, n -> new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a),
          Integer.parseInt(b)))).put(version, new Version(name, version, artifactUri,
          String.format("%032x", runIds.getAndIncrement()), System.currentTimeMillis()));
    }
    return this;
  }

  /**
   * Logs {@code files} (relative path to content) as a model folder of a new run, the way MLflow stores a model
   * logged through the artifact proxy, and registers it as version {@code version} of {@code name}; returns the
   * artifact URI get-download-uri answers for it ({@code mlflow-artifacts:/1/<run>/artifacts/model}).
   */
  public String registerModel(String name, String version, Map<String, byte[]> files) {
    String run = String.format("%032x", runIds.getAndIncrement());
    String dir = "1/" + run + "/artifacts/model";
    files.forEach((path, bytes) -> putArtifact(dir + "/" + path, bytes));
    String uri = artifactUri(dir);
    register(name, version, uri);
    return uri;
  }

  /** Points alias {@code alias} of model {@code name} at {@code version}, which must be registered (as in MLflow). */
  public MlflowStandIn setAlias(String name, String alias, String version) {
    synchronized (lock) {
      if (!models.getOrDefault(name, Map.of()).containsKey(version)) {
        throw new IllegalArgumentException("no version " + version + " of model " + name + " registered");
      }
      aliases.computeIfAbsent(name, n -> new HashMap<>()).put(alias, version);
    }
    return this;
  }

  /** Deletes alias {@code alias} of model {@code name}, if set. */
  public void deleteAlias(String name, String alias) {
    synchronized (lock) {
      aliases.getOrDefault(name, new HashMap<>()).remove(alias);
    }
  }

  /** Deletes a version; like MLflow, this deletes the aliases pointing at it too. */
  public void deleteVersion(String name, String version) {
    synchronized (lock) {
      models.getOrDefault(name, new HashMap<>()).remove(version);
      aliases.getOrDefault(name, new HashMap<>()).values().removeIf(version::equals);
    }
  }

  // ---- the artifact proxy ----

  /** Stores a file at {@code path} (relative to the artifact root, no leading slash), for the artifact proxy. */
  public MlflowStandIn putArtifact(String path, byte[] bytes) {
    String p = path.replaceAll("^/+", "");
    if (p.isEmpty() || p.endsWith("/") || List.of(p.split("/")).contains("..")) {
      throw new IllegalArgumentException("not a file path: " + path);
    }
    synchronized (lock) {
      artifacts.put(p, bytes.clone());
    }
    return this;
  }

  /** Stores a UTF-8 text file at {@code path}. */
  public MlflowStandIn putArtifact(String path, String text) {
    return putArtifact(path, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Removes every file at or under {@code path}. */
  public void deleteArtifacts(String path) {
    String p = path.replaceAll("^/+|/+$", "");
    synchronized (lock) {
      artifacts.keySet().removeIf(k -> k.equals(p) || k.startsWith(p + "/"));
    }
  }

  /** The mlflow-artifacts URI of {@code path}, in the form MLflow gives when it proxies artifacts. */
  public static String artifactUri(String path) {
    return "mlflow-artifacts:/" + path.replaceAll("^/+", "");
  }

  // ---- credentials ----

  /** From now on, every request needs {@code Authorization: Bearer <token>}. */
  public void requireBearer(String token) {
    synchronized (lock) {
      requiredAuthorization = "Bearer " + token;
      challenge = "Bearer realm=\"mlflow\"";
    }
  }

  /** From now on, every request needs HTTP basic credentials {@code user}/{@code password}. */
  public void requireBasic(String user, String password) {
    String pair = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    synchronized (lock) {
      requiredAuthorization = "Basic " + pair;
      challenge = "Basic realm=\"mlflow\"";
    }
  }

  /** From now on, no credentials are needed (the default). */
  public void requireNoAuth() {
    synchronized (lock) {
      requiredAuthorization = null;
      challenge = null;
    }
  }

  // ---- faults ----

  /** Every answer from now on comes {@code delay} late (zero: at once); a stop ends the wait. */
  public void delay(Duration delay) {
    synchronized (lock) {
      this.delay = Objects.requireNonNull(delay);
    }
  }

  /**
   * The next request (whatever its path) is answered with {@code status} and {@code body} instead; calls queue up,
   * one answer per request. A body starting with { is sent as application/json, any other as text/html. Failures
   * come before the credential check, as from a proxy in front of MLflow.
   */
  public void failNext(int status, String body) {
    synchronized (lock) {
      next.add(new Failure(status, body));
    }
  }

  /** Every request is answered with {@code status} and {@code body} until {@link #clearFailures()}. */
  public void failAll(int status, String body) {
    synchronized (lock) {
      always = new Failure(status, body);
    }
  }

  /** Every request for {@code path} (without the prefix) is answered so until {@link #clearFailures()}. */
  public void failPath(String path, int status, String body) {
    synchronized (lock) {
      onPath.put(path, new Failure(status, body));
    }
  }

  /**
   * A request for {@code path} (without the prefix) that passes the credential check is answered with 302 to
   * {@code location} (as an artifact store behind the proxy might send a client elsewhere), until
   * {@link #clearFailures()}.
   */
  public void redirect(String path, String location) {
    synchronized (lock) {
      redirects.put(path, location);
    }
  }

  /** Ends every failure set with failNext, failAll or failPath, and every redirect. */
  public void clearFailures() {
    synchronized (lock) {
      next.clear();
      onPath.clear();
      redirects.clear();
      always = null;
    }
  }

  /** MLflow's error body {@code {"error_code": code, "message": message}}. */
  public static String errorBody(String errorCode, String message) {
    ObjectNode body = JSON.createObjectNode().put("error_code", errorCode).put("message", message);
    return body.toString();
  }

  /** Stops listening: connections are refused until {@link #restart()}; delayed answers end now. */
  public void stop() {
    HttpServer s;
    ExecutorService pool;
    synchronized (lock) {
      s = server;
      pool = executor;
      server = null;
      if (s == null) {
        return;
      }
      stopped.countDown();
    }
    // Outside the lock: handlers take it, and stop waits for the dispatcher.
    s.stop(0);
    pool.shutdownNow();
  }

  /** Listens again on the same port, with the same models, artifacts and switches. */
  public void restart() {
    synchronized (lock) {
      if (server == null) {
        bind(port);
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  // ---- what it saw ----

  /** How many requests came for {@code path} (under the prefix, without it and the query), whatever their answer. */
  public int requests(String path) {
    return (int) log.stream().filter(r -> r.underPrefix() && r.path().equals(path)).count();
  }

  /** Every request so far, oldest first. */
  public List<Request> requestLog() {
    return List.copyOf(log);
  }

  /** The Authorization header of the latest request, if it had one. */
  public Optional<String> lastAuthorization() {
    return log.isEmpty() ? Optional.empty() : Optional.ofNullable(log.get(log.size() - 1).authorization());
  }

  /** Forgets the requests seen so far. */
  public void clearRequests() {
    log.clear();
  }

  // ---- the server ----

  private void bind(int wanted) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 0);
      // Several threads: a delayed answer must not hold up the others.
      ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mlflow-stand-in");
        t.setDaemon(true);
        return t;
      });
      s.setExecutor(pool);
      s.createContext("/", this::handle);
      stopped = new CountDownLatch(1);
      s.start();
      server = s;
      executor = pool;
      port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String fullPath = exchange.getRequestURI().getPath();
      boolean underPrefix = prefix.isEmpty() || fullPath.equals(prefix) || fullPath.startsWith(prefix + "/");
      String path = underPrefix ? fullPath.substring(prefix.length()) : fullPath;
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      log.add(new Request(exchange.getRequestMethod(), path, query, authorization, underPrefix));

      Duration wait;
      Failure failure;
      String required;
      String challengeNow;
      String location;
      synchronized (lock) {
        wait = delay;
        failure = !next.isEmpty() ? next.poll() : onPath.getOrDefault(path, always);
        required = requiredAuthorization;
        challengeNow = challenge;
        location = underPrefix ? redirects.get(path) : null;
      }
      if (!wait.isZero()) {
        try {
          if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (failure != null) {
        send(exchange, failure.status(), failure.body());
        return;
      }
      if (required != null && !required.equals(authorization)) {
        exchange.getResponseHeaders().add("WWW-Authenticate", challengeNow);
        send(exchange, 401, "text/html; charset=utf-8", UNAUTHENTICATED_BODY.getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (location != null) {
        exchange.getResponseHeaders().add("Location", location);
        send(exchange, 302, "text/html; charset=utf-8", new byte[0]);
        return;
      }
      if (!underPrefix || !"GET".equals(exchange.getRequestMethod())) {
        // MLflow's routes are method-specific too; anything else here is Flask's 404 (405 for a known path).
        send(exchange, underPrefix && known(path) ? 405 : 404, underPrefix && known(path)
            ? HTML_404.replace("404 Not Found", "405 Method Not Allowed") : HTML_404);
        return;
      }
      if (path.equals(ALIAS_PATH)) {
        alias(exchange, query);
      } else if (path.equals(DOWNLOAD_URI_PATH)) {
        downloadUri(exchange, query);
      } else if (path.equals(ARTIFACTS_PATH)) {
        list(exchange, query);
      } else if (path.startsWith(ARTIFACTS_PATH + "/")) {
        download(exchange, path.substring(ARTIFACTS_PATH.length() + 1));
      } else {
        send(exchange, 404, HTML_404);
      }
    }
  }

  private static boolean known(String path) {
    return path.equals(ALIAS_PATH) || path.equals(DOWNLOAD_URI_PATH) || path.startsWith(ARTIFACTS_PATH);
  }

  private void alias(HttpExchange exchange, Map<String, String> query) throws IOException {
    for (String param : List.of("name", "alias")) {
      if (query.getOrDefault(param, "").isEmpty()) {
        error(exchange, 400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '" + param
            + "'. See the API docs for more information about request parameters.");
        return;
      }
    }
    String name = query.get("name");
    String alias = query.get("alias");
    ObjectNode modelVersion;
    synchronized (lock) {
      String version = aliases.getOrDefault(name, Map.of()).get(alias);
      Version v = version == null ? null : models.getOrDefault(name, Map.of()).get(version);
      if (v == null) {
        modelVersion = null;
      } else {
        modelVersion = modelVersion(v);
      }
    }
    if (modelVersion == null) {
      error(exchange, 400, "INVALID_PARAMETER_VALUE", "Registered model alias " + alias + " not found.");
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("model_version", modelVersion);
    send(exchange, 200, body.toString());
  }

  // Guarded by lock.
  private ObjectNode modelVersion(Version v) {
    ObjectNode mv = JSON.createObjectNode()
        .put("name", v.name())
        .put("version", v.version())
        .put("creation_timestamp", v.created())
        .put("last_updated_timestamp", v.created())
        .put("current_stage", "None")
        .put("source", v.source())
        .put("run_id", v.runId())
        .put("status", "READY");
    ArrayNode names = mv.putArray("aliases");
    new TreeSet<>(aliases.getOrDefault(v.name(), Map.of()).entrySet().stream()
        .filter(e -> e.getValue().equals(v.version())).map(Map.Entry::getKey).toList()).forEach(names::add);
    return mv;
  }

  private void downloadUri(HttpExchange exchange, Map<String, String> query) throws IOException {
    String name = query.getOrDefault("name", "");
    String version = query.getOrDefault("version", "");
    if (name.isEmpty()) {
      error(exchange, 400, "INVALID_PARAMETER_VALUE", "Registered model name cannot be empty.");
      return;
    }
    try {
      Integer.parseInt(version.strip());
    } catch (NumberFormatException e) {
      error(exchange, 400, "INVALID_PARAMETER_VALUE", "Model version must be an integer, got '" + version + "'");
      return;
    }
    Version v;
    synchronized (lock) {
      v = models.getOrDefault(name, Map.of()).get(version);
    }
    if (v == null) {
      error(exchange, 404, "RESOURCE_DOES_NOT_EXIST",
          "Model Version (name=" + name + ", version=" + version + ") not found");
      return;
    }
    send(exchange, 200, JSON.createObjectNode().put("artifact_uri", v.source()).toString());
  }

  private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
    String dir = query.getOrDefault("path", "");
    if (!safe(dir)) {
      error(exchange, 400, "INVALID_PARAMETER_VALUE", "Invalid path");
      return;
    }
    String d = dir.replaceAll("/+$", "");
    String under = d.isEmpty() ? "" : d + "/";
    // basename -> file size, or null for a directory; sorted as MLflow sorts its listing.
    Map<String, Long> entries = new TreeMap<>();
    synchronized (lock) {
      for (Map.Entry<String, byte[]> e : artifacts.entrySet()) {
        if (!e.getKey().startsWith(under)) {
          continue;
        }
        String rest = e.getKey().substring(under.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
          entries.put(rest, (long) e.getValue().length);
        } else {
          entries.put(rest.substring(0, slash), null);
        }
      }
    }
    ObjectNode body = JSON.createObjectNode();
    if (!entries.isEmpty()) {
      // An empty repeated field is left out of MLflow's JSON: an empty listing is {}.
      ArrayNode files = body.putArray("files");
      entries.forEach((name, size) -> {
        ObjectNode f = files.addObject().put("path", name).put("is_dir", size == null);
        if (size != null) {
          f.put("file_size", size);
        }
      });
    }
    send(exchange, 200, body.toString());
  }

  private void download(HttpExchange exchange, String file) throws IOException {
    if (!safe(file)) {
      error(exchange, 400, "INVALID_PARAMETER_VALUE", "Invalid path");
      return;
    }
    byte[] bytes;
    boolean isDir;
    synchronized (lock) {
      bytes = artifacts.get(file);
      String under = file.replaceAll("/+$", "") + "/";
      isDir = artifacts.keySet().stream().anyMatch(k -> k.startsWith(under));
    }
    if (bytes == null && isDir) {
      send(exchange, 500, HTML_500);
      return;
    }
    if (bytes == null) {
      error(exchange, 404, "RESOURCE_DOES_NOT_EXIST", "No such artifact: '" + file + "'");
      return;
    }
    String base = file.substring(file.lastIndexOf('/') + 1);
    exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=" + base);
    send(exchange, 200, "application/octet-stream", bytes);
  }

  // MLflow's validate_path_is_safe: no .., no absolute path, no backslash tricks.
  private static boolean safe(String path) {
    return !path.startsWith("/") && !path.contains("\\") && !List.of(path.split("/")).contains("..")
        && !path.contains("\0");
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      // Flask's request.args.get gives the first value of a repeated parameter.
      out.putIfAbsent(key, value);
    }
    return out;
  }

  private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    send(exchange, status, errorBody(code, message));
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    String type = body.stripLeading().startsWith("{") ? "application/json" : "text/html; charset=utf-8";
    send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
