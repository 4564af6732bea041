package io.mlserving.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestSpec;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerSpec;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestSpec;
import io.mlserving.operator.api.v1alpha1.Variant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrossChecksTest {
  private static final Set<String> ISVCS = Set.of("fraud-v1", "fraud-v2");

  static ABTest ab(String name, String host, String created) {
    ABTest ab = new ABTest();
    ab.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
    ABTestSpec spec = new ABTestSpec();
    spec.setHost(host);
    spec.setVariants(List.of(new Variant("a", "fraud-v1", 50), new Variant("b", "fraud-v2", 50)));
    ab.setSpec(spec);
    return ab;
  }

  static ShadowTest shadow(String name, String host, String created, String primary, String shadow) {
    ShadowTest st = new ShadowTest();
    st.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
    ShadowTestSpec spec = new ShadowTestSpec();
    spec.setHost(host);
    spec.setPrimary(primary);
    spec.setShadow(shadow);
    st.setSpec(spec);
    return st;
  }

  static CircuitBreaker cb(String name, String target, String created) {
    CircuitBreaker cb = new CircuitBreaker();
    cb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
    CircuitBreakerSpec spec = new CircuitBreakerSpec();
    spec.setInferenceService(target);
    cb.setSpec(spec);
    return cb;
  }

  @Test
  void referencesNameTheirFields() {
    assertThat(CrossChecks.references(ab("ab", null, null)))
        .containsExactly(java.util.Map.entry("spec.variants[0].inferenceService", "fraud-v1"),
            java.util.Map.entry("spec.variants[1].inferenceService", "fraud-v2"));
    assertThat(CrossChecks.missingReferences(shadow("st", null, null, "fraud-v1", "fraud-v9"), ISVCS))
        .containsExactly(new Problem("spec.shadow", "InferenceService fraud-v9 not found in namespace ns"));
    assertThat(CrossChecks.missingReferences(cb("cb", "fraud-v1", null), ISVCS)).isEmpty();
  }

  @Test
  void hostDefaultsToTheName() {
    assertThat(CrossChecks.host(ab("fraud", null, null))).contains("fraud");
    assertThat(CrossChecks.host(ab("fraud-ab", "fraud", null))).contains("fraud");
    assertThat(CrossChecks.host(cb("cb", "x", null))).isEmpty();
  }

  @Test
  void theLaterClaimantLosesAndNamesTheEarlierOne() {
    ABTest older = ab("ab-old", "fraud", "2026-01-01T00:00:00Z");
    ShadowTest newer = shadow("st-new", "fraud", "2026-01-02T00:00:00Z", "fraud-v1", "fraud-v2");
    List<HasMetadata> all = List.of(older, newer);
    assertThat(CrossChecks.conflict(older, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(newer, all, ISVCS)).get()
        .isEqualTo(new Problem("spec.host", "host fraud is already claimed by ABTest ab-old; delete one of them or"
            + " change this one"));
  }

  @Test
  void sameTimestampIsBrokenByName() {
    ABTest a = ab("a", "fraud", "2026-01-01T00:00:00Z");
    ABTest b = ab("b", "fraud", "2026-01-01T00:00:00Z");
    assertThat(CrossChecks.conflict(a, List.of(a, b), ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(b, List.of(a, b), ISVCS)).isPresent();
  }

  @Test
  void hostEqualToAnInferenceServiceAlwaysLoses() {
    ABTest ab = ab("fraud-v1", null, "2020-01-01T00:00:00Z");
    assertThat(CrossChecks.conflict(ab, List.of(ab), ISVCS)).get()
        .extracting(Problem::field).isEqualTo("metadata.name");
  }

  @Test
  void twoCircuitBreakersOnOneTarget() {
    CircuitBreaker first = cb("cb-1", "fraud-v1", "2026-01-01T00:00:00Z");
    CircuitBreaker second = cb("cb-2", "fraud-v1", "2026-01-01T00:00:01Z");
    CircuitBreaker other = cb("cb-3", "fraud-v2", "2026-01-01T00:00:00Z");
    List<HasMetadata> all = List.of(second, first, other);
    assertThat(CrossChecks.conflict(first, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(other, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(second, all, ISVCS)).get().satisfies(p -> {
      assertThat(p.field()).isEqualTo("spec.inferenceService");
      assertThat(p.message()).contains("already protected by CircuitBreaker cb-1");
    });
  }

  // ---- Canary ----

  static Canary canary(String name, String host, String created, String stable, String canary) {
    Canary c = new Canary();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
    CanarySpec spec = new CanarySpec();
    spec.setHost(host);
    spec.setStable(stable);
    spec.setCanary(canary);
    spec.setSteps(List.of(10, 50));
    c.setSpec(spec);
    return c;
  }

  @Test
  void canaryReferencesAreTheStableThenTheCanary() {
    assertThat(CrossChecks.references(canary("c", null, null, "fraud-v1", "fraud-v2")))
        .containsExactly(Map.entry("spec.stable", "fraud-v1"), Map.entry("spec.canary", "fraud-v2"));
    assertThat(CrossChecks.missingReferences(canary("c", null, null, "fraud-v1", "fraud-v2"), ISVCS)).isEmpty();
    assertThat(CrossChecks.missingReferences(canary("c", null, null, "fraud-v1", "fraud-v9"), ISVCS))
        .containsExactly(new Problem("spec.canary", "InferenceService fraud-v9 not found in namespace ns"));
    assertThat(CrossChecks.missingReferences(canary("c", null, null, "fraud-v0", "fraud-v9"), ISVCS))
        .extracting(Problem::field).containsExactly("spec.stable", "spec.canary");
  }

  @Test
  void canaryWithoutSpecOrRefsHasNoReferences() {
    Canary bare = canary("c", null, null, null, null);
    assertThat(CrossChecks.references(bare)).isEmpty();
    bare.setSpec(null);
    assertThat(CrossChecks.references(bare)).isEmpty();
  }

  @Test
  void canaryHostDefaultsToItsNameAndIsAHostClaim() {
    assertThat(CrossChecks.host(canary("fraud", null, null, "fraud-v1", "fraud-v2"))).contains("fraud");
    assertThat(CrossChecks.host(canary("fraud-rollout", "fraud", null, "fraud-v1", "fraud-v2"))).contains("fraud");
    assertThat(CrossChecks.claim(canary("fraud-rollout", "fraud", null, "fraud-v1", "fraud-v2")))
        .contains("host:fraud");
  }

  @Test
  void aCanaryNewerThanAnABTestOnItsHostLoses() {
    ABTest older = ab("ab-old", "fraud", "2026-01-01T00:00:00Z");
    Canary newer = canary("fraud-rollout", "fraud", "2026-01-02T00:00:00Z", "fraud-v1", "fraud-v2");
    List<HasMetadata> all = List.of(newer, older);
    assertThat(CrossChecks.conflict(older, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(newer, all, ISVCS)).get()
        .isEqualTo(new Problem("spec.host", "host fraud is already claimed by ABTest ab-old; delete one of them or"
            + " change this one"));
  }

  @Test
  void aShadowTestNewerThanACanaryOnItsHostLosesNamingTheCanary() {
    Canary older = canary("fraud-rollout", "fraud", "2026-01-01T00:00:00Z", "fraud-v1", "fraud-v2");
    ShadowTest newer = shadow("fraud", null, "2026-01-03T00:00:00Z", "fraud-v1", "fraud-v2");
    List<HasMetadata> all = List.of(older, newer);
    assertThat(CrossChecks.conflict(older, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(newer, all, ISVCS)).get().satisfies(p -> {
      assertThat(p.field()).as("the host is the ShadowTest's name").isEqualTo("metadata.name");
      assertThat(p.message()).isEqualTo("host fraud is already claimed by Canary fraud-rollout; delete one of them"
          + " or change this one");
    });
  }

  @Test
  void twoCanariesOnOneHost() {
    Canary first = canary("first", "fraud", "2026-01-01T00:00:00Z", "fraud-v1", "fraud-v2");
    Canary second = canary("second", "fraud", "2026-01-01T00:00:05Z", "fraud-v2", "fraud-v1");
    Canary elsewhere = canary("other", "scoring", "2025-01-01T00:00:00Z", "fraud-v1", "fraud-v2");
    List<HasMetadata> all = List.of(second, elsewhere, first);
    assertThat(CrossChecks.conflict(first, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(elsewhere, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(second, all, ISVCS)).get()
        .extracting(Problem::message).asString().contains("already claimed by Canary first");
  }

  @Test
  void aCanaryWhoseHostIsAnInferenceServiceLoses() {
    Canary named = canary("fraud-v1", null, "2020-01-01T00:00:00Z", "fraud-v1", "fraud-v2");
    assertThat(CrossChecks.conflict(named, List.of(named), ISVCS)).get().satisfies(p -> {
      assertThat(p.field()).isEqualTo("metadata.name");
      assertThat(p.message()).contains("host fraud-v1 is the name of InferenceService fraud-v1");
    });
    Canary hosted = canary("fraud-rollout", "fraud-v2", "2020-01-01T00:00:00Z", "fraud-v1", "fraud-v2");
    assertThat(CrossChecks.conflict(hosted, List.of(hosted), ISVCS)).get()
        .extracting(Problem::field).isEqualTo("spec.host");
  }

  @Test
  void aCanaryAndACircuitBreakerOnTheSameModelDoNotConflict() {
    Canary c = canary("fraud", null, "2026-01-02T00:00:00Z", "fraud-v1", "fraud-v2");
    CircuitBreaker cb = cb("fraud", "fraud-v1", "2026-01-01T00:00:00Z");
    List<HasMetadata> all = List.of(c, cb);
    assertThat(CrossChecks.conflict(c, all, ISVCS)).isEmpty();
    assertThat(CrossChecks.conflict(cb, all, ISVCS)).isEmpty();
  }
}
