package io.mlserving.operator.validation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mlserving.operator.api.v1alpha1.ABTest;
import io.mlserving.operator.api.v1alpha1.ABTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ABTestSpec;
import io.mlserving.operator.api.v1alpha1.AnalysisSpec;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryAnalysis;
import io.mlserving.operator.api.v1alpha1.CanaryMetric;
import io.mlserving.operator.api.v1alpha1.CanarySpec;
import io.mlserving.operator.api.v1alpha1.CircuitBreaker;
import io.mlserving.operator.api.v1alpha1.CircuitBreakerSpec;
import io.mlserving.operator.api.v1alpha1.ConnectionPool;
import io.mlserving.operator.api.v1alpha1.HostRoutingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.InferenceServiceSpec;
import io.mlserving.operator.api.v1alpha1.MlServing;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.OutlierDetection;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.api.v1alpha1.PrometheusRef;
import io.mlserving.operator.api.v1alpha1.RegistrySpec;
import io.mlserving.operator.api.v1alpha1.Retries;
import io.mlserving.operator.api.v1alpha1.Route;
import io.mlserving.operator.api.v1alpha1.ShadowTest;
import io.mlserving.operator.api.v1alpha1.ShadowTestAnalysis;
import io.mlserving.operator.api.v1alpha1.ShadowTestSpec;
import io.mlserving.operator.api.v1alpha1.StickySession;
import io.mlserving.operator.api.v1alpha1.StringMatch;
import io.mlserving.operator.api.v1alpha1.Variant;
import io.mlserving.operator.desired.Durations;
import io.mlserving.operator.desired.StorageLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks admission makes (the CRD schema and its CEL rules), written once more in Java so that
 * {@code validate} and {@code render} can make them with no cluster, and the operator can catch a resource
 * that bypassed admission. Pure. Cross-resource checks (references, host conflicts) live elsewhere.
 */
public final class Validation {
  private static final Pattern DNS_LABEL = Pattern.compile(MlServing.DNS_LABEL);
  private static final Pattern DNS_1123_LABEL = Pattern.compile(MlServing.DNS_1123_LABEL);
  // Every pattern and bound below is the constant the CRD annotation uses: one home per rule, in the API layer.
  private static final Pattern DURATION = Pattern.compile(MlServing.DURATION);
  private static final Pattern GATEWAY = Pattern.compile(HostRoutingSpec.GATEWAY);
  private static final Pattern EXTERNAL_HOST = Pattern.compile(HostRoutingSpec.EXTERNAL_HOST);
  private static final Pattern HEADER_NAME = Pattern.compile(Route.HEADER_NAME);
  private static final Pattern COOKIE_NAME = Pattern.compile(StickySession.COOKIE_NAME);
  private static final Pattern RETRY_ON = Pattern.compile(Retries.RETRY_ON);
  private static final Pattern STATUS_CODE = Pattern.compile(Retries.STATUS_CODE);
  private static final Pattern SHA256 = Pattern.compile(ModelSpec.SHA256);
  private static final Pattern SECRET_NAME = Pattern.compile(MlServing.DNS_1123_SUBDOMAIN);
  private static final Pattern MOUNT_PATH = Pattern.compile(ModelSpec.MOUNT_PATH);
  // UNIX_LINES: '.' then excludes only '\n', as in RE2, which the API server matches CRD patterns with.
  private static final Pattern HEALTH_PATH = Pattern.compile(PredictorSpec.HEALTH_PATH, Pattern.UNIX_LINES);
  private static final Pattern HTTP_BASE_URL = Pattern.compile(MlServing.HTTP_BASE_URL);
  private static final Pattern PLACEHOLDER = Pattern.compile(CanaryMetric.PLACEHOLDER);
  private static final Pattern CREDENTIALS_URI = Pattern.compile(ModelSpec.CREDENTIALS_URI);
  private static final int LABEL_MAX = MlServing.DNS_LABEL_MAX_LENGTH;
  private static final int SUBDOMAIN_MAX = MlServing.DNS_SUBDOMAIN_MAX_LENGTH;
  private static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

  private Validation() {}

