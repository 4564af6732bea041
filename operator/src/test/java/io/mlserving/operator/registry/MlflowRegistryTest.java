package io.mlserving.operator.registry;

import static io.mlserving.operator.testing.MlflowStandIn.ALIAS_PATH;
import static io.mlserving.operator.testing.MlflowStandIn.DOWNLOAD_URI_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.testing.MlflowStandIn;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The MLflow registry client against the MLflow stand-in: answers, not-found, auth, failures, timeouts, outages. */
class MlflowRegistryTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private MlflowStandIn mlflow;

  @BeforeEach
  void setUp() {
    mlflow = MlflowStandIn.start();
    mlflow.register("fraud", "1", "mlflow-artifacts:/1/r1/artifacts/model")
        .register("fraud", "2", "mlflow-artifacts:/1/r2/artifacts/model")
        .setAlias("fraud", "champion", "2");
  }

  @AfterEach
  void tearDown() {
    mlflow.close();
  }

  private static MlflowRegistry registry(RegistryCredentials credentials) {
    return new MlflowRegistry(HTTP, TIMEOUT, credentials);
  }

  private static MlflowRegistry registry() {
    return registry(RegistryCredentials.none());
  }

  private static RegistryCredentials credentials(Map<String, String> env, String trackingUri) {
    return RegistryCredentials.from(env::get, trackingUri);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> urlForms() {
    return Stream.of(
        Arguments.of("", ""), Arguments.of("", "/"), Arguments.of("", "//"), Arguments.of("", "  "),
        Arguments.of("/mlflow", ""), Arguments.of("/mlflow", "/"), Arguments.of("/team/mlflow", ""));
  }

  @ParameterizedTest(name = "prefix \"{0}\", url + \"{1}\"")
  @MethodSource("urlForms")
  void resolvesAnAliasToItsVersionAndTheVersionToItsArtifactUri(String prefix, String suffix) {
    try (MlflowStandIn server = MlflowStandIn.start(prefix)) {
      server.register("fraud", "7", "s3://models/fraud/7").setAlias("fraud", "champion", "7");
      String url = server.url() + suffix;
      assertThat(registry().aliasVersion(url, "fraud", "champion")).isEqualTo(new RegistryAnswer.Found("7"));
      assertThat(registry().downloadUri(url, "fraud", "7"))
          .isEqualTo(new RegistryAnswer.Found("s3://models/fraud/7"));
      // One request per lookup: the client does not retry on its own (the resolver's schedule does).
      assertThat(server.requests(ALIAS_PATH)).isEqualTo(1);
      assertThat(server.requests(DOWNLOAD_URI_PATH)).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "model name \"{0}\"")
  @ValueSource(strings = {"fraud detector", "a&alias=x", "team/fraud", "ünïcode-модель", "100%", "a+b",
      "q?x#y"})
  void namesAndAliasesNeedingUrlEncodingArriveIntact(String name) {
    mlflow.register(name, "3", "s3://b/" + name.length()).setAlias(name, "prod & blue", "3");
    assertThat(registry().aliasVersion(mlflow.url(), name, "prod & blue")).isEqualTo(new RegistryAnswer.Found("3"));
    assertThat(registry().downloadUri(mlflow.url(), name, "3"))
        .isEqualTo(new RegistryAnswer.Found("s3://b/" + name.length()));
    assertThat(mlflow.requestLog()).allSatisfy(r -> assertThat(r.query()).containsEntry("name", name));
  }

  static Stream<Arguments> notFound() {
    return Stream.of(
        Arguments.of("unknown alias", "alias", "fraud", "challenger", "alias challenger of model fraud",
            "HTTP 400 INVALID_PARAMETER_VALUE: Registered model alias challenger not found."),
        Arguments.of("alias of an unknown model", "alias", "nobody", "champion", "alias champion of model nobody",
            "HTTP 400 INVALID_PARAMETER_VALUE: Registered model alias champion not found."),
        Arguments.of("missing alias parameter", "alias", "fraud", "", "alias  of model fraud",
            "HTTP 400 INVALID_PARAMETER_VALUE: Missing value for required parameter 'alias'."),
        Arguments.of("unknown version", "version", "fraud", "9", "version 9 of model fraud",
            "HTTP 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=fraud, version=9) not found"),
        Arguments.of("version of an unknown model", "version", "nobody", "1", "version 1 of model nobody",
            "HTTP 404 RESOURCE_DOES_NOT_EXIST: Model Version (name=nobody, version=1) not found"),
        Arguments.of("version that is no number", "version", "fraud", "latest", "version latest of model fraud",
            "HTTP 400 INVALID_PARAMETER_VALUE: Model version must be an integer, got 'latest'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notFound")
  void whatTheRegistryDoesNotHaveIsNotFoundNamingItTheUrlAndMlflowsMessage(String label, String lookup, String name,
      String key, String what, String detail) {
    RegistryAnswer answer = "alias".equals(lookup)
        ? registry().aliasVersion(mlflow.url(), name, key) : registry().downloadUri(mlflow.url(), name, key);
    assertThat(answer).isInstanceOf(RegistryAnswer.NotFound.class);
    assertThat(((RegistryAnswer.NotFound) answer).message())
        .startsWith(what + " not found in the MLflow registry at " + mlflow.url() + " (")
        .contains(detail);
  }

  @Test
  void aMovedOrDeletedAliasIsSeenOnTheNextLookup() {
    assertThat(registry().aliasVersion(mlflow.url(), "fraud", "champion")).isEqualTo(new RegistryAnswer.Found("2"));
    mlflow.setAlias("fraud", "champion", "1");
    assertThat(registry().aliasVersion(mlflow.url(), "fraud", "champion")).isEqualTo(new RegistryAnswer.Found("1"));
    mlflow.deleteAlias("fraud", "champion");
    assertThat(registry().aliasVersion(mlflow.url(), "fraud", "champion"))
        .isInstanceOf(RegistryAnswer.NotFound.class);
  }

  @Test
  void aBearerTokenIsSentToTheTrackingServer() {
    mlflow.requireBearer("t0k3n");
    RegistryCredentials creds = credentials(Map.of("MLFLOW_TRACKING_TOKEN", "t0k3n"), mlflow.url());
    assertThat(registry(creds).aliasVersion(mlflow.url(), "fraud", "champion"))
        .isEqualTo(new RegistryAnswer.Found("2"));
    assertThat(mlflow.lastAuthorization()).contains("Bearer t0k3n");
  }

  @Test
  void basicCredentialsGoToTheTrackingServerAndNotToAnotherPortOfTheSameHost() {
    mlflow.requireBasic("alice", "pä ss:word");
    RegistryCredentials creds = credentials(
        Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pä ss:word"), mlflow.url() + "/");
    try (MlflowStandIn prefixed = MlflowStandIn.start("/other")) {
      // Same host, another port: another origin, so no credentials.
      prefixed.register("fraud", "1", "s3://b/1");
      assertThat(registry(creds).downloadUri(prefixed.url(), "fraud", "1")).isEqualTo(new RegistryAnswer.Found(
          "s3://b/1"));
      assertThat(prefixed.lastAuthorization()).isEmpty();
    }
    assertThat(registry(creds).downloadUri(mlflow.url(), "fraud", "2"))
        .isEqualTo(new RegistryAnswer.Found("mlflow-artifacts:/1/r2/artifacts/model"));
    assertThat(mlflow.lastAuthorization()).contains(basic("alice", "pä ss:word"));
  }

  @Test
  void credentialsAreNotSentToARegistryASpecNamesElsewhere() {
    try (MlflowStandIn other = MlflowStandIn.start()) {
      other.register("fraud", "1", "s3://b/1").setAlias("fraud", "champion", "1");
      other.requireBearer("t0k3n");
      RegistryCredentials creds = credentials(Map.of("MLFLOW_TRACKING_TOKEN", "t0k3n"), mlflow.url());

      RegistryAnswer answer = registry(creds).aliasVersion(other.url(), "fraud", "champion");
      assertThat(other.lastAuthorization()).as("the token must not leave for another origin").isEmpty();
      assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
      assertThat(((RegistryAnswer.Unavailable) answer).message())
          .startsWith("MLflow registry " + other.url() + " did not resolve alias champion of model fraud: HTTP 401")
          .contains("You are not authenticated")
          .contains("the operator sent no credentials: they go only to the origin of its MLFLOW_TRACKING_URI");
    }
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("no credentials at all", Map.of(), "the operator has no MLflow credentials"),
        Arguments.of("a wrong token", Map.of("MLFLOW_TRACKING_TOKEN", "wrong"),
            "the server refused the operator's MLflow credentials"),
        Arguments.of("a username without a password", Map.of("MLFLOW_TRACKING_USERNAME", "alice"),
            "the operator has no MLflow credentials"),
        Arguments.of("a wrong password", Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "x"),
            "the server refused the operator's MLflow credentials"));
  }

  @ParameterizedTest(name = "401 with {0}")
  @MethodSource("refused")
  void aRefusalIsUnavailableAndSaysWhetherCredentialsWereSent(String label, Map<String, String> env, String why) {
    mlflow.requireBasic("alice", "right");
    RegistryAnswer answer = registry(credentials(env, mlflow.url())).aliasVersion(mlflow.url(), "fraud", "champion");
    assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
    assertThat(((RegistryAnswer.Unavailable) answer).message())
        .startsWith("MLflow registry " + mlflow.url() + " did not resolve alias champion of model fraud: HTTP 401: "
            + MlflowStandIn.UNAUTHENTICATED_BODY)
        .contains(why);
  }

  @Test
  void credentialsWithoutATrackingUriAreSentNowhere() {
    mlflow.requireBearer("t0k3n");
    RegistryAnswer answer = registry(credentials(Map.of("MLFLOW_TRACKING_TOKEN", "t0k3n"), null))
        .aliasVersion(mlflow.url(), "fraud", "champion");
    assertThat(mlflow.lastAuthorization()).isEmpty();
    assertThat(((RegistryAnswer.Unavailable) answer).message())
        .contains("HTTP 401").contains("no MLFLOW_TRACKING_URI");
  }

  @Test
  void permissionDeniedIsUnavailable() {
    mlflow.failNext(403, MlflowStandIn.PERMISSION_DENIED_BODY);
    RegistryAnswer answer = registry(credentials(Map.of("MLFLOW_TRACKING_TOKEN", "t"), mlflow.url()))
        .downloadUri(mlflow.url(), "fraud", "1");
    assertThat(((RegistryAnswer.Unavailable) answer).message())
        .contains("HTTP 403: Permission denied").contains("lack permission");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(500, MlflowStandIn.errorBody("INTERNAL_ERROR", "database is locked"),
            "HTTP 500 INTERNAL_ERROR: database is locked"),
        Arguments.of(503, MlflowStandIn.errorBody("TEMPORARILY_UNAVAILABLE", "too many requests"),
            "HTTP 503 TEMPORARILY_UNAVAILABLE: too many requests"),
        Arguments.of(500, MlflowStandIn.HTML_500, "HTTP 500: 500 Internal Server Error Internal Server Error"),
        Arguments.of(503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
            + "<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>",
            "HTTP 503: 503 Service Temporarily Unavailable 503 Service Temporarily Unavailable nginx"),
        Arguments.of(502, "", "HTTP 502"),
        Arguments.of(404, MlflowStandIn.HTML_404, "HTTP 404: 404 Not Found Not Found The requested URL was not found"),
        Arguments.of(429, MlflowStandIn.errorBody("REQUEST_LIMIT_EXCEEDED", "slow down"),
            "HTTP 429 REQUEST_LIMIT_EXCEEDED: slow down"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("failures")
  void serverFailuresAreUnavailableNamingTheCodeAndWhatTheServerSaid(int status, String body, String detail) {
    mlflow.failAll(status, body);
    for (RegistryAnswer answer : new RegistryAnswer[] {registry().aliasVersion(mlflow.url(), "fraud", "champion"),
        registry().downloadUri(mlflow.url(), "fraud", "2")}) {
      assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
      String message = ((RegistryAnswer.Unavailable) answer).message();
      assertThat(message).startsWith("MLflow registry " + mlflow.url() + " did not resolve ").contains(detail)
          .doesNotContain("<");
    }
  }

  @Test
  void aMissingEndpointIsNotAMissingModel() {
    // The URL of something that is not MLflow's API (a wrong prefix): Flask's, or any server's, HTML 404.
    try (MlflowStandIn prefixed = MlflowStandIn.start("/mlflow")) {
      prefixed.register("fraud", "1", "s3://b/1").setAlias("fraud", "champion", "1");
      RegistryAnswer answer = registry().aliasVersion(prefixed.origin(), "fraud", "champion");
      assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
      assertThat(((RegistryAnswer.Unavailable) answer).message()).contains("HTTP 404")
          .contains("is it an MLflow tracking server");
    }
  }

  @ParameterizedTest(name = "200 with {0}")
  @ValueSource(strings = {"{}", "[]", "not json at all", "{\"model_version\": {}}", "{\"model_version\": "
      + "{\"version\": null}}", "{\"artifact_uri\": \"\"}", "{\"artifact_uri\": 3}", "<html>login</html>"})
  void aSuccessWithAnUnexpectedBodyIsUnavailable(String body) {
    mlflow.failNext(200, body);
    mlflow.failNext(200, body);
    RegistryAnswer alias = registry().aliasVersion(mlflow.url(), "fraud", "champion");
    RegistryAnswer version = registry().downloadUri(mlflow.url(), "fraud", "2");
    for (RegistryAnswer answer : new RegistryAnswer[] {alias, version}) {
      assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
      assertThat(((RegistryAnswer.Unavailable) answer).message()).contains("HTTP 200 with an unexpected body");
    }
  }

  @Test
  void aSlowAnswerBeyondTheTimeoutIsUnavailableInTime() {
    mlflow.delay(Duration.ofSeconds(5));
    MlflowRegistry quick = new MlflowRegistry(HTTP, Duration.ofMillis(400), RegistryCredentials.none());
    long start = System.nanoTime();
    RegistryAnswer answer = quick.aliasVersion(mlflow.url(), "fraud", "champion");
    long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
    assertThat(((RegistryAnswer.Unavailable) answer).message())
        .isEqualTo("MLflow registry " + mlflow.url() + " did not resolve alias champion of model fraud:"
            + " no answer within 400 ms");
    assertThat(tookMillis).isBetween(400L, 3000L);
  }

  @Test
  void aStoppedServerIsConnectionRefusedAndARestartedOneAnswersAgain() {
    mlflow.stop();
    RegistryAnswer answer = registry().downloadUri(mlflow.url(), "fraud", "2");
    assertThat(answer).isEqualTo(new RegistryAnswer.Unavailable("MLflow registry " + mlflow.url()
        + " did not resolve version 2 of model fraud: connection refused"));
    mlflow.restart();
    assertThat(registry().downloadUri(mlflow.url(), "fraud", "2"))
        .isEqualTo(new RegistryAnswer.Found("mlflow-artifacts:/1/r2/artifacts/model"));
  }

  @Test
  void anUnknownHostIsNamedSo() {
    RegistryAnswer answer = registry().aliasVersion("http://no-such-mlflow.invalid:5000", "fraud", "champion");
    assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
    assertThat(((RegistryAnswer.Unavailable) answer).message()).isEqualTo(
        "MLflow registry http://no-such-mlflow.invalid:5000 did not resolve alias champion of model fraud:"
            + " unknown host");
  }

  static Stream<Arguments> badUrls() {
    return Stream.of(
        Arguments.of(null, "no registry URL"),
        Arguments.of("", "no registry URL"),
        Arguments.of("mlflow.example:5000", "not an http(s) URL with a host"),
        Arguments.of("ftp://mlflow.example/", "not an http(s) URL with a host"),
        Arguments.of("file:///tmp/mlruns", "not an http(s) URL with a host"),
        Arguments.of("http://", "not an http(s) URL with a host"),
        Arguments.of("http://mlflow example:5000", "malformed"),
        Arguments.of("http://[::1", "malformed"),
        Arguments.of("http://alice:secret@mlflow.example:5000", "carries credentials"));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("badUrls")
  void aMalformedUrlIsUnavailableNotAnException(String url, String why) {
    RegistryAnswer answer = registry().aliasVersion(url, "fraud", "champion");
    assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
    assertThat(((RegistryAnswer.Unavailable) answer).message()).contains("alias champion of model fraud")
        .contains(why).doesNotContain("secret");
  }

  @Test
  void aRedirectIsNotFollowedSoTheTokenStaysWithTheTrackingServer() {
    // The operator's client, like this one, keeps the JDK's redirect policy NEVER: following, it could take the
    // Authorization header along to wherever a redirect points.
    try (MlflowStandIn elsewhere = MlflowStandIn.start()) {
      elsewhere.register("fraud", "1", "s3://b/1").setAlias("fraud", "champion", "1");
      mlflow.redirect(ALIAS_PATH, elsewhere.url() + ALIAS_PATH + "?name=fraud&alias=champion");
      RegistryCredentials creds = credentials(Map.of("MLFLOW_TRACKING_TOKEN", "t0k3n"), mlflow.url());
      RegistryAnswer answer = registry(creds).aliasVersion(mlflow.url(), "fraud", "champion");
      assertThat(answer).isInstanceOf(RegistryAnswer.Unavailable.class);
      assertThat(((RegistryAnswer.Unavailable) answer).message()).contains("HTTP 302");
      assertThat(elsewhere.requestLog()).isEmpty();
    }
  }

  @Test
  void anUppercaseSchemeIsStillHttp() {
    String url = mlflow.url().replace("http://", "HTTP://");
    assertThat(registry().aliasVersion(url, "fraud", "champion")).isEqualTo(new RegistryAnswer.Found("2"));
  }
}
