package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.config.LoaderImages;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every object a custom resource of any of the five kinds generates: what the operator applies and what
 * {@code render} prints. Pure: no I/O, no clock.
 */
public final class DesiredResources {
  /** Kind, then namespace, then name (the order {@code render} prints); ties keep their order. */
  public static final Comparator<HasMetadata> RENDER_ORDER = Comparator
      .comparing((HasMetadata o) -> o.getKind(), Comparator.nullsFirst(Comparator.<String>naturalOrder()))
      .thenComparing(o -> o.getMetadata().getNamespace(), Comparator.nullsFirst(Comparator.<String>naturalOrder()))
      .thenComparing(o -> o.getMetadata().getName(), Comparator.nullsFirst(Comparator.<String>naturalOrder()));

  private DesiredResources() {}

  /**
   * The versions of the optional APIs the generated objects are written in, as the operator detected them (or
   * {@code render} was told); empty where the cluster serves none. Istio matters only to ABTests, ShadowTests
   * and CircuitBreakers, autoscaling only to InferenceServices with {@code spec.autoscaling}.
   */
  public record Apis(Optional<IstioApi> istio, Optional<AutoscalingApi> autoscaling) {
    public Apis {
      Objects.requireNonNull(istio, "istio");
      Objects.requireNonNull(autoscaling, "autoscaling");
    }

    /** {@code istio} (may be null: not served) with the default autoscaling version. */
    public static Apis of(IstioApi istio) {
      return new Apis(Optional.ofNullable(istio), Optional.of(AutoscalingApi.DEFAULT));
    }

    /** Both versions given. */
    public static Apis of(IstioApi istio, AutoscalingApi autoscaling) {
      return new Apis(Optional.ofNullable(istio), Optional.ofNullable(autoscaling));
    }
  }

  /**
   * The objects {@code cr} generates, in a stable order per kind (InferenceService: Deployment, Service,
   * HorizontalPodAutoscaler; ABTest, ShadowTest and Canary: apex Service, VirtualService; CircuitBreaker:
   * DestinationRule). {@code images} matters only to InferenceServices, {@code api} only to the others.
   *
   * @throws IllegalArgumentException for a kind that is not one of the five, or a spec the CRD schema rejects
   */
  public static List<HasMetadata> of(HasMetadata cr, LoaderImages images, IstioApi api) {
    return of(cr, images, Apis.of(api), Map.of());
  }

  /**
   * The one entry point the operator's reconcilers and {@code render} share. As
   * {@link #of(HasMetadata, LoaderImages, IstioApi)}, in the versions {@code apis} names, with the
   * InferenceServices of the resource's namespace by name: the apex Service of an ABTest or ShadowTest takes
   * the port name (http or grpc) of the InferenceService it selects. The operator passes its cache,
   * {@code render} the files it read. Without an autoscaling API an InferenceService generates no
   * HorizontalPodAutoscaler (its status says why).
   *
   * @throws IllegalArgumentException for a kind that is not one of the five, or a spec the CRD schema rejects
   * @throws NullPointerException for an Istio kind when {@code apis} has no Istio version
   */
  public static List<HasMetadata> of(HasMetadata cr, LoaderImages images, Apis apis,
      Map<String, InferenceService> inferenceServices) {
    Objects.requireNonNull(cr, "cr");
    if (cr instanceof InferenceService isvc) {
      return InferenceServiceResources.all(isvc, Objects.requireNonNull(images, "images"), apis.autoscaling());
    }
    IstioApi version = apis.istio().orElseThrow(() -> new NullPointerException("api"));
    if (cr instanceof ABTest ab) {
      return ABTestResources.all(ab, version,
          portName(inferenceServices, ab.getSpec().getVariants().get(0).getInferenceService()));
    }
    if (cr instanceof ShadowTest st) {
      return ShadowTestResources.all(st, version, portName(inferenceServices, st.getSpec().getPrimary()));
    }
    if (cr instanceof CircuitBreaker cb) {
      return CircuitBreakerResources.all(cb, version);
    }
    if (cr instanceof Canary c) {
      // At the weight its status holds: the operator passes the status it is about to write, render none.
      return CanaryResources.all(c, version, portName(inferenceServices, c.getSpec().getStable()));
    }
    throw new IllegalArgumentException("no generated objects for kind " + cr.getKind()
        + ": expected InferenceService, ABTest, ShadowTest, CircuitBreaker or Canary");
  }

  private static String portName(Map<String, InferenceService> isvcs, String name) {
    InferenceService isvc = isvcs.get(name);
    return isvc == null ? HostRouting.defaultPortName() : InferenceServiceResources.portName(isvc);
  }

  /**
   * The objects all of {@code crs} generate, sorted by {@link #RENDER_ORDER}; references resolve among
   * {@code crs}.
   */
  public static List<HasMetadata> ofAll(Collection<? extends HasMetadata> crs, LoaderImages images, IstioApi api) {
    return ofAll(crs, images, Apis.of(api));
  }

  /** As {@link #ofAll(Collection, LoaderImages, IstioApi)}, in the versions {@code apis} names. */
  public static List<HasMetadata> ofAll(Collection<? extends HasMetadata> crs, LoaderImages images, Apis apis) {
    Map<String, Map<String, InferenceService>> isvcs = new HashMap<>();
    for (HasMetadata cr : crs) {
      if (cr instanceof InferenceService isvc) {
        isvcs.computeIfAbsent(String.valueOf(isvc.getMetadata().getNamespace()), k -> new HashMap<>())
            .put(isvc.getMetadata().getName(), isvc);
      }
    }
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata cr : crs) {
      out.addAll(of(cr, images, apis, isvcs.getOrDefault(String.valueOf(cr.getMetadata().getNamespace()), Map.of())));
    }
    out.sort(RENDER_ORDER);
    return out;
  }
}