  /** Every problem of {@code resource}; empty when it is valid. Unknown kinds give one problem. */
  public static List<Problem> validate(HasMetadata resource) {
    List<Problem> out = new ArrayList<>();
    name(resource, out);
    if (resource instanceof InferenceService isvc) {
      inferenceService(isvc.getSpec(), out);
    } else if (resource instanceof ABTest ab) {
      abTest(ab.getSpec(), out);
    } else if (resource instanceof ShadowTest st) {
      shadowTest(st.getSpec(), out);
    } else if (resource instanceof CircuitBreaker cb) {
      circuitBreaker(cb.getSpec(), out);
    } else if (resource instanceof Canary c) {
      canary(c.getSpec(), out);
    } else {
      out.add(new Problem("kind", "unknown kind " + resource.getKind()));
    }
    return out;
  }

  private static void name(HasMetadata resource, List<Problem> out) {
    String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
    if (name == null || name.isEmpty()) {
      out.add(new Problem("metadata.name", "is required"));
    } else if (name.length() > LABEL_MAX || !DNS_LABEL.matcher(name).matches()) {
      out.add(new Problem("metadata.name",
          "must be a DNS-1035 label of at most " + LABEL_MAX + " characters (lower case, starts with a letter): " + name));
    }
  }

  // ---- InferenceService

  private static void inferenceService(InferenceServiceSpec spec, List<Problem> out) {
    if (spec == null) {
      out.add(new Problem("spec", "is required"));
      return;
    }
    PredictorSpec p = spec.getPredictor();
    if (p == null) {
      out.add(new Problem("spec.predictor", "is required"));
    } else {
      if (p.getImage() == null || p.getImage().isBlank()) {
        out.add(new Problem("spec.predictor.image", "is required"));
      } else if (p.getImage().length() > PredictorSpec.IMAGE_MAX_LENGTH) {
        out.add(new Problem("spec.predictor.image", "must be at most " + PredictorSpec.IMAGE_MAX_LENGTH
            + " characters"));
      }
      range(p.getPort(), PredictorSpec.MIN_PORT, PredictorSpec.MAX_PORT, "spec.predictor.port", out);
      if (p.getEnv() != null) {
        maxItems(p.getEnv(), PredictorSpec.MAX_ENV, "spec.predictor.env", out);
      }
      if (p.getEnvFrom() != null) {
        maxItems(p.getEnvFrom(), PredictorSpec.MAX_ENV_FROM, "spec.predictor.envFrom", out);
      }
      if (p.getEnv() != null && p.getEnv().stream().anyMatch(e -> e == null || e.getName() == null
          || e.getName().isEmpty())) {
        out.add(new Problem("spec.predictor.env", PredictorSpec.ENV_NAME_MESSAGE));
      }
      if (p.getEnvFrom() != null && p.getEnvFrom().stream().anyMatch(e -> e == null
          || (e.getConfigMapRef() == null) == (e.getSecretRef() == null))) {
        out.add(new Problem("spec.predictor.envFrom", PredictorSpec.ENV_FROM_MESSAGE));
      }
      if (p.getHealthPath() != null && (p.getHealthPath().length() > PredictorSpec.HEALTH_PATH_MAX_LENGTH
          || !HEALTH_PATH.matcher(p.getHealthPath()).matches())) {
        out.add(new Problem("spec.predictor.healthPath", "must be an absolute path such as /health"));
      }
      podAnnotations(p.getPodAnnotations(), out);
    }
    ModelSpec m = spec.getModel();
    if (m != null) {
      String uri = m.getStorageUri();
      if (uri == null || uri.isEmpty()) {
        out.add(new Problem("spec.model.storageUri", "is required"));
      } else if (uri.length() > ModelSpec.STORAGE_URI_MAX_LENGTH) {
        out.add(new Problem("spec.model.storageUri", "must be at most " + ModelSpec.STORAGE_URI_MAX_LENGTH
            + " characters"));
      } else if (CREDENTIALS_URI.matcher(uri).find()) {
        out.add(new Problem("spec.model.storageUri", ModelSpec.NO_CREDENTIALS_MESSAGE));
      } else if (StorageLocation.parse(uri).isEmpty()) {
        out.add(new Problem("spec.model.storageUri", ModelSpec.SCHEME_MESSAGE + "; got " + uri));
      }
      if (m.getSha256() != null) {
        if (!SHA256.matcher(m.getSha256()).matches()) {
          out.add(new Problem("spec.model.sha256", "must be 64 hexadecimal characters"));
        } else if (uri != null && uri.startsWith("pvc://")) {
          out.add(new Problem("spec.model.sha256", ModelSpec.SHA_MESSAGE));
        }
      }
      if (m.getCredentialsSecret() != null
          && (m.getCredentialsSecret().length() > SUBDOMAIN_MAX || !SECRET_NAME.matcher(m.getCredentialsSecret()).matches())) {
        out.add(new Problem("spec.model.credentialsSecret", "must be the name of a Secret in the same namespace"));
      }
      if (m.getMountPath() != null && (m.getMountPath().length() > ModelSpec.MOUNT_PATH_MAX_LENGTH
          || !MOUNT_PATH.matcher(m.getMountPath()).matches())) {
        out.add(new Problem("spec.model.mountPath", "must be an absolute path without ':'"));
      }
      registry(m, out);
    }
    if (spec.getReplicas() != null && spec.getReplicas() < 0) {
      out.add(new Problem("spec.replicas", "must be 0 or more"));
    }
    AutoscalingSpec as = spec.getAutoscaling();
    if (as != null) {
      if (as.getMaxReplicas() == null) {
        out.add(new Problem("spec.autoscaling.maxReplicas", "is required"));
      } else {
        range(as.getMaxReplicas(), 1, Integer.MAX_VALUE, "spec.autoscaling.maxReplicas", out);
      }
      range(as.getMinReplicas(), 1, Integer.MAX_VALUE, "spec.autoscaling.minReplicas", out);
      range(as.getTargetCPUUtilizationPercentage(), 1, MlServing.PERCENT_MAX,
          "spec.autoscaling.targetCPUUtilizationPercentage", out);
      if (as.getMinReplicas() != null && as.getMaxReplicas() != null && as.getMinReplicas() > as.getMaxReplicas()) {
        out.add(new Problem("spec.autoscaling.minReplicas", AutoscalingSpec.MIN_ABOVE_MAX_MESSAGE));
      }
    }
  }

