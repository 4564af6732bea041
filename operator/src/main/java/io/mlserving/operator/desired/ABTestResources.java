package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequestBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestinationBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestSpec;
import io.mlserving.operator.api.v1alpha1.Route;
import io.mlserving.operator.api.v1alpha1.StickySession;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import io.mlserving.operator.api.v1alpha1.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * ABTest to its apex Service and VirtualService: condition routes, sticky-session cookie routes, then the
 * weighted split. Pure: no I/O, no clock.
 */
public final class ABTestResources {
  /** Name of the last http route, the weighted split. */
  public static final String WEIGHTED_ROUTE = "weighted";
  /** Prefix of the condition routes' names: {@code route-0}, {@code route-1}, ... in spec order. */
  public static final String CONDITION_ROUTE_PREFIX = "route-";
  /** Prefix of the cookie routes' names: {@code sticky-<variant>}. */
  public static final String STICKY_ROUTE_PREFIX = "sticky-";
  public static final String COOKIE_HEADER = "cookie";
  public static final String SET_COOKIE_HEADER = "Set-Cookie";

  private ABTestResources() {}

  /** Every object the ABTest generates, in a stable order: the apex Service, then the VirtualService. */
  public static List<HasMetadata> all(ABTest ab, IstioApi api) {
    return all(ab, api, HostRouting.defaultPortName());
  }

  /** As {@link #all(ABTest, IstioApi)}, the apex port named {@code portName} (the first variant's protocol). */
  public static List<HasMetadata> all(ABTest ab, IstioApi api, String portName) {
    return List.of(apexService(ab, portName), virtualService(ab, api));
  }

  /** The host clients call: {@code spec.host}, defaulting to metadata.name. */
  public static String host(ABTest ab) {
    return HostRouting.host(ab, ab.getSpec());
  }

  /** {@code http://<host>.<namespace>.svc.cluster.local}, for status.url. */
  public static String url(ABTest ab) {
    return Names.url(host(ab), ab.getMetadata().getNamespace());
  }

  /** The InferenceServices the variants name, each once, in spec order. */
  public static List<String> inferenceServices(ABTest ab) {
    return new ArrayList<>(ab.getSpec().getVariants().stream()
        .map(Variant::getInferenceService)
        .collect(Collectors.toCollection(LinkedHashSet::new)));
  }

