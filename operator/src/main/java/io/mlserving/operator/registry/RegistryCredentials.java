package io.mlserving.operator.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The operator's own MLflow credentials, from its environment as MLflow's clients read them: HTTP basic when both
 * {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD} are set, else the bearer token
 * {@code MLFLOW_TRACKING_TOKEN} (the order of MLflow's own REST client); the chart mounts them from a Secret, and
 * the operator reads no Secret through the API. They are sent only to the
 * origin (scheme, host, port) of the operator's tracking server, {@code MLFLOW_TRACKING_URI}: a registry URL in
 * a resource's spec is anyone's to write, and must not collect the operator's token.
 */
public final class RegistryCredentials {
  /** The bearer token, as MLflow's clients read it. */
  public static final String ENV_TOKEN = "MLFLOW_TRACKING_TOKEN";
  /** The basic-auth user name (used with {@link #ENV_PASSWORD}). */
  public static final String ENV_USERNAME = "MLFLOW_TRACKING_USERNAME";
  /** The basic-auth password (used with {@link #ENV_USERNAME}). */
  public static final String ENV_PASSWORD = "MLFLOW_TRACKING_PASSWORD";

  private final String origin;
  private final String authorization;

  private RegistryCredentials(String origin, String authorization) {
    this.origin = origin;
    this.authorization = authorization;
  }

  /** No credentials. */
  public static RegistryCredentials none() {
    return new RegistryCredentials(null, null);
  }

  /** The credentials {@code env} gives, for the tracking server {@code trackingUri} (null: sent nowhere). */
  public static RegistryCredentials from(Function<String, String> env, String trackingUri) {
    String token = blankToNull(env.apply(ENV_TOKEN));
    String user = blankToNull(env.apply(ENV_USERNAME));
    // A password is a secret to the byte: only an empty one counts as unset, spaces are kept.
    String password = Objects.requireNonNullElse(env.apply(ENV_PASSWORD), "");
    String header = null;
    // MLflow's client: basic needs both a username and a password and wins over a token.
    if (user != null && !password.isEmpty()) {
      header = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    } else if (token != null) {
      header = "Bearer " + token;
    }
    return new RegistryCredentials(trackingUri == null ? null : origin(trackingUri).orElse(null), header);
  }

  /** Whether there are credentials at all (for the startup log). */
  public boolean present() {
    return authorization != null;
  }

  /** Whether there are credentials but no tracking server to send them to. */
  public boolean unusable() {
    return authorization != null && origin == null;
  }

  /** The Authorization header value for a request to {@code url}: only to the operator's tracking server. */
  public Optional<String> authorizationFor(String url) {
    if (authorization == null || origin == null) {
      return Optional.empty();
    }
    return origin(url).filter(origin::equals).map(o -> authorization);
  }

  /** scheme://host:port of {@code url}, lower case, with the scheme's default port made explicit. */
  static Optional<String> origin(String url) {
    try {
      URI u = URI.create(url.trim());
      if (u.getScheme() == null || u.getHost() == null) {
        return Optional.empty();
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort() >= 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
      return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    // Never the secret itself: this ends up in logs.
    return authorization == null ? "no MLflow credentials"
        : (authorization.startsWith("Bearer") ? "an MLflow token" : "an MLflow username and password")
            + (origin == null ? " (unused: no MLFLOW_TRACKING_URI)" : " for " + origin);
  }
}