  /**
   * Generated pods meet the Pod Security Standard restricted, so a pod annotation may not turn AppArmor off.
   * Operator-only for now: the CRD has no CEL rule for it (its cost over an unbounded map is not known here).
   */
  private static void podAnnotations(Map<String, String> annotations, List<Problem> out) {
    if (annotations == null) {
      return;
    }
    annotations.forEach((key, value) -> {
      if (key != null && key.startsWith(APPARMOR_ANNOTATION) && (value == null
          || !(value.equals("runtime/default") || value.startsWith("localhost/")))) {
        out.add(new Problem("spec.predictor.podAnnotations[" + key + "]",
            "must be runtime/default or localhost/<profile>: generated pods meet the Pod Security Standard"
                + " restricted; got " + value));
      }
    });
  }

  // ---- ABTest and ShadowTest

  private static void hostRouting(HostRoutingSpec spec, List<Problem> out) {
    if (spec.getHost() != null && (spec.getHost().length() > LABEL_MAX || !DNS_LABEL.matcher(spec.getHost()).matches())) {
      out.add(new Problem("spec.host", "must be a DNS-1035 label (lower case, starts with a letter): " + spec.getHost()));
    }
    List<String> gateways = spec.getGateways();
    if (gateways != null) {
      maxItems(gateways, HostRoutingSpec.MAX_GATEWAYS, "spec.gateways", out);
      for (int i = 0; i < gateways.size(); i++) {
        String g = gateways.get(i);
        if (g == null || g.length() > SUBDOMAIN_MAX || !GATEWAY.matcher(g).matches()) {
          out.add(new Problem("spec.gateways[" + i + "]", "must be <namespace>/<name> or <name>"));
        }
      }
    }
    List<String> hosts = spec.getExternalHosts();
    if (hosts != null) {
      maxItems(hosts, HostRoutingSpec.MAX_EXTERNAL_HOSTS, "spec.externalHosts", out);
      for (int i = 0; i < hosts.size(); i++) {
        String h = hosts.get(i);
        if (h == null || h.length() > SUBDOMAIN_MAX || !EXTERNAL_HOST.matcher(h).matches()) {
          out.add(new Problem("spec.externalHosts[" + i + "]",
              "must be a DNS name such as fraud.example.com or *.example.com"));
        }
      }
    }
    duration(spec.getTimeout(), MlServing.DURATION_MIN, "spec.timeout", out);
  }

