package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mlserving.operator.desired.StorageLocation.Scheme;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader scripts, run for real with /bin/sh (dash, as minimal images have): the HTTP loader with the real
 * curl against a server on loopback; the S3 and GCS loaders with stand-ins for aws and gcloud on the PATH
 * that behave like the real CLIs for a prefix, a single object and a failure.
 */
class LoaderScriptsTest {
  private static final byte[] MODEL = "onnx-model-bytes".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  private Path modelDir;
  private Path bin;
  private HttpServer http;

  @BeforeEach
  void setUp() throws IOException {
    modelDir = Files.createDirectories(tmp.resolve("models"));
    bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createDirectories(tmp.resolve("home"));
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/models/fraud.onnx", ex -> {
      if (!"Bearer t0k".equals(ex.getRequestHeaders().getFirst("Authorization"))
          && ex.getRequestURI().getQuery() != null && ex.getRequestURI().getQuery().contains("private")) {
        ex.sendResponseHeaders(403, -1);
        ex.close();
        return;
      }
      ex.sendResponseHeaders(200, MODEL.length);
      ex.getResponseBody().write(MODEL);
      ex.close();
    });
    http.start();
  }

  @AfterEach
  void tearDown() {
    http.stop(0);
  }

  private String url(String pathAndQuery) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + pathAndQuery;
  }

  private LoaderRun run(Scheme scheme, String uri, String sha256, Map<String, String> extraEnv) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    if (sha256 != null) {
      env.put("MODEL_SHA256", sha256);
    }
    return LoaderRun.of(scheme, uri, modelDir, tmp.resolve("home"), env);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private void stub(String name, String script) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void httpDownloadsTheFileAndChecksItsSha256() throws Exception {
    LoaderRun ok = run(Scheme.HTTP, url("/models/fraud.onnx"), sha256(MODEL), Map.of());
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(Files.readAllBytes(modelDir.resolve("fraud.onnx"))).isEqualTo(MODEL);
    assertThat(ok.output()).contains("loaded into");

    LoaderRun bad = run(Scheme.HTTP, url("/models/fraud.onnx"), "0".repeat(64), Map.of());
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.output()).contains("sha256 mismatch").contains("expected " + "0".repeat(64))
        .contains("got " + sha256(MODEL));
  }

  @Test
  void httpSendsTheAuthorizationFromTheSecretAndFailsOnAnHttpError() throws Exception {
    LoaderRun denied = run(Scheme.HTTP, url("/models/fraud.onnx?private"), null, Map.of());
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.output()).contains("403");

    LoaderRun allowed = run(Scheme.HTTP, url("/models/fraud.onnx?private"), null, Map.of("HTTP_AUTHORIZATION", "Bearer t0k"));
    assertThat(allowed.exit()).as(allowed.output()).isZero();
    assertThat(Files.readAllBytes(modelDir.resolve("fraud.onnx"))).isEqualTo(MODEL);

    LoaderRun missing = run(Scheme.HTTP, url("/nothing-here.onnx"), null, Map.of());
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.output()).contains("404");
  }

  @Test
  void aRestartedLoaderStartsFromAnEmptyDirectory() throws Exception {
    Files.writeString(modelDir.resolve("partial.bin"), "half a model");
    Files.writeString(modelDir.resolve(".hidden-temp"), "temp");
    LoaderRun ok = run(Scheme.HTTP, url("/models/fraud.onnx"), sha256(MODEL), Map.of());
    assertThat(ok.exit()).as(ok.output()).isZero();
    try (var files = Files.list(modelDir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("fraud.onnx");
    }
  }

  @Test
  void s3CopiesAPrefixRecursivelyAndASingleObjectAsAFile() throws Exception {
    // aws s3 ls <uri>/ succeeds only for a prefix; cp --recursive copies the prefix, cp copies one object.
    stub("aws", """
        case "$2" in
          ls) case "$3" in s3://models/fraud/v1/) exit 0 ;; *) exit 1 ;; esac ;;
          cp) if [ "$3" = "--recursive" ]; then mkdir -p "$6/sub"; echo w > "$6/model.onnx"; echo c > "$6/sub/config.json";
              else echo one > "$5/model.onnx"; fi ;;
        esac
        """);
    LoaderRun prefix = run(Scheme.S3, "s3://models/fraud/v1", null, Map.of());
    assertThat(prefix.exit()).as(prefix.output()).isZero();
    assertThat(modelDir.resolve("sub/config.json")).exists();

    LoaderRun single = run(Scheme.S3, "s3://models/fraud/model.onnx", null, Map.of());
    assertThat(single.exit()).as(single.output()).isZero();
    assertThat(Files.readString(modelDir.resolve("model.onnx"))).isEqualTo("one\n");
    assertThat(modelDir.resolve("sub")).doesNotExist();
  }

  @Test
  void s3FailuresAndEmptyDownloadsFailTheLoader() throws Exception {
    stub("aws", """
        case "$2" in
          ls) exit 1 ;;
          cp) echo "fatal error: An error occurred (AccessDenied) when calling the GetObject operation" >&2; exit 1 ;;
        esac
        """);
    LoaderRun denied = run(Scheme.S3, "s3://models/fraud/v1", null, Map.of());
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.output()).contains("AccessDenied");

    stub("aws", "exit 0\n");
    LoaderRun empty = run(Scheme.S3, "s3://models/fraud/v1", null, Map.of());
    assertThat(empty.exit()).isNotZero();
    assertThat(empty.output()).contains("s3://models/fraud/v1 gave no files");
  }

  @Test
  void gcsRsyncFailureIsNotMaskedAndTheKeyFromTheSecretIsActivated() throws Exception {
    stub("gcloud", """
        if [ "$1" = auth ]; then for a in "$@"; do case "$a" in --key-file=*) cp "${a#--key-file=}" "$HOME/activated.json";; esac; done; exit 0; fi
        case "$2" in
          ls) exit 0 ;;
          rsync) echo "ERROR: (gcloud.storage.rsync) connection reset" >&2; exit 1 ;;
        esac
        """);
    LoaderRun run = run(Scheme.GS, "gs://bucket/fraud", null, Map.of("GCS_SERVICE_ACCOUNT_JSON", "{\"type\":\"sa\"}"));
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("connection reset").doesNotContain("loaded into");
    assertThat(Files.readString(tmp.resolve("home/activated.json"))).isEqualTo("{\"type\":\"sa\"}");
  }

  @Test
  void everyScriptReadsItsInputsFromTheEnvironmentOnly() {
    for (Scheme scheme : new Scheme[] {Scheme.S3, Scheme.GS, Scheme.HTTP, Scheme.HF}) {
      String script = LoaderScripts.forScheme(scheme);
      assertThat(script).contains("$STORAGE_URI").contains("$MODEL_DIR").startsWith("set -eu");
      assertThat(script).doesNotContain("s3://").doesNotContain("gs://bucket");
    }
  }
}
