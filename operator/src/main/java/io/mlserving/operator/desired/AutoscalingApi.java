package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The autoscaling version the generated HorizontalPodAutoscalers use. autoscaling/v2 is served from Kubernetes
 * 1.23; older servers (1.12 to 1.25) serve autoscaling/v2beta2, which has the same fields for what we set
 * (scaleTargetRef, min/max replicas, one CPU utilization metric).
 */
public enum AutoscalingApi {
  /** autoscaling/v2: Kubernetes 1.23 and later. The default. */
  V2("v2"),
  /** autoscaling/v2beta2: Kubernetes before 1.23 (removed in 1.26). */
  V2BETA2("v2beta2");

  public static final String GROUP = "autoscaling";
  public static final AutoscalingApi DEFAULT = V2;
  public static final String KIND = "HorizontalPodAutoscaler";

  private final String version;

  AutoscalingApi(String version) {
    this.version = version;
  }

  /** The version alone: {@code v2} or {@code v2beta2}. */
  public String version() {
    return version;
  }

  /** {@code autoscaling/<version>}. */
  public String apiVersion() {
    return GROUP + "/" + version;
  }

  /**
   * The version named by {@code text}: {@code v2}, {@code v2beta2} or the full apiVersion, any case.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static AutoscalingApi parse(String text) {
    String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (wanted.startsWith(GROUP + "/")) {
      wanted = wanted.substring(GROUP.length() + 1);
    }
    for (AutoscalingApi api : values()) {
      if (api.version.equals(wanted)) {
        return api;
      }
    }
    throw new IllegalArgumentException("unknown autoscaling API version '" + text + "': use one of "
        + Arrays.stream(values()).map(AutoscalingApi::version).collect(Collectors.joining(", ")));
  }

  /** The fabric8 class of a HorizontalPodAutoscaler in this version. */
  public Class<? extends HasMetadata> horizontalPodAutoscalerClass() {
    return this == V2 ? HorizontalPodAutoscaler.class
        : io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler.class;
  }

  /** {@code hpa} (built in autoscaling/v2) in this version: the same fields under the other apiVersion. */
  public HasMetadata of(HorizontalPodAutoscaler hpa) {
    if (this == V2) {
      return hpa;
    }
    HasMetadata out = Serialization.jsonMapper().convertValue(hpa, horizontalPodAutoscalerClass());
    out.setApiVersion(apiVersion());
    return out;
  }
}