  private static void abTest(ABTestSpec spec, List<Problem> out) {
    if (spec == null) {
      out.add(new Problem("spec", "is required"));
      return;
    }
    hostRouting(spec, out);
    analysis(spec.getAnalysis(), out);
    List<Variant> variants = spec.getVariants() == null ? List.of() : spec.getVariants();
    if (variants.size() < ABTestSpec.MIN_VARIANTS || variants.size() > ABTestSpec.MAX_VARIANTS) {
      out.add(new Problem("spec.variants", "needs " + ABTestSpec.MIN_VARIANTS + " to " + ABTestSpec.MAX_VARIANTS
          + " variants, has " + variants.size()));
    }
    Set<String> names = new HashSet<>();
    int sum = 0;
    boolean weightsKnown = true;
    for (int i = 0; i < variants.size(); i++) {
      Variant v = variants.get(i);
      String at = "spec.variants[" + i + "]";
      if (v.getName() == null || v.getName().isEmpty()) {
        out.add(new Problem(at + ".name", "is required"));
      } else if (v.getName().length() > LABEL_MAX || !DNS_1123_LABEL.matcher(v.getName()).matches()) {
        out.add(new Problem(at + ".name", "must be a DNS label (lower case letters, digits, '-'): " + v.getName()));
      } else if (!names.add(v.getName())) {
        out.add(new Problem(at + ".name", ABTestSpec.UNIQUE_MESSAGE + ": " + v.getName() + " appears twice"));
      }
      ref(v.getInferenceService(), at + ".inferenceService", out);
      if (v.getWeight() == null) {
        out.add(new Problem(at + ".weight", "is required"));
        weightsKnown = false;
      } else {
        range(v.getWeight(), 0, MlServing.PERCENT_MAX, at + ".weight", out);
        sum += v.getWeight();
      }
    }
    if (weightsKnown && !variants.isEmpty() && sum != ABTestSpec.TOTAL_WEIGHT) {
      out.add(new Problem("spec.variants", ABTestSpec.SUM_MESSAGE + ", they sum to " + sum));
    }
    List<Route> routes = spec.getRoutes();
    if (routes != null) {
      maxItems(routes, ABTestSpec.MAX_ROUTES, "spec.routes", out);
      for (int i = 0; i < routes.size(); i++) {
        route(routes.get(i), "spec.routes[" + i + "]", names, out);
      }
    }
    StickySession sticky = spec.getStickySession();
    if (sticky != null) {
      if (sticky.getCookieName() != null
          && (sticky.getCookieName().length() > StickySession.COOKIE_NAME_MAX_LENGTH || !COOKIE_NAME.matcher(sticky.getCookieName()).matches())) {
        out.add(new Problem("spec.stickySession.cookieName", "must be letters, digits, '_' or '-'"));
      }
      duration(sticky.getMaxAge(), StickySession.MAX_AGE_MIN, "spec.stickySession.maxAge", out);
    }
    retries(spec.getRetries(), out);
  }

  private static void retries(Retries r, List<Problem> out) {
    if (r != null) {
      if (r.getAttempts() == null) {
        out.add(new Problem("spec.retries.attempts", "is required"));
      } else {
        range(r.getAttempts(), 0, Retries.MAX_ATTEMPTS, "spec.retries.attempts", out);
      }
      duration(r.getPerTryTimeout(), MlServing.DURATION_MIN, "spec.retries.perTryTimeout", out);
      if (r.getRetryOn() != null && (r.getRetryOn().length() > Retries.RETRY_ON_MAX_LENGTH || !RETRY_ON.matcher(r.getRetryOn()).matches())) {
        out.add(new Problem("spec.retries.retryOn", "must be a comma-separated list such as 5xx,reset"));
      } else if (r.getRetryOn() != null) {
        for (String policy : r.getRetryOn().split(",")) {
          if (!Retries.RETRY_ON_POLICIES.contains(policy) && !STATUS_CODE.matcher(policy).matches()) {
            out.add(new Problem("spec.retries.retryOn", Retries.RETRY_ON_MESSAGE + "; got " + policy));
            break;
          }
        }
      }
    }
  }

