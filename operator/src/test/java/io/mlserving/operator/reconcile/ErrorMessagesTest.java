package io.mlserving.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

/** The one-line reason of a failed reconcile names the HTTP code, or the timeout when there was no answer. */
class ErrorMessagesTest {
  @Test
  void httpAnswerNamesTheCode() {
    var e = new KubernetesClientException(new StatusBuilder().withCode(409).withMessage("the object has been modified")
        .build());
    assertThat(ErrorMessages.describe(e)).startsWith("The API server answered HTTP 409: the object has been modified");
  }

  @Test
  void noAnswerNamesTheTimeout() {
    var e = new KubernetesClientException("Operation: [patch]  for kind: [Deployment]  with name: [a] failed.",
        new IOException("request timed out", new HttpTimeoutException("request timed out")));
    assertThat(ErrorMessages.describe(e)).startsWith("The request to the API server timed out: Operation: [patch]")
        .contains("(HttpTimeoutException: request timed out)");
  }

  @Test
  void otherFailuresNameTheirCause() {
    var e = new KubernetesClientException("Operation: [get] failed.", new java.net.ConnectException("refused"));
    assertThat(ErrorMessages.describe(e)).startsWith("The request to the API server failed: Operation: [get] failed.")
        .contains("ConnectException: refused");
  }
}
