package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The networking.istio.io version the generated VirtualServices and DestinationRules use. Both versions have
 * the same fields (the spec classes are shared); only apiVersion and the fabric8 resource class differ.
 */
public enum IstioApi {
  /** networking.istio.io/v1: Istio 1.22 and later. The default. */
  V1("v1"),
  /** networking.istio.io/v1beta1: clusters on Istio before 1.22. */
  V1BETA1("v1beta1");

  public static final String GROUP = "networking.istio.io";
  public static final IstioApi DEFAULT = V1;

  private final String version;

  IstioApi(String version) {
    this.version = version;
  }

  /** The version alone: {@code v1} or {@code v1beta1} (what {@code render --istio-api} takes). */
  public String version() {
    return version;
  }

  /** {@code networking.istio.io/<version>}. */
  public String apiVersion() {
    return GROUP + "/" + version;
  }

  /**
   * The version named by {@code text}: {@code v1}, {@code v1beta1} or the full apiVersion, any case.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static IstioApi parse(String text) {
    String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (wanted.startsWith(GROUP + "/")) {
      wanted = wanted.substring(GROUP.length() + 1);
    }
    for (IstioApi api : values()) {
      if (api.version.equals(wanted)) {
        return api;
      }
    }
    throw new IllegalArgumentException("unknown Istio API version '" + text + "': use one of "
        + Arrays.stream(values()).map(IstioApi::version).collect(Collectors.joining(", ")));
  }

  /** The fabric8 class of a VirtualService in this version, for {@code client.resources(...)}. */
  public Class<? extends HasMetadata> virtualServiceClass() {
    return this == V1
        ? io.fabric8.istio.api.networking.v1.VirtualService.class
        : io.fabric8.istio.api.networking.v1beta1.VirtualService.class;
  }

  /** The fabric8 class of a DestinationRule in this version, for {@code client.resources(...)}. */
  public Class<? extends HasMetadata> destinationRuleClass() {
    return this == V1
        ? io.fabric8.istio.api.networking.v1.DestinationRule.class
        : io.fabric8.istio.api.networking.v1beta1.DestinationRule.class;
  }

  /** A VirtualService of this version with the given metadata and spec. */
  public HasMetadata virtualService(ObjectMeta metadata, VirtualService spec) {
    return this == V1
        ? new io.fabric8.istio.api.networking.v1.VirtualServiceBuilder()
            .withMetadata(metadata).withSpec(spec).build()
        : new io.fabric8.istio.api.networking.v1beta1.VirtualServiceBuilder()
            .withMetadata(metadata).withSpec(spec).build();
  }

  /** A DestinationRule of this version with the given metadata and spec. */
  public HasMetadata destinationRule(ObjectMeta metadata, DestinationRule spec) {
    return this == V1
        ? new io.fabric8.istio.api.networking.v1.DestinationRuleBuilder()
            .withMetadata(metadata).withSpec(spec).build()
        : new io.fabric8.istio.api.networking.v1beta1.DestinationRuleBuilder()
            .withMetadata(metadata).withSpec(spec).build();
  }
}