  private static void route(Route route, String at, Set<String> variants, List<Problem> out) {
    if (route.getVariant() == null || route.getVariant().isEmpty()) {
      out.add(new Problem(at + ".variant", "is required"));
    } else if (!variants.contains(route.getVariant())) {
      out.add(new Problem(at + ".variant",
          ABTestSpec.ROUTE_MESSAGE + "; unknown variant " + route.getVariant()));
    }
    Map<String, StringMatch> headers = route.getHeaders();
    if (headers == null || headers.isEmpty()) {
      out.add(new Problem(at + ".headers", Route.HEADERS_MESSAGE));
      return;
    }
    if (headers.size() > Route.MAX_HEADERS) {
      out.add(new Problem(at + ".headers", "must have at most " + Route.MAX_HEADERS + " entries"));
    }
    headers.forEach((name, match) -> {
      String h = at + ".headers." + name;
      if (!HEADER_NAME.matcher(name).matches()) {
        out.add(new Problem(h, Route.HEADER_NAME_MESSAGE));
      }
      int set = 0;
      if (match != null) {
        set += match.getExact() != null ? 1 : 0;
        set += match.getPrefix() != null ? 1 : 0;
        set += match.getRegex() != null ? 1 : 0;
      }
      if (match != null) {
        maxLength(match.getExact(), StringMatch.MAX_LENGTH, h + ".exact", out);
        maxLength(match.getPrefix(), StringMatch.MAX_LENGTH, h + ".prefix", out);
        maxLength(match.getRegex(), StringMatch.MAX_LENGTH, h + ".regex", out);
      }
      if (set != 1) {
        out.add(new Problem(h, StringMatch.ONE_OF_MESSAGE));
      } else if (match.getRegex() != null) {
        try {
          Pattern.compile(match.getRegex());
        } catch (PatternSyntaxException e) {
          out.add(new Problem(h + ".regex", "is not a valid regular expression: " + e.getDescription()));
        }
      }
    });
  }

  private static void shadowTest(ShadowTestSpec spec, List<Problem> out) {
    if (spec == null) {
      out.add(new Problem("spec", "is required"));
      return;
    }
    hostRouting(spec, out);
    analysis(spec.getAnalysis(), out);
    ref(spec.getPrimary(), "spec.primary", out);
    ref(spec.getShadow(), "spec.shadow", out);
    if (spec.getPrimary() != null && spec.getPrimary().equals(spec.getShadow())) {
      out.add(new Problem("spec.shadow", ShadowTestSpec.DISTINCT_MESSAGE));
    }
    Double mirror = spec.getMirrorPercent();
    if (mirror != null && (mirror.isNaN() || mirror < 0 || mirror > MlServing.PERCENT_MAX)) {
      out.add(new Problem("spec.mirrorPercent", "must be between 0 and " + MlServing.PERCENT_MAX + ", got " + mirror));
    }
  }

  // ---- Live analysis (ABTest, ShadowTest, CircuitBreaker)

  /**
   * The problems of one kind's {@code spec.analysis} alone (empty for none): live analysis runs only on a valid one,
   * since a resource that bypassed admission must get InvalidSpec, not break the analysis of the others.
   */
  public static List<Problem> analysis(AnalysisSpec a) {
    List<Problem> out = new ArrayList<>();
    analysis(a, out);
    return out;
  }

