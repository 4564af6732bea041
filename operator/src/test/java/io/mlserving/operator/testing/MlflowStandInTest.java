package io.mlserving.operator.testing;

import static io.mlserving.operator.testing.MlflowStandIn.ALIAS_PATH;
import static io.mlserving.operator.testing.MlflowStandIn.ARTIFACTS_PATH;
import static io.mlserving.operator.testing.MlflowStandIn.DOWNLOAD_URI_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MLflow stand-in answers as its Javadoc says MLflow does: shapes, error bodies, auth, faults, outages. */
class MlflowStandInTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MlflowStandIn mlflow;

  record Answer(int status, String type, String body, HttpResponse<byte[]> raw) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  @BeforeEach
  void setUp() {
    mlflow = MlflowStandIn.start();
  }

  @AfterEach
  void tearDown() {
    mlflow.close();
  }

  private Answer get(String pathAndQuery) throws Exception {
    return get(mlflow.url() + pathAndQuery, null);
  }

  private Answer get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
        new String(r.body(), StandardCharsets.UTF_8), r);
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void anAliasAnswersItsModelVersionAsMlflowShapesIt() throws Exception {
    mlflow.register("fraud", "1", "mlflow-artifacts:/1/r1/artifacts/model")
        .register("fraud", "2", "mlflow-artifacts:/1/r2/artifacts/model")
        .setAlias("fraud", "champion", "2").setAlias("fraud", "blue", "2");

    Answer a = get(ALIAS_PATH + "?name=fraud&alias=champion");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.type()).isEqualTo("application/json");
    JsonNode mv = a.json().path("model_version");
    assertThat(mv.path("name").asText()).isEqualTo("fraud");
    assertThat(mv.path("version").isTextual()).as("MLflow's version is a string").isTrue();
    assertThat(mv.path("version").asText()).isEqualTo("2");
    assertThat(mv.path("source").asText()).isEqualTo("mlflow-artifacts:/1/r2/artifacts/model");
    assertThat(mv.path("status").asText()).isEqualTo("READY");
    assertThat(mv.path("run_id").asText()).hasSize(32);
    assertThat(mv.path("creation_timestamp").isNumber()).isTrue();
    assertThat(JSON.convertValue(mv.path("aliases"), String[].class)).containsExactly("blue", "champion");
  }

  @Test
  void anUnknownAliasOrModelIsInvalidParameterValueAndMissingParametersAreNamed() throws Exception {
    mlflow.register("fraud", "1", "s3://b/m").setAlias("fraud", "champion", "1");
    for (String query : new String[] {"?name=fraud&alias=nope", "?name=nobody&alias=champion"}) {
      Answer a = get(ALIAS_PATH + query);
      assertThat(a.status()).as(query).isEqualTo(400);
      assertThat(a.type()).isEqualTo("application/json");
      assertThat(a.json().path("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
      assertThat(a.json().path("message").asText()).matches("Registered model alias (nope|champion) not found\\.");
    }
    Answer noName = get(ALIAS_PATH + "?alias=champion");
    assertThat(noName.status()).isEqualTo(400);
    assertThat(noName.json().path("message").asText()).isEqualTo("Missing value for required parameter 'name'."
        + " See the API docs for more information about request parameters.");
    Answer noAlias = get(ALIAS_PATH + "?name=fraud&alias=");
    assertThat(noAlias.json().path("message").asText()).startsWith("Missing value for required parameter 'alias'.");
  }

  @Test
  void aVersionAnswersItsDownloadUriAndAnUnknownOneIsResourceDoesNotExist() throws Exception {
    mlflow.register("my model/ä", "3", "s3://bucket/models/3");
    Answer a = get(DOWNLOAD_URI_PATH + "?name=" + q("my model/ä") + "&version=3");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().path("artifact_uri").asText()).isEqualTo("s3://bucket/models/3");

    Answer unknown = get(DOWNLOAD_URI_PATH + "?name=fraud&version=9");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    assertThat(unknown.json().path("message").asText()).isEqualTo("Model Version (name=fraud, version=9) not found");

    Answer notInt = get(DOWNLOAD_URI_PATH + "?name=fraud&version=latest");
    assertThat(notInt.status()).isEqualTo(400);
    assertThat(notInt.json().path("message").asText()).isEqualTo("Model version must be an integer, got 'latest'");
    Answer noName = get(DOWNLOAD_URI_PATH + "?version=1");
    assertThat(noName.json().path("message").asText()).isEqualTo("Registered model name cannot be empty.");
  }

  @Test
  void deletingAVersionDeletesTheAliasesOnItAndMovingAnAliasIsSeenAtOnce() throws Exception {
    mlflow.register("fraud", "1", "s3://b/1").register("fraud", "2", "s3://b/2").setAlias("fraud", "champion", "1");
    assertThat(get(ALIAS_PATH + "?name=fraud&alias=champion").json().at("/model_version/version").asText())
        .isEqualTo("1");
    mlflow.setAlias("fraud", "champion", "2");
    assertThat(get(ALIAS_PATH + "?name=fraud&alias=champion").json().at("/model_version/version").asText())
        .isEqualTo("2");
    mlflow.deleteVersion("fraud", "2");
    assertThat(get(ALIAS_PATH + "?name=fraud&alias=champion").status()).isEqualTo(400);
    assertThat(get(DOWNLOAD_URI_PATH + "?name=fraud&version=2").status()).isEqualTo(404);
    mlflow.setAlias("fraud", "champion", "1");
    mlflow.deleteAlias("fraud", "champion");
    assertThat(get(ALIAS_PATH + "?name=fraud&alias=champion").status()).isEqualTo(400);
    assertThatThrownBy(() -> mlflow.setAlias("fraud", "x", "7")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theArtifactProxyListsBaseNamesAndServesFiles() throws Exception {
    mlflow.putArtifact("1/r1/artifacts/model/MLmodel", "flavors: {}\n")
        .putArtifact("1/r1/artifacts/model/model.pkl", new byte[] {1, 2, 3, 4})
        .putArtifact("1/r1/artifacts/model/data/weights/part-0.bin", new byte[] {9});

    Answer list = get(ARTIFACTS_PATH + "?path=" + q("1/r1/artifacts/model"));
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("files").toString()).isEqualTo("[{\"path\":\"MLmodel\",\"is_dir\":false,"
        + "\"file_size\":12},{\"path\":\"data\",\"is_dir\":true},{\"path\":\"model.pkl\",\"is_dir\":false,"
        + "\"file_size\":4}]");
    assertThat(get(ARTIFACTS_PATH + "?path=" + q("1/r1/artifacts/model/data")).json().path("files").toString())
        .isEqualTo("[{\"path\":\"weights\",\"is_dir\":true}]");
    // A missing directory and a file's path list nothing: MLflow's JSON leaves the empty field out.
    assertThat(get(ARTIFACTS_PATH + "?path=nothing/here").body()).isEqualTo("{}");
    assertThat(get(ARTIFACTS_PATH + "?path=" + q("1/r1/artifacts/model/model.pkl")).body()).isEqualTo("{}");
    assertThat(get(ARTIFACTS_PATH).json().path("files").toString()).isEqualTo("[{\"path\":\"1\",\"is_dir\":true}]");

    Answer file = get(ARTIFACTS_PATH + "/1/r1/artifacts/model/model.pkl");
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.raw().body()).containsExactly(1, 2, 3, 4);
    assertThat(file.raw().headers().firstValue("Content-Disposition")).contains("attachment; filename=model.pkl");

    Answer missing = get(ARTIFACTS_PATH + "/1/r1/artifacts/model/nope.bin");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    assertThat(missing.json().path("message").asText()).isEqualTo("No such artifact: '1/r1/artifacts/model/nope.bin'");
    Answer dir = get(ARTIFACTS_PATH + "/1/r1/artifacts/model");
    assertThat(dir.status()).isEqualTo(500);
    assertThat(dir.body()).contains("<title>500 Internal Server Error</title>");
    Answer unsafe = get(ARTIFACTS_PATH + "?path=" + q("1/../../etc"));
    assertThat(unsafe.status()).isEqualTo(400);
    assertThat(unsafe.json().path("message").asText()).isEqualTo("Invalid path");
  }

  @Test
  void aRegisteredModelFolderIsServedAtTheUriItsVersionAnswers() throws Exception {
    String uri = mlflow.registerModel("fraud", "4", java.util.Map.of("MLmodel", "flavors: {}\n".getBytes(
        StandardCharsets.UTF_8), "data/model.pkl", new byte[] {7}));
    assertThat(uri).matches("mlflow-artifacts:/1/[0-9a-f]{32}/artifacts/model");
    assertThat(get(DOWNLOAD_URI_PATH + "?name=fraud&version=4").json().path("artifact_uri").asText()).isEqualTo(uri);
    String dir = uri.substring("mlflow-artifacts:/".length());
    assertThat(get(ARTIFACTS_PATH + "?path=" + q(dir)).json().path("files").toString())
        .isEqualTo("[{\"path\":\"MLmodel\",\"is_dir\":false,\"file_size\":12},{\"path\":\"data\",\"is_dir\":true}]");
    assertThat(get(ARTIFACTS_PATH + "/" + dir + "/data/model.pkl").raw().body()).containsExactly(7);
  }

  @Test
  void underAPrefixTheApiMovesAndOtherPathsAreFlasksHtml404() throws Exception {
    try (MlflowStandIn prefixed = MlflowStandIn.start("/mlflow/")) {
      prefixed.register("fraud", "1", "s3://b/1");
      assertThat(prefixed.url()).isEqualTo(prefixed.origin() + "/mlflow");
      assertThat(get(prefixed.url() + DOWNLOAD_URI_PATH + "?name=fraud&version=1", null).status()).isEqualTo(200);
      Answer outside = get(prefixed.origin() + DOWNLOAD_URI_PATH + "?name=fraud&version=1", null);
      assertThat(outside.status()).isEqualTo(404);
      assertThat(outside.type()).startsWith("text/html");
      assertThat(outside.body()).contains("<title>404 Not Found</title>");
      assertThat(prefixed.requests(DOWNLOAD_URI_PATH)).isEqualTo(1);
    }
    assertThat(get("/api/2.0/mlflow/registered-models/get?name=fraud").status()).isEqualTo(404);
  }

  @Test
  void basicAndBearerCredentialsAreCheckedAsMlflowsBasicAuthAppAnswers() throws Exception {
    mlflow.register("fraud", "1", "s3://b/1");
    String url = mlflow.url() + DOWNLOAD_URI_PATH + "?name=fraud&version=1";
    mlflow.requireBasic("alice", "s3cret");
    for (String wrong : new String[] {null, "Basic " + b64("alice:nope"), "Bearer s3cret"}) {
      Answer denied = get(url, wrong);
      assertThat(denied.status()).as(String.valueOf(wrong)).isEqualTo(401);
      assertThat(denied.body()).isEqualTo(MlflowStandIn.UNAUTHENTICATED_BODY);
      assertThat(denied.raw().headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"mlflow\"");
    }
    assertThat(get(url, "Basic " + b64("alice:s3cret")).status()).isEqualTo(200);
    assertThat(mlflow.lastAuthorization()).contains("Basic " + b64("alice:s3cret"));

    mlflow.requireBearer("t0k");
    assertThat(get(url, "Basic " + b64("alice:s3cret")).status()).isEqualTo(401);
    assertThat(get(url, "Bearer t0k").status()).isEqualTo(200);
    mlflow.requireNoAuth();
    assertThat(get(url, null).status()).isEqualTo(200);
    assertThat(mlflow.lastAuthorization()).isEmpty();
  }

  @Test
  void failuresQueueRepeatAndTargetAPath() throws Exception {
    mlflow.register("fraud", "1", "s3://b/1");
    String path = DOWNLOAD_URI_PATH + "?name=fraud&version=1";
    mlflow.failNext(503, MlflowStandIn.errorBody("TEMPORARILY_UNAVAILABLE", "try later"));
    mlflow.failNext(500, MlflowStandIn.HTML_500);
    Answer first = get(path);
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.type()).isEqualTo("application/json");
    assertThat(first.json().path("error_code").asText()).isEqualTo("TEMPORARILY_UNAVAILABLE");
    Answer second = get(path);
    assertThat(second.status()).isEqualTo(500);
    assertThat(second.type()).startsWith("text/html");
    assertThat(get(path).status()).isEqualTo(200);

    mlflow.failAll(502, "<html>bad gateway</html>");
    assertThat(get(path).status()).isEqualTo(502);
    assertThat(get(ALIAS_PATH + "?name=a&alias=b").status()).isEqualTo(502);
    mlflow.clearFailures();
    mlflow.failPath(ALIAS_PATH, 500, MlflowStandIn.HTML_500);
    assertThat(get(ALIAS_PATH + "?name=a&alias=b").status()).isEqualTo(500);
    assertThat(get(path).status()).isEqualTo(200);
    mlflow.clearFailures();
    assertThat(get(path).status()).isEqualTo(200);
    assertThat(mlflow.requests(DOWNLOAD_URI_PATH)).isEqualTo(6);
    mlflow.redirect(ARTIFACTS_PATH + "/a/b.bin", "http://elsewhere.invalid/b.bin");
    Answer moved = get(ARTIFACTS_PATH + "/a/b.bin");
    assertThat(moved.status()).isEqualTo(302);
    assertThat(moved.raw().headers().firstValue("Location")).contains("http://elsewhere.invalid/b.bin");
    mlflow.clearFailures();
    assertThat(get(ARTIFACTS_PATH + "/a/b.bin").status()).isEqualTo(404);
    assertThat(mlflow.requests(ALIAS_PATH)).isEqualTo(2);
    assertThat(mlflow.requestLog().get(0).query()).containsEntry("name", "fraud").containsEntry("version", "1");
  }

  @Test
  void aDelayHoldsTheAnswerWithoutHoldingOthersBack() throws Exception {
    mlflow.register("fraud", "1", "s3://b/1");
    mlflow.delay(Duration.ofMillis(1000));
    long start = System.nanoTime();
    var slow = http.sendAsync(HttpRequest.newBuilder(URI.create(mlflow.url() + DOWNLOAD_URI_PATH
        + "?name=fraud&version=1")).GET().build(), HttpResponse.BodyHandlers.ofString());
    var other = http.sendAsync(HttpRequest.newBuilder(URI.create(mlflow.url() + DOWNLOAD_URI_PATH
        + "?name=fraud&version=1")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(other.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
    // Both waited the delay, side by side (one thread would make it about twice as long).
    assertThat(elapsed).isBetween(1000L, 1999L);
    mlflow.delay(Duration.ZERO);
  }

  @Test
  void aStoppedStandInRefusesConnectionsAndComesBackOnTheSamePortWithItsState() throws Exception {
    mlflow.register("fraud", "1", "s3://b/1");
    int port = mlflow.port();
    mlflow.stop();
    assertThatThrownBy(() -> get(DOWNLOAD_URI_PATH + "?name=fraud&version=1")).isInstanceOf(ConnectException.class);
    mlflow.restart();
    assertThat(mlflow.port()).isEqualTo(port);
    Answer back = get(DOWNLOAD_URI_PATH + "?name=fraud&version=1");
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.json().path("artifact_uri").asText()).isEqualTo("s3://b/1");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
