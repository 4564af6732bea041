package io.mlserving.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The replica identity: the pod name in a pod, the host name plus a random suffix elsewhere. */
class IdentityTest {
  @Test
  void podNameIsTheIdentityAsIs() {
    assertThat(Identity.of(Map.of("POD_NAME", "mlserving-operator-7d9f8-x2x4k")::get, () -> "node-1", new Random(1)))
        .isEqualTo("mlserving-operator-7d9f8-x2x4k");
  }

  @Test
  void withoutPodNameTheHostNameGetsARandomSuffix() {
    String id = Identity.of(Map.<String, String>of()::get, () -> "Build-Host", new Random(1));
    assertThat(id).matches("build-host-[bcdfghjklmnpqrstvwxz2456789]{8}");
  }

  @Test
  void twoProcessesOnOneHostNeverShareAnIdentity() {
    Set<String> seen = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 1000; i++) {
      seen.add(Identity.of(Map.of("POD_NAME", " ")::get, () -> "host", random));
    }
    assertThat(seen).hasSize(1000);
  }

  @Test
  void noHostNameFallsBackToTheOperatorsName() {
    assertThat(Identity.of(Map.<String, String>of()::get, () -> null, new Random(1)))
        .matches("mlserving-operator-[a-z0-9]{8}");
  }

  @Test
  void aLongHostNameStaysWithinTheEventsReportingInstanceLimit() {
    String id = Identity.of(Map.<String, String>of()::get, () -> "h".repeat(300), new Random(1));
    assertThat(id).hasSizeLessThanOrEqualTo(128);
  }

  @Test
  void outsideAPodEachCallIsANewIdentity() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("POD_NAME") == null, "runs outside a pod");
    assertThat(Identity.ofThisProcess()).isNotBlank().isNotEqualTo(Identity.ofThisProcess());
  }
}
