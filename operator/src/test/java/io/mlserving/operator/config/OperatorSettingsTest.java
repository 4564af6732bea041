package io.mlserving.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {
  @Test
  void defaultsWhenNothingIsSet() {
    OperatorSettings s = OperatorSettings.fromEnv(Map.<String, String>of()::get);
    assertThat(s).isEqualTo(OperatorSettings.defaults());
    assertThat(s.watchNamespaces()).isEmpty();
    assertThat(s.loaderImages()).isEqualTo(LoaderImages.defaults());
    assertThat(s.istioApi()).isEqualTo("auto");
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.reconcileThreads()).isEqualTo(50);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "' 64 '|64", "1|1", "''|50"})
  void reconcileThreadsAreRead(String value, int threads) {
    assertThat(OperatorSettings.fromEnv(Map.of("MLSERVING_RECONCILE_THREADS", value)::get).reconcileThreads())
        .isEqualTo(threads);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"0", "-3", "many", "2.5"})
  void reconcileThreadsMustBeAWholeNumberOfAtLeastOne(String value) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> OperatorSettings.fromEnv(Map.of("MLSERVING_RECONCILE_THREADS", value)::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MLSERVING_RECONCILE_THREADS: expected a whole number of at least 1, got \"" + value + "\"");
  }

  @Test
  void everyVariableIsRead() {
    Map<String, String> env = Map.of(
        "MLSERVING_WATCH_NAMESPACES", " models, staging ,,",
        "MLSERVING_LOADER_IMAGE_S3", "mirror.local/aws-cli:2",
        "MLSERVING_LOADER_IMAGE_HF", " ",
        "MLSERVING_ISTIO_API", "V1Beta1",
        "MLSERVING_LOG_FORMAT", "json",
        "MLSERVING_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "mlserving-system",
        "MLSERVING_HTTP_PORT", "9090");
    OperatorSettings s = OperatorSettings.fromEnv(env::get);
    assertThat(s.watchNamespaces()).containsExactly("models", "staging");
    assertThat(s.loaderImages().s3()).isEqualTo("mirror.local/aws-cli:2");
    assertThat(s.loaderImages().hf()).isEqualTo(LoaderImages.DEFAULT_HF);
    assertThat(s.istioApi()).isEqualTo("v1beta1");
    assertThat(s.jsonLogs()).isTrue();
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaseNamespace()).isEqualTo("mlserving-system");
    assertThat(s.httpPort()).isEqualTo(9090);
  }

  @Test
  void leaseNamespaceVariableWinsOverThePodNamespace() {
    Map<String, String> env = Map.of("POD_NAMESPACE", "a", "MLSERVING_LEASE_NAMESPACE", "b");
    assertThat(OperatorSettings.fromEnv(env::get).leaseNamespace()).isEqualTo("b");
    assertThat(OperatorSettings.namespaces("")).isEqualTo(Set.of());
  }

  @Test
  void theRegistrySettingsAreMlflowsOwnVariables() {
    Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", " http://mlflow.mlflow:5000 ",
        "MLSERVING_LOADER_IMAGE_MLFLOW", "mirror.local/python:3.12", "MLSERVING_PROMETHEUS_URL", "http://prom:9090");
    OperatorSettings s = OperatorSettings.fromEnv(env::get);
    assertThat(s.mlflowTrackingUri()).isEqualTo("http://mlflow.mlflow:5000");
    assertThat(s.loaderImages().mlflow()).isEqualTo("mirror.local/python:3.12");
    assertThat(OperatorSettings.defaults().mlflowTrackingUri()).isNull();
    assertThat(OperatorSettings.defaults().loaderImages().mlflow()).isEqualTo(LoaderImages.DEFAULT_MLFLOW);
    // The other "with" methods keep it.
    assertThat(s.withPrometheusUrl(null).withFirstStatusGrace(java.time.Duration.ZERO).mlflowTrackingUri())
        .isEqualTo("http://mlflow.mlflow:5000");
    assertThat(s.withMlflowTrackingUri(" ").mlflowTrackingUri()).isNull();
    assertThat(s.withMlflowTrackingUri(" ").prometheusUrl()).isEqualTo("http://prom:9090");
  }
}
