package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.desired.StorageLocation.Scheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a loader script for real with /bin/sh (dash, as minimal images have), as a pod would: the command the
 * Deployment gets (the storage URI, model directory, HOME and, when {@code extra} has MODEL_SHA256, the checksum
 * as the script's arguments) and the rest of {@code extra} as environment variables; none of this machine's
 * MLflow, HTTP or checksum settings.
 */
record LoaderRun(int exit, String output) {
  static LoaderRun of(Scheme scheme, String uri, Path modelDir, Path home, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = new HashMap<>(extra);
    String sha256 = env.remove("MODEL_SHA256");
    ProcessBuilder pb = new ProcessBuilder(
        LoaderScripts.command(scheme, uri, modelDir.toString(), home.toString(), sha256)).redirectErrorStream(true);
    pb.environment().keySet()
        .removeIf(k -> k.startsWith("MLFLOW_") || k.equals("MODEL_SHA256") || k.startsWith("HTTP"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new LoaderRun(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