  /** Variant name to weight, in spec order (a missing weight counts as 0), for status.weights. */
  public static Map<String, Integer> effectiveWeights(ABTest ab) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Variant v : ab.getSpec().getVariants()) {
      weights.put(v.getName(), weight(v));
    }
    return weights;
  }

  /** The weights on one line, {@code control=90,candidate=10}, for status.weightSummary. */
  public static String weightSummary(ABTest ab) {
    return effectiveWeights(ab).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** Apex Service {@code <host>} selecting the first variant's pods, port 80 named {@code http}. */
  public static Service apexService(ABTest ab) {
    return apexService(ab, HostRouting.defaultPortName());
  }

  /**
   * Apex Service {@code <host>} selecting the first variant's pods, port 80 named {@code portName}: for a
   * caller that knows the first variant's InferenceService serves grpc.
   */
  public static Service apexService(ABTest ab, String portName) {
    String first = ab.getSpec().getVariants().get(0).getInferenceService();
    return HostRouting.apexService(ab, host(ab), first, portName);
  }

  /** The VirtualService {@code <name>} in networking.istio.io/v1. */
  public static io.fabric8.istio.api.networking.v1.VirtualService virtualService(ABTest ab) {
    return (io.fabric8.istio.api.networking.v1.VirtualService) virtualService(ab, IstioApi.V1);
  }

  /** The VirtualService {@code <name>} in the given networking.istio.io version. */
  public static HasMetadata virtualService(ABTest ab, IstioApi api) {
    return api.virtualService(OwnedMeta.of(ab, ab.getMetadata().getName()), virtualServiceSpec(ab));
  }

  /**
   * The VirtualService's spec. Routes, first match wins: one per {@code routes} entry (its header matches, the
   * variant's InferenceService); with a sticky session one per variant matching its cookie;
   * then {@code weighted}, every variant with its weight. Timeout and retries on every route.
   */
  public static io.fabric8.istio.api.api.networking.v1alpha3.VirtualService virtualServiceSpec(ABTest ab) {
    ABTestSpec spec = ab.getSpec();
    String namespace = ab.getMetadata().getNamespace();
    HTTPRetry retries = HostRouting.retries(spec.getRetries());
    List<HTTPRoute> http = new ArrayList<>();

    List<Route> routes = spec.getRoutes() == null ? List.of() : spec.getRoutes();
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      Variant variant = variant(spec, route.getVariant(), "spec.routes[" + i + "].variant");
      // No cookie here: a header match is a condition, not an assignment that should outlive the request.
      http.add(route(spec, CONDITION_ROUTE_PREFIX + i, retries)
          .withMatch(headerMatch(route, i))
          .withRoute(new HTTPRouteDestinationBuilder()
              .withDestination(HostRouting.destination(variant.getInferenceService(), namespace))
              .build())
          .build());
    }

    StickySession sticky = spec.getStickySession();
    if (sticky != null) {
      for (Variant v : spec.getVariants()) {
        // One per variant, as the contract says, weight 0 included: a client keeps the variant it was given
        // until its cookie expires (maxAge), even while that variant is being drained.
        http.add(route(spec, STICKY_ROUTE_PREFIX + v.getName(), retries)
            .withMatch(new HTTPMatchRequestBuilder()
                .withHeaders(Map.of(COOKIE_HEADER, regex(cookieRegex(cookieName(sticky), v.getName()))))
                .build())
            // The cookie is set again on every answer, so an active client keeps its variant (sliding expiry).
            .withRoute(destination(v, namespace, sticky, null))
            .build());
      }
    }

    http.add(route(spec, WEIGHTED_ROUTE, retries)
        .withRoute(spec.getVariants().stream().map(v -> destination(v, namespace, sticky, weight(v))).toList())
        .build());

    return new VirtualServiceBuilder()
        .withHosts(HostRouting.hosts(host(ab), spec))
        .withGateways(HostRouting.gateways(spec))
        .withHttp(http)
        .build();
  }

  /** The cookie's name: {@code stickySession.cookieName}, defaulting to {@code mlserving-variant}. */
  public static String cookieName(StickySession sticky) {
    String name = sticky.getCookieName();
    return name == null || name.isEmpty() ? StickySession.DEFAULT_COOKIE_NAME : name;
  }

  /** The cookie's lifetime in whole seconds: {@code stickySession.maxAge}, defaulting to 24h (86400). */
  public static long cookieMaxAgeSeconds(StickySession sticky) {
    String maxAge = sticky.getMaxAge();
    return Durations.seconds(maxAge == null || maxAge.isEmpty() ? StickySession.DEFAULT_MAX_AGE : maxAge);
  }

  /** The Set-Cookie value naming {@code variant}: {@code <cookie>=<variant>; Max-Age=<seconds>; Path=/}. */
  public static String setCookie(StickySession sticky, String variant) {
    return cookieName(sticky) + "=" + variant + "; Max-Age=" + cookieMaxAgeSeconds(sticky) + "; Path=/";
  }

  /**
   * RE2 regex on the whole Cookie header that matches when it holds {@code <cookieName>=<variant>} as one of
   * its cookies (first, last or in between, with or without a space after the semicolon), and not a cookie
   * whose name or value merely starts or ends with them.
   */
  public static String cookieRegex(String cookieName, String variant) {
    return "^(.*?;\\s*)?(" + quoteRegex(cookieName) + "=" + quoteRegex(variant) + ")(;.*)?$";
  }

  /** {@code text} with every RE2 (and java.util.regex) metacharacter escaped by a backslash. */
  public static String quoteRegex(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static HTTPRouteBuilder route(ABTestSpec spec, String name, HTTPRetry retries) {
    return new HTTPRouteBuilder().withName(name).withTimeout(spec.getTimeout()).withRetries(retries);
  }

  /** One match with every header of the route, sorted by header name so the output does not depend on input order. */
  private static HTTPMatchRequest headerMatch(Route route, int index) {
    if (route.getHeaders() == null || route.getHeaders().isEmpty()) {
      throw new IllegalArgumentException("spec.routes[" + index + "].headers: a route needs at least one header match");
    }
    Map<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> headers = new TreeMap<>();
    route.getHeaders().forEach((name, match) ->
        headers.put(name, stringMatch(match, "spec.routes[" + index + "].headers." + name)));
    return new HTTPMatchRequestBuilder().withHeaders(headers).build();
  }

  private static io.fabric8.istio.api.api.networking.v1alpha3.StringMatch stringMatch(StringMatch m, String field) {
    int set = (m.getExact() != null ? 1 : 0) + (m.getPrefix() != null ? 1 : 0) + (m.getRegex() != null ? 1 : 0);
    if (set != 1) {
      throw new IllegalArgumentException(field + ": set exactly one of exact, prefix or regex");
    }
    if (m.getExact() != null) {
      return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchExact(m.getExact()));
    }
    if (m.getPrefix() != null) {
      return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchPrefix(m.getPrefix()));
    }
    return regex(m.getRegex());
  }

  private static io.fabric8.istio.api.api.networking.v1alpha3.StringMatch regex(String regex) {
    return new io.fabric8.istio.api.api.networking.v1alpha3.StringMatch(new StringMatchRegex(regex));
  }

  /** A destination for variant {@code v}; with a sticky session it sets the cookie naming the variant. */
  private static HTTPRouteDestination destination(Variant v, String namespace, StickySession sticky, Integer weight) {
    HTTPRouteDestinationBuilder dest = new HTTPRouteDestinationBuilder()
        .withDestination(HostRouting.destination(v.getInferenceService(), namespace))
        .withWeight(weight);
    if (sticky != null) {
      dest.withNewHeaders()
          .withNewResponse().withAdd(Map.of(SET_COOKIE_HEADER, setCookie(sticky, v.getName()))).endResponse()
          .endHeaders();
    }
    return dest.build();
  }

  private static Variant variant(ABTestSpec spec, String name, String field) {
    return spec.getVariants().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(field + ": no variant named '" + name + "'"));
  }

  private static int weight(Variant v) {
    return v.getWeight() == null ? 0 : v.getWeight();
  }
}
