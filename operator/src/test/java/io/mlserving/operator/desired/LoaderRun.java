package io.mlserving.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.desired.StorageLocation.Scheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a loader script for real with /bin/sh (dash, as minimal images have), with the environment a pod would give
 * it: STORAGE_URI, MODEL_DIR, HOME and what the test adds; none of this machine's MLflow or checksum settings.
 */
record LoaderRun(int exit, String output) {
  static LoaderRun of(Scheme scheme, String uri, Path modelDir, Path home, Map<String, String> extraEnv)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", LoaderScripts.forScheme(scheme)).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.equals("MODEL_SHA256") || k.startsWith("HTTP"));
    env.put("STORAGE_URI", uri);
    env.put("MODEL_DIR", modelDir.toString());
    env.put("HOME", home.toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new LoaderRun(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
