package io.mlserving.operator.desired;

import static io.mlserving.operator.testing.MlflowStandIn.ARTIFACTS_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.desired.StorageLocation.Scheme;
import io.mlserving.operator.testing.MlflowStandIn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mlflow-artifacts loader script and the unresolved-registry guard, run for real with /bin/sh and the machine's
 * python3 (the loader image is python:3.12-slim: standard library only) against the MLflow stand-in's artifact proxy.
 */
class MlflowArtifactsLoaderTest {
  private static final String RUN = "1/0123456789abcdef/artifacts/model";
  private static final Map<String, byte[]> MODEL = new LinkedHashMap<>();

  static {
    MODEL.put("MLmodel", "artifact_path: model\nflavors:\n  sklearn: {sklearn_version: 1.5.2}\n"
        .getBytes(StandardCharsets.UTF_8));
    MODEL.put("model.pkl", new byte[] {(byte) 0x80, 5, (byte) 0x95, 0, 1, 2, 3, (byte) 0xff, 0, 10});
    MODEL.put("requirements.txt", "scikit-learn==1.5.2\n".getBytes(StandardCharsets.UTF_8));
    MODEL.put("conda.yaml", "name: mlflow-env\n".getBytes(StandardCharsets.UTF_8));
    MODEL.put("data/weights.bin", new byte[3 * 1024 * 1024 + 17]);
    MODEL.put("data/schema/input example.json", "{\"columns\": [\"amount\"]}".getBytes(StandardCharsets.UTF_8));
  }

  @TempDir Path tmp;
  private Path modelDir;
  private MlflowStandIn mlflow;

  @BeforeEach
  void setUp() throws IOException {
    modelDir = Files.createDirectories(tmp.resolve("models"));
    Files.createDirectories(tmp.resolve("home"));
    mlflow = MlflowStandIn.start();
    MODEL.forEach((file, bytes) -> mlflow.putArtifact(RUN + "/" + file, bytes));
  }

  @AfterEach
  void tearDown() {
    mlflow.close();
  }

  private LoaderRun run(Scheme scheme, String uri, Map<String, String> extraEnv) throws Exception {
    return LoaderRun.of(scheme, uri, modelDir, tmp.resolve("home"), extraEnv);
  }

