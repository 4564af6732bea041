package io.mlserving.operator.validation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.HostRoutingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.Variant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The checks only the operator can make, across resources of one namespace: references to InferenceServices
 * that do not exist, and two resources claiming one host (or one CircuitBreaker target). Pure: the operator
 * feeds it from its caches, {@code validate} from the files it was given.
 */
public final class CrossChecks {
  /** Older first: creationTimestamp (RFC 3339 sorts as text), then name; no timestamp sorts last. */
  public static final Comparator<HasMetadata> AGE_ORDER = Comparator
      .comparing((HasMetadata r) -> r.getMetadata().getCreationTimestamp(),
          Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(r -> r.getMetadata().getName());

  private CrossChecks() {}

  /** Field path to referenced InferenceService name, in spec order. */
  public static Map<String, String> references(HasMetadata resource) {
    Map<String, String> refs = new LinkedHashMap<>();
    if (resource instanceof ABTest ab && ab.getSpec() != null && ab.getSpec().getVariants() != null) {
      List<Variant> variants = ab.getSpec().getVariants();
      for (int i = 0; i < variants.size(); i++) {
        refs.put("spec.variants[" + i + "].inferenceService", variants.get(i).getInferenceService());
      }
    } else if (resource instanceof ShadowTest st && st.getSpec() != null) {
      refs.put("spec.primary", st.getSpec().getPrimary());
      refs.put("spec.shadow", st.getSpec().getShadow());
    } else if (resource instanceof Canary c && c.getSpec() != null) {
      refs.put("spec.stable", c.getSpec().getStable());
      refs.put("spec.canary", c.getSpec().getCanary());
    } else if (resource instanceof CircuitBreaker cb && cb.getSpec() != null) {
      refs.put("spec.inferenceService", cb.getSpec().getInferenceService());
    }
    refs.values().removeIf(Objects::isNull);
    return refs;
  }

  /** The host an ABTest, ShadowTest or Canary serves: spec.host, or metadata.name when unset. */
  public static Optional<String> host(HasMetadata resource) {
    HostRoutingSpec spec = hostRoutingSpec(resource);
    if (spec == null && !servesHost(resource)) {
      return Optional.empty();
    }
    String host = spec == null ? null : spec.getHost();
    return Optional.of(host == null || host.isEmpty() ? resource.getMetadata().getName() : host);
  }

  /** What a resource claims exclusively in its namespace: "host:<host>" or "target:<isvc>". */
  public static Optional<String> claim(HasMetadata resource) {
    if (resource instanceof CircuitBreaker cb) {
      return cb.getSpec() == null || cb.getSpec().getInferenceService() == null
          ? Optional.empty() : Optional.of("target:" + cb.getSpec().getInferenceService());
    }
    return host(resource).map(h -> "host:" + h);
  }

  /** Problems for references of {@code resource} naming none of {@code inferenceServices}. */
  public static List<Problem> missingReferences(HasMetadata resource, Set<String> inferenceServices) {
    return references(resource).entrySet().stream()
        .filter(e -> !inferenceServices.contains(e.getValue()))
        .map(e -> new Problem(e.getKey(), "InferenceService " + e.getValue() + " not found in namespace "
            + resource.getMetadata().getNamespace()))
        .toList();
  }

  /**
   * The conflict {@code resource} loses, if any: an InferenceService with the same name as its host, or an
   * older resource (by {@link #AGE_ORDER}) of the same namespace claiming the same host or target.
   */
  public static Optional<Problem> conflict(HasMetadata resource, Collection<? extends HasMetadata> sameNamespace,
      Set<String> inferenceServices) {
    Optional<String> claim = claim(resource);
    if (claim.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> host = host(resource);
    if (host.isPresent() && inferenceServices.contains(host.get())) {
      return Optional.of(new Problem(hostField(resource), "host " + host.get()
          + " is the name of InferenceService " + host.get() + ", whose Service already has that name;"
          + " choose another spec.host"));
    }
    return sameNamespace.stream()
        .filter(other -> !(other instanceof InferenceService))
        .filter(other -> !sameObject(other, resource))
        .filter(other -> claim.equals(claim(other)))
        .filter(other -> AGE_ORDER.compare(other, resource) < 0)
        .min(AGE_ORDER)
        .map(winner -> new Problem(resource instanceof CircuitBreaker ? "spec.inferenceService" : hostField(resource),
            (resource instanceof CircuitBreaker
                ? "InferenceService " + claim.get().substring("target:".length()) + " is already protected by "
                : "host " + host.orElse("") + " is already claimed by ")
                + winner.getKind() + " " + winner.getMetadata().getName()
                + "; delete one of them or change this one"));
  }

  private static boolean servesHost(HasMetadata resource) {
    return resource instanceof ABTest || resource instanceof ShadowTest || resource instanceof Canary;
  }

  private static HostRoutingSpec hostRoutingSpec(HasMetadata resource) {
    return resource instanceof ABTest ab ? ab.getSpec()
        : resource instanceof ShadowTest st ? st.getSpec()
        : resource instanceof Canary c ? c.getSpec() : null;
  }

  private static String hostField(HasMetadata resource) {
    HostRoutingSpec spec = hostRoutingSpec(resource);
    return spec != null && spec.getHost() != null ? "spec.host" : "metadata.name";
  }

  private static boolean sameObject(HasMetadata a, HasMetadata b) {
    return a.getKind().equals(b.getKind()) && a.getMetadata().getName().equals(b.getMetadata().getName())
        && Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
  }
}
