package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.config.OperatorSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The flags of {@code run} override the environment's settings, and leave the others as they are. */
class RunCommandSettingsTest {
  private static OperatorSettings parsed(OperatorSettings env, String... args) {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs(args);
    return run.settings(env);
  }

  @Test
  void theRegistryAndPrometheusFlagsOverrideTheEnvironment() {
    OperatorSettings env = OperatorSettings.defaults().withMlflowTrackingUri("http://env:5000")
        .withPrometheusUrl("http://env-prom:9090");
    assertThat(parsed(env).mlflowTrackingUri()).isEqualTo("http://env:5000");
    OperatorSettings flags = parsed(env, "--mlflow-tracking-uri", "http://flag:5000", "--prometheus-url",
        "http://flag-prom:9090");
    assertThat(flags.mlflowTrackingUri()).isEqualTo("http://flag:5000");
    assertThat(flags.prometheusUrl()).isEqualTo("http://flag-prom:9090");
    assertThat(flags.loaderImages()).isEqualTo(env.loaderImages());
  }
}