  private static void analysis(AnalysisSpec a, List<Problem> out) {
    if (a == null) {
      return;
    }
    prometheus(a.getPrometheus(), out);
    duration(a.getWindow(), AnalysisSpec.MIN_WINDOW, "spec.analysis.window", out);
    if (a instanceof ABTestAnalysis ab) {
      Double confidence = ab.getConfidence();
      if (confidence != null && (confidence.isNaN() || confidence < ABTestAnalysis.MIN_CONFIDENCE
          || confidence > ABTestAnalysis.MAX_CONFIDENCE)) {
        out.add(new Problem("spec.analysis.confidence", "must be between " + ABTestAnalysis.MIN_CONFIDENCE + " and "
            + ABTestAnalysis.MAX_CONFIDENCE + ", got " + confidence));
      }
      if (ab.getMinRequests() != null && ab.getMinRequests() < 0) {
        out.add(new Problem("spec.analysis.minRequests", "must be 0 or more, got " + ab.getMinRequests()));
      }
    } else if (a instanceof ShadowTestAnalysis st) {
      Double drop = st.getMaxSuccessRateDrop();
      if (drop != null && (drop.isNaN() || drop < 0 || drop > MlServing.PERCENT_MAX)) {
        out.add(new Problem("spec.analysis.maxSuccessRateDrop", "must be between 0 and " + MlServing.PERCENT_MAX
            + ", got " + drop));
      }
      Double ratio = st.getMaxLatencyRatio();
      if (ratio != null && (ratio.isNaN() || ratio < 1)) {
        out.add(new Problem("spec.analysis.maxLatencyRatio", "must be 1 or more, got " + ratio));
      }
    }
  }

  private static void registry(ModelSpec m, List<Problem> out) {
    RegistrySpec registry = m.getRegistry();
    if (registry == null) {
      return;
    }
    if (m.getStorageUri() != null && !m.getStorageUri().startsWith(ModelSpec.MODELS_PREFIX)) {
      out.add(new Problem("spec.model.registry", ModelSpec.REGISTRY_MESSAGE));
    }
    String url = registry.getUrl();
    if (url != null && (url.length() > MlServing.URL_MAX_LENGTH || !HTTP_BASE_URL.matcher(url).matches())) {
      out.add(new Problem("spec.model.registry.url", "must be an http or https URL without query or fragment,"
          + " such as http://mlflow.mlflow:5000, got " + url));
    }
    duration(registry.getPollInterval(), RegistrySpec.MIN_POLL_INTERVAL, "spec.model.registry.pollInterval", out);
  }

  private static void prometheus(PrometheusRef prometheus, List<Problem> out) {
    if (prometheus == null) {
      return;
    }
    String url = prometheus.getUrl();
    if (url == null || url.isEmpty()) {
      out.add(new Problem("spec.analysis.prometheus.url", "is required"));
    } else if (url.length() > MlServing.URL_MAX_LENGTH || !HTTP_BASE_URL.matcher(url).matches()) {
      out.add(new Problem("spec.analysis.prometheus.url", "must be an http or https URL without query or fragment,"
          + " such as http://prometheus.istio-system:9090, got " + url));
    }
  }

  // ---- Canary

