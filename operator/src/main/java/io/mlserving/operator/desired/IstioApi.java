package io.mlserving.operator.desired;

import java.util.Locale;
import java.util.Optional;

/** The networking.istio.io version generated objects use. */
public enum IstioApi {
  V1("networking.istio.io/v1"),
  V1BETA1("networking.istio.io/v1beta1");

  private final String apiVersion;

  IstioApi(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  public String apiVersion() {
    return apiVersion;
  }

  /** "v1" or "v1beta1", in any case. */
  public static Optional<IstioApi> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "v1" -> Optional.of(V1);
      case "v1beta1" -> Optional.of(V1BETA1);
      default -> Optional.empty();
    };
  }
}
