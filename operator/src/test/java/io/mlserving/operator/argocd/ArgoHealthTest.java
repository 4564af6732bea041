package io.mlserving.operator.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.chart.ProjectFiles;
import io.mlserving.operator.crd.CrdFiles;
import io.mlserving.operator.status.Reason;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health checks in argocd/health/mlserving.io/&lt;Kind&gt;/ (Argo CD's resource_customizations
 * layout), run by a real Lua 5.1 interpreter on every fixture their health_test.yaml lists.
 */
class ArgoHealthTest {
  static final Path HEALTH = ProjectFiles.resolve("argocd/health/mlserving.io");
  static final List<String> KINDS = List.of("InferenceService", "ABTest", "ShadowTest", "CircuitBreaker", "Canary");
  static final Set<String> ARGO_STATUSES = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing",
      "Unknown");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String INSTALL_HINT = "lua5.1 is not installed: run `apt-get install -y lua5.1` (Debian's Lua 5.1;"
      + " Argo CD runs health checks with Lua 5.1 semantics). .ci/run installs it when it is missing;"
      + " elsewhere set -Dmlserving.lua=/path/to/lua5.1.";

  @TempDir Path work;

  @TestFactory
  Stream<DynamicTest> everyFixtureGivesItsExpectedHealth() throws IOException {
    String lua = luaBinary();
    Path harness = harness();
    List<DynamicTest> tests = new ArrayList<>();
    for (String kind : KINDS) {
      Path dir = HEALTH.resolve(kind);
      for (JsonNode test : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
        String input = test.path("inputPath").asText();
        String status = test.path("healthStatus").path("status").asText();
        String message = test.path("healthStatus").path("message").asText();
        tests.add(DynamicTest.dynamicTest(kind + " " + input + " -> " + status, () -> {
          Health health = run(lua, harness, dir.resolve("health.lua"), dir.resolve(input));
          assertThat(health.status()).as("status of %s/%s", kind, input).isEqualTo(status);
          assertThat(health.message()).as("message of %s/%s", kind, input).isEqualTo(message);
        }));
      }
    }
    return tests.stream();
  }

  /**
   * Every reason of {@link Reason}, for every kind, through the real script: Ready=False with a reason that
   * needs someone to act is Degraded, any other is Progressing. So a reason added to the enum cannot be
   * forgotten in the Lua tables.
   */
  @TestFactory
  Stream<DynamicTest> everyReasonOfTheEnumGetsItsHealth() {
    String lua = luaBinary();
    Path harness = harness();
    List<DynamicTest> tests = new ArrayList<>();
    for (String kind : KINDS) {
      for (Reason reason : Reason.values()) {
        if (reason == Reason.Ready) {
          continue;
        }
        String expected = reason.degraded() ? "Degraded" : "Progressing";
        tests.add(DynamicTest.dynamicTest(kind + " Ready=False " + reason + " -> " + expected, () -> {
          Path fixture = work.resolve(kind + "-" + reason + ".yaml");
          Files.writeString(fixture, """
              apiVersion: mlserving.io/v1alpha1
              kind: %s
              metadata: {name: x, namespace: models, generation: 1}
              status:
                observedGeneration: 1
                conditions:
                  - {type: Ready, status: "False", reason: %s, message: "what to do", observedGeneration: 1}
              """.formatted(kind, reason.name()));
          Health health = run(lua, harness, HEALTH.resolve(kind).resolve("health.lua"), fixture);
          assertThat(health.status()).isEqualTo(expected);
          assertThat(health.message()).isEqualTo(reason.name() + ": what to do");
        }));
      }
    }
    return tests.stream();
  }

  /** Every kind the operator serves (its CRDs) has a health check, so a new kind cannot show Healthy on creation. */
  @Test
  void everyKindOfTheOperatorHasAHealthCheck() throws IOException {
    assertThat(KINDS).containsExactlyInAnyOrderElementsOf(
        CrdFiles.KINDS.stream().map(HasMetadata::getKind).toList());
    try (Stream<Path> dirs = Files.list(HEALTH)) {
      assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrderElementsOf(KINDS);
    }
  }

  /**
   * A Canary's phases as Argo CD shows them, through its Ready condition: Waiting and Progressing are
   * Progressing, Promoted is Healthy, RolledBack is Degraded. Checked on the fixtures, each of which is a status
   * the state machine writes, so the mapping holds for the phase as well as for the reason.
   */
  @Test
  void everyCanaryPhaseHasItsHealth() throws Exception {
    Map<String, String> byPhase = Map.of("Waiting", "Progressing", "Progressing", "Progressing",
        "Promoted", "Healthy", "RolledBack", "Degraded");
    Path dir = HEALTH.resolve("Canary");
    Set<String> phasesSeen = new TreeSet<>();
    for (JsonNode test : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
      Path fixture = dir.resolve(test.path("inputPath").asText());
      JsonNode object = YAML.readTree(fixture.toFile());
      String phase = object.at("/status/phase").asText("");
      boolean current = object.at("/status/observedGeneration").asLong(-1) == object.at("/metadata/generation").asLong();
      if (phase.isEmpty() || !current) {
        continue;
      }
      phasesSeen.add(phase);
      assertThat(run(luaBinary(), harness(), dir.resolve("health.lua"), fixture).status())
          .as("phase %s in %s", phase, fixture.getFileName()).isEqualTo(byPhase.get(phase));
    }
    assertThat(phasesSeen).containsExactlyInAnyOrderElementsOf(byPhase.keySet());
  }

  /** Healthy, Progressing and Degraded each have a fixture, and every fixture file is used. */
  @Test
  void everyKindHasFixturesForEachHealth() throws IOException {
    for (String kind : KINDS) {
      Path dir = HEALTH.resolve(kind);
      assertThat(dir.resolve("health.lua")).isRegularFile();
      Set<String> statuses = new TreeSet<>();
      Set<String> inputs = new TreeSet<>();
      for (JsonNode test : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
        String status = test.path("healthStatus").path("status").asText();
        assertThat(ARGO_STATUSES).contains(status);
        statuses.add(status);
        inputs.add(test.path("inputPath").asText());
        JsonNode fixture = YAML.readTree(dir.resolve(test.path("inputPath").asText()).toFile());
        assertThat(fixture.path("apiVersion").asText()).isEqualTo("mlserving.io/v1alpha1");
        assertThat(fixture.path("kind").asText()).isEqualTo(kind);
      }
      assertThat(statuses).as(kind).contains("Healthy", "Progressing", "Degraded");
      try (Stream<Path> files = Files.list(dir.resolve("testdata"))) {
        assertThat(files.map(p -> "testdata/" + p.getFileName())).as("fixtures of %s not in health_test.yaml", kind)
            .allMatch(inputs::contains);
      }
    }
  }

  /** The interpreter is the real Lua 5.1, the version whose semantics Argo CD's gopher-lua follows. */
  @Test
  void interpreterIsLua51() throws Exception {
    Process p = new ProcessBuilder(luaBinary(), "-v").redirectErrorStream(true).start();
    String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    System.out.println("Argo CD health checks run with: " + version);
    assertThat(version).startsWith("Lua 5.1");
  }

  @Test
  void tableLiteralKeepsTypesAndEscapes() throws Exception {
    JsonNode node = YAML.readTree("""
        metadata: {generation: 3, name: "a\\"b\\\\c\\nd é"}
        status:
          ratio: 0.5
          ok: true
          gone: null
          conditions: [{type: Ready}, {type: Other}]
        """);
    Path objectFile = work.resolve("obj.lua");
    Files.writeString(objectFile, "return " + LuaLiteral.of(node) + "\n");
    Path script = work.resolve("probe.lua");
    Files.writeString(script, """
        local hs = {}
        hs.status = "Healthy"
        hs.message = type(obj.metadata.generation) .. ":" .. obj.metadata.generation .. "|" .. obj.metadata.name
          .. "|" .. obj.status.ratio .. "|" .. tostring(obj.status.ok) .. "|" .. tostring(obj.status.gone)
          .. "|" .. #obj.status.conditions .. "|" .. obj.status.conditions[1].type
        return hs
        """);
    Health health = run(luaBinary(), harness(), script, null, objectFile);
    assertThat(health.message()).isEqualTo("number:3|a\"b\\c\nd é|0.5|true|nil|2|Ready");
  }

  // --- running Lua ----------------------------------------------------------------------------

  record Health(String status, String message) {}

  Health run(String lua, Path harness, Path healthLua, Path fixture) throws Exception {
    Path objectFile = work.resolve("object-" + System.nanoTime() + ".lua");
    Files.writeString(objectFile, "return " + LuaLiteral.of(YAML.readTree(fixture.toFile())) + "\n");
    return run(lua, harness, healthLua, fixture, objectFile);
  }

  static Health run(String lua, Path harness, Path healthLua, Path fixture, Path objectFile) throws Exception {
    Process p = new ProcessBuilder(lua, harness.toString(), healthLua.toString(), objectFile.toString()).start();
    byte[] out;
    byte[] err;
    try (InputStream stdout = p.getInputStream(); InputStream stderr = p.getErrorStream()) {
      out = stdout.readAllBytes();
      err = stderr.readAllBytes();
    }
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(lua + " did not finish in 20 s on " + fixture);
    }
    String stdout = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("lua5.1 on %s: %s", fixture, new String(err, StandardCharsets.UTF_8)).isZero();
    int newline = stdout.indexOf('\n');
    assertThat(newline).as("harness output %s", stdout).isPositive();
    return new Health(stdout.substring(0, newline), stdout.substring(newline + 1));
  }

  static String luaBinary() {
    String configured = System.getProperty("mlserving.lua");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "lua5.1");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(INSTALL_HINT);
  }

  Path harness() {
    try (InputStream in = ArgoHealthTest.class.getResourceAsStream("/argocd/health-harness.lua")) {
      assertThat(in).as("test resource argocd/health-harness.lua").isNotNull();
      Path target = work.resolve("health-harness.lua");
      Files.write(target, in.readAllBytes());
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
