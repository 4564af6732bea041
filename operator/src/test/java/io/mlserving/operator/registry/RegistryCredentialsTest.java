package io.mlserving.operator.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which credentials the operator's environment gives, and to which URLs they go (pure). */
class RegistryCredentialsTest {
  private static final String TRACKING = "http://mlflow.mlflow.svc:5000";

  private static RegistryCredentials from(String trackingUri, String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return RegistryCredentials.from(env::get, trackingUri);
  }

  private static String basic(String pair) {
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> environments() {
    return Stream.of(
        Arguments.of("nothing", new String[] {}, null),
        Arguments.of("a token", new String[] {"MLFLOW_TRACKING_TOKEN", "t0k"}, "Bearer t0k"),
        Arguments.of("a token with spaces around", new String[] {"MLFLOW_TRACKING_TOKEN", "  t0k\n"}, "Bearer t0k"),
        Arguments.of("a blank token", new String[] {"MLFLOW_TRACKING_TOKEN", "  "}, null),
        Arguments.of("a username and password", new String[] {"MLFLOW_TRACKING_USERNAME", "alice",
            "MLFLOW_TRACKING_PASSWORD", "s3cret"}, basic("alice:s3cret")),
        Arguments.of("a password with spaces and colons, kept as is", new String[] {"MLFLOW_TRACKING_USERNAME", "alice",
            "MLFLOW_TRACKING_PASSWORD", " a:b c "}, basic("alice: a:b c ")),
        Arguments.of("a username and password besides a token (MLflow's client prefers basic)", new String[] {
            "MLFLOW_TRACKING_TOKEN", "t0k", "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pw"},
            basic("alice:pw")),
        Arguments.of("a username without a password", new String[] {"MLFLOW_TRACKING_USERNAME", "alice"}, null),
        Arguments.of("a username with an empty password", new String[] {"MLFLOW_TRACKING_USERNAME", "alice",
            "MLFLOW_TRACKING_PASSWORD", ""}, null),
        Arguments.of("a username without a password, and a token", new String[] {"MLFLOW_TRACKING_USERNAME", "alice",
            "MLFLOW_TRACKING_TOKEN", "t0k"}, "Bearer t0k"),
        Arguments.of("a password alone", new String[] {"MLFLOW_TRACKING_PASSWORD", "pw"}, null),
        Arguments.of("non-ASCII basic credentials (UTF-8, as MLflow encodes them)", new String[] {
            "MLFLOW_TRACKING_USERNAME", "zoë", "MLFLOW_TRACKING_PASSWORD", "pässword"}, basic("zoë:pässword")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("environments")
  void theEnvironmentGivesTheHeaderMlflowsClientWouldSend(String label, String[] env, String header) {
    RegistryCredentials creds = from(TRACKING, env);
    assertThat(creds.present()).isEqualTo(header != null);
    assertThat(creds.unusable()).isFalse();
    assertThat(creds.authorizationFor(TRACKING)).isEqualTo(java.util.Optional.ofNullable(header));
  }

  static Stream<Arguments> urls() {
    return Stream.of(
        Arguments.of("http://mlflow.mlflow.svc:5000", true),
        Arguments.of("http://mlflow.mlflow.svc:5000/", true),
        Arguments.of("http://mlflow.mlflow.svc:5000/some/prefix", true),
        Arguments.of("  http://mlflow.mlflow.svc:5000  ", true),
        Arguments.of("HTTP://MLflow.MLFLOW.svc:5000", true),
        Arguments.of("http://mlflow.mlflow.svc:5001", false),
        Arguments.of("https://mlflow.mlflow.svc:5000", false),
        Arguments.of("http://mlflow.mlflow.svc", false),
        Arguments.of("http://mlflow.mlflow.svc.evil.example:5000", false),
        Arguments.of("http://evil.example:5000/?http://mlflow.mlflow.svc:5000", false),
        Arguments.of("http://mlflow.mlflow.svc:5000@evil.example", false),
        Arguments.of("not a url", false),
        Arguments.of("", false));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("urls")
  void credentialsGoToTheTrackingServersOriginOnly(String url, boolean sent) {
    RegistryCredentials creds = from(TRACKING, "MLFLOW_TRACKING_TOKEN", "t0k");
    assertThat(creds.authorizationFor(url).isPresent()).isEqualTo(sent);
  }

  @Test
  void aSchemesDefaultPortIsTheSameOrigin() {
    RegistryCredentials http = from("http://mlflow.example", "MLFLOW_TRACKING_TOKEN", "t");
    assertThat(http.authorizationFor("http://mlflow.example:80/api")).isPresent();
    assertThat(http.authorizationFor("http://mlflow.example:8080")).isEmpty();
    RegistryCredentials https = from("https://mlflow.example:443/", "MLFLOW_TRACKING_TOKEN", "t");
    assertThat(https.authorizationFor("https://mlflow.example")).isPresent();
    assertThat(https.authorizationFor("http://mlflow.example:443")).isEmpty();
  }

  @Test
  void withoutAUsableTrackingUriCredentialsGoNowhere() {
    for (String tracking : new String[] {null, "not a url", "mlflow:5000"}) {
      RegistryCredentials creds = from(tracking, "MLFLOW_TRACKING_TOKEN", "t0k");
      assertThat(creds.present()).isTrue();
      assertThat(creds.unusable()).as(String.valueOf(tracking)).isTrue();
      assertThat(creds.authorizationFor(TRACKING)).isEmpty();
      assertThat(creds.toString()).contains("unused");
    }
    assertThat(RegistryCredentials.none().present()).isFalse();
    assertThat(RegistryCredentials.none().unusable()).isFalse();
    assertThat(RegistryCredentials.none().authorizationFor(TRACKING)).isEmpty();
  }

  @Test
  void theDescriptionForTheLogNeverShowsTheSecret() {
    String token = from(TRACKING, "MLFLOW_TRACKING_TOKEN", "t0k-SECRET").toString();
    assertThat(token).isEqualTo("an MLflow token for http://mlflow.mlflow.svc:5000").doesNotContain("SECRET");
    String basic = from(TRACKING, "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "SECRET")
        .toString();
    assertThat(basic).isEqualTo("an MLflow username and password for http://mlflow.mlflow.svc:5000")
        .doesNotContain("SECRET").doesNotContain(basic("alice:SECRET").substring(6));
    assertThat(RegistryCredentials.none().toString()).isEqualTo("no MLflow credentials");
  }
}
