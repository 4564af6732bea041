package io.mlserving.operator.desired;

import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.OutlierDetection;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Rules istiod's validating webhook applies that the CRD schema does not express, for the fields we generate:
 * unique hosts, a destination on every route, non-negative weights not all zero, retries off means no retry
 * policy, header names and values, regexes that compile, non-empty prefixes, mirror percentages, durations of at
 * least 1ms in whole milliseconds, non-empty connection pools, percentages 0..100.
 */
public final class IstioWebhookRules {
  private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+\\-.^_`|~A-Za-z0-9]+$");
  private static final Pattern HEADER_VALUE_FORBIDDEN = Pattern.compile("[\\x00-\\x08\\x0A-\\x1F\\x7F]");

  private IstioWebhookRules() {}

  /** What istiod's webhook would refuse in {@code object} (a v1 or v1beta1 VirtualService or DestinationRule). */
  public static List<String> problems(HasMetadata object) {
    List<String> out = new ArrayList<>();
    if (object instanceof io.fabric8.istio.api.networking.v1.VirtualService vs) {
      virtualService(vs.getSpec(), out);
    } else if (object instanceof io.fabric8.istio.api.networking.v1beta1.VirtualService vs) {
      virtualService(vs.getSpec(), out);
    } else if (object instanceof io.fabric8.istio.api.networking.v1.DestinationRule dr) {
      destinationRule(dr.getSpec(), out);
    } else if (object instanceof io.fabric8.istio.api.networking.v1beta1.DestinationRule dr) {
      destinationRule(dr.getSpec(), out);
    }
    return out;
  }

  private static void virtualService(VirtualService spec, List<String> out) {
    Set<String> hosts = new HashSet<>();
    for (String host : spec.getHosts()) {
      if (!hosts.add(host)) {
        out.add("duplicate host " + host);
      }
    }
    if (spec.getHttp() == null || spec.getHttp().isEmpty()) {
      out.add("http, tcp or tls must be provided");
      return;
    }
    boolean catchAllSeen = false;
    for (HTTPRoute r : spec.getHttp()) {
      String at = "http[" + r.getName() + "]";
      if (catchAllSeen) {
        out.add(at + ": unreachable after a route without matches");
      }
      catchAllSeen |= r.getMatch() == null || r.getMatch().isEmpty();
      if (r.getRoute() == null || r.getRoute().isEmpty()) {
        out.add(at + ": HTTP route or redirect is required");
      } else {
        destinations(r.getRoute(), at, out);
      }
      if (r.getMatch() != null) {
        for (HTTPMatchRequest m : r.getMatch()) {
          if (m.getHeaders() != null) {
            m.getHeaders().forEach((name, match) -> {
              if (!HEADER_NAME.matcher(name).matches()) {
                out.add(at + ": header name " + name + " is not valid");
              }
              if (match.getMatchType() instanceof StringMatchPrefix p && p.getPrefix().isEmpty()) {
                out.add(at + ": prefix string match should not be empty");
              }
              if (match.getMatchType() instanceof StringMatchRegex rx) {
                regex(rx.getRegex(), at, out);
              }
            });
          }
        }
      }
      retries(r.getRetries(), at, out);
      duration(r.getTimeout(), at + ".timeout", out);
      if (r.getMirrorPercentage() != null) {
        double v = r.getMirrorPercentage().getValue();
        if (v < 0 || v > 100 || (v > 0 && v < 0.0001)) {
          out.add(at + ": mirror percentage " + v + " is neither 0 nor in [0.0001, 100]");
        }
      }
      if (r.getMirror() != null && r.getMirrors() != null && !r.getMirrors().isEmpty()) {
        out.add(at + ": HTTP route cannot contain both mirror and mirrors");
      }
    }
  }

  private static void destinations(List<HTTPRouteDestination> route, String at, List<String> out) {
    int total = 0;
    for (HTTPRouteDestination d : route) {
      if (d.getDestination() == null || d.getDestination().getHost() == null) {
        out.add(at + ": destination is required");
      }
      int weight = d.getWeight() == null ? 0 : d.getWeight();
      if (weight < 0) {
        out.add(at + ": weight " + weight + " < 0");
      }
      total += weight;
      if (d.getHeaders() != null && d.getHeaders().getResponse() != null) {
        headerOps(d.getHeaders().getResponse().getAdd(), at, out);
        headerOps(d.getHeaders().getResponse().getSet(), at, out);
      }
    }
    if (route.size() > 1 && total == 0) {
      out.add(at + ": total destination weight = 0");
    }
  }

  private static void headerOps(Map<String, String> ops, String at, List<String> out) {
    if (ops == null) {
      return;
    }
    ops.forEach((name, value) -> {
      if (name.isEmpty() || name.startsWith(":") || name.equalsIgnoreCase("host")) {
        out.add(at + ": header " + name + " cannot be modified");
      }
      if (HEADER_VALUE_FORBIDDEN.matcher(value).find()) {
        out.add(at + ": header value " + value + " has control characters");
      }
      // Envoy reads %...% as a variable: a lone % makes the value invalid.
      if (value.replace("%%", "").contains("%")) {
        out.add(at + ": header value " + value + " has an unescaped %");
      }
    });
  }

  private static void retries(HTTPRetry retry, String at, List<String> out) {
    if (retry == null) {
      return;
    }
    if (retry.getAttempts() == null || retry.getAttempts() < 0) {
      out.add(at + ": attempts cannot be negative");
    }
    if ((retry.getAttempts() == null || retry.getAttempts() == 0)
        && (retry.getPerTryTimeout() != null || retry.getRetryOn() != null
            || retry.getRetryRemoteLocalities() != null)) {
      out.add(at + ": http retry policy configured when attempts are set to 0 (disabled)");
    }
    duration(retry.getPerTryTimeout(), at + ".retries.perTryTimeout", out);
  }

  private static void regex(String regex, String at, List<String> out) {
    if (regex.isEmpty() || regex.length() > 1024) {
      out.add(at + ": regex must be 1 to 1024 characters");
    }
    try {
      Pattern.compile(regex); // java.util.regex as a stand-in for RE2 on the syntax we generate
    } catch (PatternSyntaxException e) {
      out.add(at + ": regex does not compile: " + e.getMessage());
    }
    if (regex.contains("(?<") || regex.contains("(?=") || regex.contains("(?!") || regex.matches(".*\\\\[1-9].*")) {
      out.add(at + ": regex uses lookaround or back-references, which RE2 lacks");
    }
  }

  private static void destinationRule(DestinationRule spec, List<String> out) {
    if (spec.getHost() == null || spec.getHost().isEmpty()) {
      out.add("host is required");
    }
    if (spec.getTrafficPolicy() == null) {
      return;
    }
    ConnectionPoolSettings pool = spec.getTrafficPolicy().getConnectionPool();
    if (pool != null) {
      if (pool.getTcp() == null && pool.getHttp() == null) {
        out.add("connection pool must have at least one field");
      }
      if (pool.getTcp() != null) {
        nonNegative(pool.getTcp().getMaxConnections(), "tcp.maxConnections", out);
        duration(pool.getTcp().getConnectTimeout(), "tcp.connectTimeout", out);
      }
      if (pool.getHttp() != null) {
        nonNegative(pool.getHttp().getHttp1MaxPendingRequests(), "http.http1MaxPendingRequests", out);
        nonNegative(pool.getHttp().getMaxRequestsPerConnection(), "http.maxRequestsPerConnection", out);
      }
    }
    OutlierDetection od = spec.getTrafficPolicy().getOutlierDetection();
    if (od != null) {
      duration(od.getInterval(), "outlierDetection.interval", out);
      duration(od.getBaseEjectionTime(), "outlierDetection.baseEjectionTime", out);
      if (od.getMaxEjectionPercent() != null && (od.getMaxEjectionPercent() < 0 || od.getMaxEjectionPercent() > 100)) {
        out.add("outlierDetection.maxEjectionPercent is not in 0..100");
      }
    }
  }

  private static void nonNegative(Integer value, String field, List<String> out) {
    if (value != null && value < 0) {
      out.add(field + " must be non-negative");
    }
  }

  private static void duration(String text, String field, List<String> out) {
    if (text == null) {
      return;
    }
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      out.add(field + ": " + e.getMessage());
      return;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      out.add(field + ": duration must be greater than 1ms");
    }
    if (d.getNano() % 1_000_000 != 0) {
      out.add(field + ": only durations to ms precision are supported");
    }
  }
}