  private static void canary(CanarySpec spec, List<Problem> out) {
    if (spec == null) {
      out.add(new Problem("spec", "is required"));
      return;
    }
    hostRouting(spec, out);
    ref(spec.getStable(), "spec.stable", out);
    ref(spec.getCanary(), "spec.canary", out);
    if (spec.getStable() != null && spec.getStable().equals(spec.getCanary())) {
      out.add(new Problem("spec.canary", CanarySpec.DISTINCT_MESSAGE));
    }
    List<Integer> steps = spec.getSteps() == null ? List.of() : spec.getSteps();
    if (steps.isEmpty() || steps.size() > CanarySpec.MAX_STEPS) {
      out.add(new Problem("spec.steps", "needs 1 to " + CanarySpec.MAX_STEPS + " steps, has " + steps.size()));
    }
    for (int i = 0; i < steps.size(); i++) {
      Integer step = steps.get(i);
      if (step == null) {
        out.add(new Problem("spec.steps[" + i + "]", "is required"));
      } else {
        range(step, CanarySpec.MIN_STEP, CanarySpec.MAX_STEP, "spec.steps[" + i + "]", out);
        if (i > 0 && steps.get(i - 1) != null && step <= steps.get(i - 1)) {
          out.add(new Problem("spec.steps", CanarySpec.STEPS_MESSAGE + ": " + steps.get(i - 1) + " then " + step));
        }
      }
    }
    duration(spec.getStepInterval(), CanarySpec.MIN_STEP_INTERVAL, "spec.stepInterval", out);
    duration(spec.getProgressDeadline(), MlServing.DURATION_MIN, "spec.progressDeadline", out);
    String intervalText = spec.getStepInterval() == null ? CanarySpec.DEFAULT_STEP_INTERVAL : spec.getStepInterval();
    String deadlineText = spec.getProgressDeadline() == null ? CanarySpec.DEFAULT_PROGRESS_DEADLINE
        : spec.getProgressDeadline();
    Optional<Duration> interval = parse(intervalText);
    Optional<Duration> deadline = parse(deadlineText);
    if (interval.isPresent() && deadline.isPresent() && deadline.get().compareTo(interval.get()) <= 0) {
      // The durations as written: whole seconds would say "1s is not longer than 1s" of 1s and 1500ms.
      out.add(new Problem("spec.progressDeadline", CanarySpec.DEADLINE_MESSAGE + ": progressDeadline " + deadlineText
          + " is not longer than stepInterval " + intervalText));
    }
    retries(spec.getRetries(), out);
    CanaryAnalysis a = spec.getAnalysis();
    if (a == null) {
      return;
    }
    prometheus(a.getPrometheus(), out);
    duration(a.getWindow(), MlServing.DURATION_MIN, "spec.analysis.window", out);
    range(a.getFailureThreshold(), 1, CanaryAnalysis.MAX_FAILURE_THRESHOLD, "spec.analysis.failureThreshold", out);
    range(a.getMinRequests(), 0, Integer.MAX_VALUE, "spec.analysis.minRequests", out);
    List<CanaryMetric> metrics = a.getMetrics() == null ? List.of() : a.getMetrics();
    if (metrics.isEmpty() || metrics.size() > CanaryAnalysis.MAX_METRICS) {
      out.add(new Problem("spec.analysis.metrics", "needs 1 to " + CanaryAnalysis.MAX_METRICS + " metrics, has "
          + metrics.size()));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      CanaryMetric m = metrics.get(i);
      String at = "spec.analysis.metrics[" + i + "]";
      if (m.getName() == null || m.getName().isEmpty()) {
        out.add(new Problem(at + ".name", "is required"));
      } else if (m.getName().length() > LABEL_MAX || !DNS_1123_LABEL.matcher(m.getName()).matches()) {
        out.add(new Problem(at + ".name", "must be a DNS label (lower case letters, digits, '-'): " + m.getName()));
      } else if (!names.add(m.getName())) {
        out.add(new Problem(at + ".name", CanaryAnalysis.UNIQUE_MESSAGE + ": " + m.getName() + " appears twice"));
      } else if (m.getQuery() == null && !CanaryMetric.BUILT_IN.contains(m.getName())) {
        out.add(new Problem(at + ".name", CanaryMetric.KNOWN_MESSAGE + "; got " + m.getName()
            + " (or give it a query)"));
      }
      if (m.getMin() == null && m.getMax() == null) {
        out.add(new Problem(at, CanaryMetric.BOUND_MESSAGE));
      } else if (m.getMin() != null && m.getMax() != null && m.getMin() > m.getMax()) {
        out.add(new Problem(at + ".min", CanaryMetric.ORDER_MESSAGE + ": " + m.getMin() + " > " + m.getMax()));
      }
      if (m.getQuery() != null) {
        if (m.getQuery().isEmpty() || m.getQuery().length() > CanaryMetric.QUERY_MAX_LENGTH) {
          out.add(new Problem(at + ".query", "must be 1 to " + CanaryMetric.QUERY_MAX_LENGTH + " characters"));
        }
        Matcher placeholder = PLACEHOLDER.matcher(m.getQuery());
        while (placeholder.find()) {
          if (!CanaryMetric.PLACEHOLDERS.contains(placeholder.group(1))) {
            // Not admission's (CEL cannot say it well): the operator would send the braces to Prometheus.
            out.add(new Problem(at + ".query", "unknown placeholder {{" + placeholder.group(1) + "}}; the query"
                + " may use " + CanaryMetric.PLACEHOLDERS.stream().map(p -> "{{" + p + "}}")
                    .collect(java.util.stream.Collectors.joining(", "))));
          }
        }
      }
    }
  }

