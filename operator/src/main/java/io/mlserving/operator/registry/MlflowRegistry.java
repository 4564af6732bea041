package io.mlserving.operator.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An MLflow tracking server's Model Registry through its REST API 2.0, with the JDK's HttpClient and Jackson. MLflow's
 * own Java client (org.mlflow:mlflow-client) was weighed and not taken: it brings protobuf-java and Apache HttpClient
 * for what are two GET requests here, and it is not in this build's Maven mirror. Every failure is an answer, never
 * an exception. MLflow errors come as {@code {"error_code": "...", "message": "..."}}: RESOURCE_DOES_NOT_EXIST and
 * INVALID_PARAMETER_VALUE mean the model, version or alias is not there (NotFound; MLflow answers an unknown alias,
 * and an alias of an unknown model, with 400 INVALID_PARAMETER_VALUE "Registered model alias A not found.");
 * anything else, an unreachable server, a timeout, 401/403, a 404 without MLflow's error body (no such endpoint:
 * not an MLflow server, a wrong path prefix, or an MLflow before 2.3 without aliases) or an unreadable body is
 * Unavailable.
 */
public final class MlflowRegistry implements ModelRegistry {
  /** How long one request may take when nothing else is configured. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final String ALIAS_PATH = "/api/2.0/mlflow/registered-models/alias";
  static final String DOWNLOAD_URI_PATH = "/api/2.0/mlflow/model-versions/get-download-uri";
  private static final Set<String> NOT_FOUND_CODES = Set.of("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long GRACE_MILLIS = 200;
  private static final int MAX_MESSAGE = 300;

  private final HttpClient http;
  private final Duration timeout;
  private final RegistryCredentials credentials;

  /**
   * @param http shared client; its connect timeout, if any, bounds the connection
   * @param timeout the longest one request may take, connection and body included
   * @param credentials the operator's own, sent to its tracking server only
   */
  public MlflowRegistry(HttpClient http, Duration timeout, RegistryCredentials credentials) {
    this.http = Objects.requireNonNull(http, "http");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  @Override
  public RegistryAnswer aliasVersion(String url, String name, String alias) {
    String what = "alias " + alias + " of model " + name;
    return get(url, ALIAS_PATH + "?name=" + encode(name) + "&alias=" + encode(alias), what, body -> {
      JsonNode version = body.path("model_version").path("version");
      return version.isMissingNode() || version.isNull() || version.asText().isEmpty() ? null : version.asText();
    });
  }

  @Override
  public RegistryAnswer downloadUri(String url, String name, String version) {
    String what = "version " + version + " of model " + name;
    return get(url, DOWNLOAD_URI_PATH + "?name=" + encode(name) + "&version=" + encode(version), what, body -> {
      JsonNode uri = body.path("artifact_uri");
      return uri.isTextual() && !uri.asText().isEmpty() ? uri.asText() : null;
    });
  }

  private interface Extract {
    String from(JsonNode body);
  }

  private RegistryAnswer get(String url, String pathAndQuery, String what, Extract extract) {
    String base = url == null ? "" : url.strip().replaceAll("/+$", "");
    if (base.isEmpty()) {
      return unavailable(base, what, "no registry URL (neither model.registry.url nor the operator's"
          + " MLFLOW_TRACKING_URI)");
    }
    URI uri;
    try {
      uri = URI.create(base + pathAndQuery);
      if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme())
          || "https".equalsIgnoreCase(uri.getScheme()))) {
        return unavailable(base, what, "the registry URL is not an http(s) URL with a host");
      }
      if (uri.getRawUserInfo() != null) {
        // The JDK client would not send them anyway, and a status message must not show them.
        return unavailable(redact(uri), what, "the registry URL carries credentials (user@host); the operator's"
            + " come from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD");
      }
    } catch (IllegalArgumentException e) {
      return unavailable(base, what, "the registry URL is malformed (" + e.getMessage() + ")");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
        .GET();
    Optional<String> authorization = credentials.authorizationFor(base);
    authorization.ifPresent(a -> request.header("Authorization", a));
    CompletableFuture<HttpResponse<String>> sent;
    try {
      sent = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      // The client refuses some URIs URI.create takes (an empty port, say).
      return unavailable(base, what, "the registry URL is malformed (" + e.getMessage() + ")");
    }
    HttpResponse<String> response;
    try {
      // The request timeout ends at the response headers; this bounds the body too.
      response = sent.get(timeout.toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      return unavailable(base, what, "no answer within " + seconds(timeout));
    } catch (InterruptedException e) {
      sent.cancel(true);
      Thread.currentThread().interrupt();
      return unavailable(base, what, "interrupted");
    } catch (ExecutionException e) {
      return unavailable(base, what, describe(e.getCause()));
    }
    int code = response.statusCode();
    JsonNode body = parse(response.body());
    if (code == 200) {
      String value = body == null ? null : extract.from(body);
      return value == null
          ? unavailable(base, what, "HTTP 200 with an unexpected body: " + readable(response.body()))
          : new RegistryAnswer.Found(value);
    }
    String errorCode = body == null ? null : textOrNull(body.path("error_code"));
    String message = body == null ? readable(response.body()) : textOrNull(body.path("message"));
    String detail = "HTTP " + code + (errorCode == null ? "" : " " + errorCode)
        + (message == null || message.isBlank() ? "" : ": " + shorten(message));
    // Set.of(...).contains(null) throws: a body without error_code (HTML, empty) must not get there.
    if (errorCode != null && NOT_FOUND_CODES.contains(errorCode)) {
      return new RegistryAnswer.NotFound(what + " not found in the MLflow registry at " + base + " (" + detail + ")");
    }
    if (code == 404) {
      // No MLflow error body: the endpoint itself is missing, which says nothing about the model.
      return unavailable(base, what, detail + "; no such endpoint there: is it an MLflow tracking server (2.3 or"
          + " later for aliases), with its path prefix if it has one?");
    }
    if (code == 401 || code == 403) {
      String why;
      if (authorization.isPresent()) {
        why = code == 401 ? "the server refused the operator's MLflow credentials"
            : "the operator's MLflow credentials lack permission on this model";
      } else if (credentials.unusable()) {
        why = "the operator has MLflow credentials but no MLFLOW_TRACKING_URI, and sends them nowhere else";
      } else if (credentials.present()) {
        why = "the operator sent no credentials: they go only to the origin of its MLFLOW_TRACKING_URI, and this"
            + " registry is elsewhere";
      } else {
        why = "the operator has no MLflow credentials (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and"
            + " MLFLOW_TRACKING_PASSWORD)";
      }
      return unavailable(base, what, detail + "; " + why);
    }
    return unavailable(base, what, detail);
  }

  private static RegistryAnswer unavailable(String base, String what, String why) {
    return new RegistryAnswer.Unavailable("MLflow registry " + base + " did not resolve " + what + ": " + why);
  }

  private String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    if (t instanceof HttpConnectTimeoutException) {
      return "no connection within the connect timeout";
    }
    if (t instanceof HttpTimeoutException) {
      // The client's own request timeout: the same limit as the wait below, so the same words.
      return "no answer within " + seconds(timeout);
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof IOException && t.getMessage() != null) {
      return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
    return t == null ? "unknown error" : t.getClass().getSimpleName()
        + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String textOrNull(JsonNode node) {
    return node.isValueNode() && !node.isNull() ? node.asText() : null;
  }

  /** A body for a message: the text of an HTML page (a proxy's or Flask's error page), else the body, shortened. */
  private static String readable(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    if (t.startsWith("<")) {
      t = t.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("(?s)<[^>]*>", " ")
          .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
          .replace("&amp;", "&");
    }
    return shorten(t);
  }

  private static String redact(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    String one = s.strip().replaceAll("\\s+", " ");
    return one.length() <= MAX_MESSAGE ? one : one.substring(0, MAX_MESSAGE) + "…";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