  private LoaderRun run(String uri, String... keyValues) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return run(Scheme.MLFLOW_ARTIFACTS, uri, env);
  }

  /** Every entry under MODEL_DIR, relative, directories with a trailing slash, hidden ones too. */
  private Map<String, byte[]> tree() throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(modelDir)) {
      for (Path p : all.filter(p -> !p.equals(modelDir)).toList()) {
        String rel = modelDir.relativize(p).toString();
        out.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? null : Files.readAllBytes(p));
      }
    }
    return out;
  }

  private void assertWholeModel() throws IOException {
    Map<String, byte[]> tree = tree();
    assertThat(tree.keySet()).containsExactlyInAnyOrder("MLmodel", "model.pkl", "requirements.txt", "conda.yaml",
        "data/", "data/weights.bin", "data/schema/", "data/schema/input example.json");
    MODEL.forEach((file, bytes) -> assertThat(tree.get(file)).as(file).isEqualTo(bytes));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void aModelFolderWithNestedDirectoriesIsCopiedWhole() throws Exception {
    LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
    assertThat(ok.output()).contains("model-loader: mlflow-artifacts:/" + RUN + " loaded into " + modelDir);
    // One listing per directory, one GET per file: no re-listing, no re-fetching.
    assertThat(mlflow.requests(ARTIFACTS_PATH)).isEqualTo(3);
    assertThat(mlflow.requestLog()).hasSize(3 + MODEL.size());
  }

  @Test
  void aTrailingSlashAndATrackingUriWithATrailingSlashChangeNothing() throws Exception {
    LoaderRun ok = run("mlflow-artifacts:/" + RUN + "/", "MLFLOW_TRACKING_URI", mlflow.url() + "/");
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
  }

  @Test
  void aSingleFileArtifactIsFetchedAsAFileAndItsSha256Checked() throws Exception {
    byte[] onnx = "onnx-bytes-of-a-model".getBytes(StandardCharsets.UTF_8);
    mlflow.putArtifact("2/run2/artifacts/fraud.onnx", onnx);
    LoaderRun ok = run("mlflow-artifacts:/2/run2/artifacts/fraud.onnx", "MLFLOW_TRACKING_URI", mlflow.url(),
        "MODEL_SHA256", sha256(onnx));
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(tree().keySet()).containsExactly("fraud.onnx");
    assertThat(Files.readAllBytes(modelDir.resolve("fraud.onnx"))).isEqualTo(onnx);

    LoaderRun bad = run("mlflow-artifacts:/2/run2/artifacts/fraud.onnx", "MLFLOW_TRACKING_URI", mlflow.url(),
        "MODEL_SHA256", "0".repeat(64));
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.output()).contains("sha256 mismatch for mlflow-artifacts:/2/run2/artifacts/fraud.onnx")
        .contains("got " + sha256(onnx)).doesNotContain("loaded into");
  }

  @Test
  void aSha256OnAFolderFailsTheLoader() throws Exception {
    LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url(), "MODEL_SHA256", "0".repeat(64));
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("did not download exactly one file");
  }

  @Test
  void theHostFormResolvesAsMlflowDoesWithTheTrackingServersSchemeAndPrefix() throws Exception {
    // mlflow-artifacts://host:port/path: that host and port; scheme and path prefix from MLFLOW_TRACKING_URI.
    try (MlflowStandIn prefixed = MlflowStandIn.start("/mlflow")) {
      MODEL.forEach((file, bytes) -> prefixed.putArtifact(RUN + "/" + file, bytes));
      LoaderRun ok = run("mlflow-artifacts://127.0.0.1:" + prefixed.port() + "/" + RUN,
          "MLFLOW_TRACKING_URI", "http://tracking.invalid:5000/mlflow");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertWholeModel();
      assertThat(prefixed.requests(ARTIFACTS_PATH)).isEqualTo(3);
    }
    // Without a tracking URI the host form still works, over plain http.
    LoaderRun alone = run("mlflow-artifacts://127.0.0.1:" + mlflow.port() + "/" + RUN);
    assertThat(alone.exit()).as(alone.output()).isZero();
    assertWholeModel();
  }

  @Test
  void thePlainFormGoesThroughTheTrackingServerUnderItsPrefix() throws Exception {
    try (MlflowStandIn prefixed = MlflowStandIn.start("/team/mlflow")) {
      MODEL.forEach((file, bytes) -> prefixed.putArtifact(RUN + "/" + file, bytes));
      LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", prefixed.url());
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertWholeModel();
    }
  }

  @Test
  void thePlainFormWithoutATrackingUriFailsSayingSo() throws Exception {
    LoaderRun run = run("mlflow-artifacts:/" + RUN);
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("mlflow-artifacts:/" + RUN + " needs MLFLOW_TRACKING_URI");
    LoaderRun bad = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", "mlflow:5000");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.output()).contains("MLFLOW_TRACKING_URI mlflow:5000 is not an http(s) URL");
  }

  @Test
  void aBearerTokenFromTheSecretIsSentWithEveryRequest() throws Exception {
    mlflow.requireBearer("t0k3n");
    LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url(), "MLFLOW_TRACKING_TOKEN", "t0k3n");
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
    assertThat(mlflow.requestLog()).hasSize(3 + MODEL.size())
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer t0k3n"));
  }

  @Test
  void basicCredentialsFromTheSecretAreSentAndWinOverATokenAsInMlflowsClient() throws Exception {
    mlflow.requireBasic("alice", "pä:ss");
    LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url(),
        "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pä:ss", "MLFLOW_TRACKING_TOKEN", "other");
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
    String basic = "Basic " + Base64.getEncoder().encodeToString("alice:pä:ss".getBytes(StandardCharsets.UTF_8));
    assertThat(mlflow.requestLog()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo(basic));
  }

  @Test
  void credentialsFollowARedirectOnTheSameOriginOnlyAsInMlflowsClient() throws Exception {
    mlflow.requireBearer("t0k3n");
    String pkl = ARTIFACTS_PATH + "/" + RUN + "/model.pkl";
    try (MlflowStandIn elsewhere = MlflowStandIn.start()) {
      elsewhere.putArtifact("copy/model.pkl", MODEL.get("model.pkl"));
      mlflow.redirect(pkl, elsewhere.url() + ARTIFACTS_PATH + "/copy/model.pkl");
      // Same origin: the token goes along (the stand-in would refuse the second request without it).
      mlflow.putArtifact("moved/MLmodel", MODEL.get("MLmodel"));
      mlflow.redirect(ARTIFACTS_PATH + "/" + RUN + "/MLmodel", ARTIFACTS_PATH + "/moved/MLmodel");
      LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url(), "MLFLOW_TRACKING_TOKEN", "t0k3n");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertWholeModel();
      assertThat(elsewhere.requests(ARTIFACTS_PATH + "/copy/model.pkl")).isEqualTo(1);
      assertThat(elsewhere.lastAuthorization()).as("the token must not leave for another origin").isEmpty();
      assertThat(mlflow.requests(ARTIFACTS_PATH + "/moved/MLmodel")).isEqualTo(1);
      assertThat(mlflow.requestLog()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer t0k3n"));
    }
  }

  @Test
  void aRefusalFailsTheLoaderNamingTheUrlTheCodeAndTheCredentialsAndLeavesNothing() throws Exception {
    mlflow.requireBasic("alice", "right");
    LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url(),
        "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "wrong");
    assertThat(run.exit()).isNotZero();
    assertThat(run.output())
        .contains("model-loader: GET " + mlflow.url() + ARTIFACTS_PATH + "?path=1%2F0123456789abcdef%2Fartifacts"
            + "%2Fmodel answered HTTP 401: " + MlflowStandIn.UNAUTHENTICATED_BODY)
        .contains("credentialsSecret").doesNotContain("wrong").doesNotContain("loaded into");
    assertThat(tree()).isEmpty();
    // A refusal is not retried.
    assertThat(mlflow.requests(ARTIFACTS_PATH)).isEqualTo(1);
  }

  @Test
  void aMissingArtifactFailsWithMlflowsAnswer() throws Exception {
    LoaderRun run = run("mlflow-artifacts:/1/0123456789abcdef/artifacts/nothing-here", "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("model-loader: GET " + mlflow.url() + ARTIFACTS_PATH
        + "/1/0123456789abcdef/artifacts/nothing-here answered HTTP 404: RESOURCE_DOES_NOT_EXIST No such artifact:"
        + " '1/0123456789abcdef/artifacts/nothing-here'");
    assertThat(tree()).isEmpty();
  }

  @Test
  void aFailingFileDeepInTheFolderFailsTheLoaderAfterRetriesWithNoPartialModel() throws Exception {
    String file = ARTIFACTS_PATH + "/" + RUN + "/data/weights.bin";
    mlflow.failPath(file, 500, MlflowStandIn.HTML_500);
    LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("model-loader: GET " + mlflow.url() + file
        + " answered HTTP 500: 500 Internal Server Error Internal Server Error The server encountered")
        .doesNotContain("loaded into");
    assertThat(mlflow.requests(file)).isEqualTo(3);
    // The files fetched before the failure are gone too: no partial model for the server to load.
    assertThat(tree()).isEmpty();
  }

  @Test
  void aPassingServerErrorIsRetried() throws Exception {
    String file = ARTIFACTS_PATH + "/" + RUN + "/model.pkl";
    mlflow.failPath(file, 503, MlflowStandIn.errorBody("TEMPORARILY_UNAVAILABLE", "busy"));
    LoaderRun failing = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(failing.output()).contains("answered HTTP 503: TEMPORARILY_UNAVAILABLE busy");
    mlflow.clearFailures();
    mlflow.clearRequests();
    mlflow.failNext(502, "<html><body>bad gateway</body></html>");
    LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
    assertThat(mlflow.requests(ARTIFACTS_PATH)).isEqualTo(4);
  }

  @Test
  void anUnreachableServerFailsNamingTheUrl() throws Exception {
    mlflow.stop();
    LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("model-loader: GET " + mlflow.url() + ARTIFACTS_PATH + "?path=")
        .contains("failed:").contains("Connection refused");
    assertThat(tree()).isEmpty();
  }

  @Test
  void aShortFileIsCaughtByTheListingsSize() throws Exception {
    String file = ARTIFACTS_PATH + "/" + RUN + "/requirements.txt";
    mlflow.failPath(file, 200, "scikit");
    LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("GET " + mlflow.url() + file + " gave 6 bytes, the listing said "
        + MODEL.get("requirements.txt").length);
    assertThat(tree()).isEmpty();
  }

  @Test
  void aListingThatIsNotMlflowsOrNamesParentDirectoriesIsRefused() throws Exception {
    mlflow.failNext(200, "<html>please log in</html>");
    LoaderRun html = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(html.exit()).isNotZero();
    assertThat(html.output()).contains("answered HTTP 200 but no MLflow listing: please log in");

    for (String evil : List.of("..", ".", "", "../")) {
      mlflow.failNext(200, "{\"files\": [{\"path\": \"" + evil + "\", \"is_dir\": true}]}");
      LoaderRun run = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
      assertThat(run.exit()).as(evil).isNotZero();
      assertThat(run.output()).contains("refusing artifact name");
      assertThat(tree()).isEmpty();
    }
    // A listed path with directories in it (MLflow sends base names) is reduced to its base name, inside MODEL_DIR.
    mlflow.failNext(200, "{\"files\": [{\"path\": \"../../outside.txt\", \"is_dir\": false}]}");
    mlflow.putArtifact(RUN + "/outside.txt", "inside after all");
    LoaderRun squashed = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(squashed.exit()).as(squashed.output()).isZero();
    assertThat(tree().keySet()).containsExactly("outside.txt");
    assertThat(tmp.resolve("outside.txt")).doesNotExist();
  }

  @Test
  void aRestartedLoaderStartsOverFromAnEmptyDirectory() throws Exception {
    Files.createDirectories(modelDir.resolve(".model-loader-partial/data"));
    Files.writeString(modelDir.resolve(".model-loader-partial/data/half.bin"), "half");
    Files.writeString(modelDir.resolve("stale.pkl"), "old");
    LoaderRun ok = run("mlflow-artifacts:/" + RUN, "MLFLOW_TRACKING_URI", mlflow.url());
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertWholeModel();
  }

  @Test
  void anUnresolvedRegistryUriStopsTheLoaderWithItsReason() throws Exception {
    LoaderRun run = run(Scheme.REGISTRY, "models:/fraud@champion", Map.of());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.output().strip()).isEqualTo("model-loader: models:/fraud@champion is an MLflow registry URI that"
        + " the operator resolves and pins before it creates this Deployment; this one was printed by render, which"
        + " reaches no registry");
    assertThat(mlflow.requestLog()).isEmpty();
  }

  @Test
  void theScriptReadsItsInputsFromTheEnvironmentOnly() {
    for (Scheme scheme : new Scheme[] {Scheme.MLFLOW_ARTIFACTS, Scheme.REGISTRY}) {
      String script = LoaderScripts.forScheme(scheme);
      assertThat(script).startsWith("set -eu").contains("STORAGE_URI").doesNotContain("127.0.0.1");
    }
  }
}