  // ---- CircuitBreaker

  private static void circuitBreaker(CircuitBreakerSpec spec, List<Problem> out) {
    if (spec == null) {
      out.add(new Problem("spec", "is required"));
      return;
    }
    analysis(spec.getAnalysis(), out);
    ref(spec.getInferenceService(), "spec.inferenceService", out);
    ConnectionPool cp = spec.getConnectionPool();
    if (cp != null) {
      range(cp.getMaxConnections(), 1, Integer.MAX_VALUE, "spec.connectionPool.maxConnections", out);
      range(cp.getMaxPendingRequests(), 1, Integer.MAX_VALUE, "spec.connectionPool.maxPendingRequests", out);
      range(cp.getMaxRequestsPerConnection(), 0, Integer.MAX_VALUE,
          "spec.connectionPool.maxRequestsPerConnection", out);
      duration(cp.getConnectTimeout(), MlServing.DURATION_MIN, "spec.connectionPool.connectTimeout", out);
    }
    OutlierDetection od = spec.getOutlierDetection();
    if (od != null) {
      range(od.getConsecutive5xxErrors(), 1, Integer.MAX_VALUE, "spec.outlierDetection.consecutive5xxErrors", out);
      duration(od.getInterval(), MlServing.DURATION_MIN, "spec.outlierDetection.interval", out);
      duration(od.getBaseEjectionTime(), MlServing.DURATION_MIN, "spec.outlierDetection.baseEjectionTime", out);
      range(od.getMaxEjectionPercent(), 0, MlServing.PERCENT_MAX, "spec.outlierDetection.maxEjectionPercent", out);
    }
  }

  // ---- helpers

  private static void ref(String name, String field, List<Problem> out) {
    if (name == null || name.isEmpty()) {
      out.add(new Problem(field, "is required"));
    } else if (name.length() > LABEL_MAX || !DNS_LABEL.matcher(name).matches()) {
      out.add(new Problem(field, "must be the name of an InferenceService (a DNS-1035 label): " + name));
    }
  }

  private static void range(Integer value, int min, int max, String field, List<Problem> out) {
    if (value != null && (value < min || value > max)) {
      out.add(new Problem(field, max == Integer.MAX_VALUE
          ? "must be " + min + " or more, got " + value
          : "must be between " + min + " and " + max + ", got " + value));
    }
  }

  private static void maxItems(List<?> list, int max, String field, List<Problem> out) {
    if (list.size() > max) {
      out.add(new Problem(field, "must have at most " + max + " items"));
    }
  }

  private static void maxLength(String value, int max, String field, List<Problem> out) {
    if (value != null && value.length() > max) {
      out.add(new Problem(field, "must be at most " + max + " characters"));
    }
  }

  private static void duration(String value, String min, String field, List<Problem> out) {
    if (value == null) {
      return;
    }
    if (value.length() > MlServing.DURATION_MAX_LENGTH || !DURATION.matcher(value).matches()) {
      out.add(new Problem(field, "must be a duration such as 500ms, 5s or 1m, got " + value));
      return;
    }
    // The pattern matched, so parse fails only on a duration too long even for java.time.
    Optional<Duration> d = parse(value);
    if (d.isEmpty() || d.get().compareTo(Durations.MAX) > 0) {
      // The API server's CEL duration() and Istio read Go durations, which end at about 292 years.
      out.add(new Problem(field, "must be at most " + Durations.MAX_TEXT + ", got " + value));
    } else if (d.get().compareTo(Durations.parse(min)) < 0) {
      out.add(new Problem(field, "must be at least " + min + ", got " + value));
    } else if (d.get().getNano() % 1_000_000 != 0) {
      out.add(new Problem(field, "must be a whole number of milliseconds (Istio rejects finer durations), got "
          + value));
    }
  }

  private static Optional<Duration> parse(String duration) {
    try {
      return Optional.of(Durations.parse(duration));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
