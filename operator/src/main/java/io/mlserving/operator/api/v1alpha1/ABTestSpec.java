package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Splits one host's traffic between InferenceService variants. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = ABTestSpec.SUM_RULE, message = ABTestSpec.SUM_MESSAGE, fieldPath = ".variants")
@ValidationRule(value = ABTestSpec.UNIQUE_RULE, message = ABTestSpec.UNIQUE_MESSAGE, fieldPath = ".variants")
@ValidationRule(value = ABTestSpec.ROUTE_RULE, message = ABTestSpec.ROUTE_MESSAGE, fieldPath = ".routes")
public class ABTestSpec extends HostRoutingSpec {
  /** Live analysis in status (per-variant figures, the winner); with the operator's Prometheus setting it is on with the defaults. */
  @JsonPropertyDescription("Live analysis in status (per-variant figures, the winner); with the operator's Prometheus setting it is on with the defaults.")
  private ABTestAnalysis analysis;

  public static final int TOTAL_WEIGHT = MlServing.PERCENT_MAX;
  public static final int MIN_VARIANTS = 2;
  public static final int MAX_VARIANTS = 10;
  public static final int MAX_ROUTES = 20;
  static final String SUM_RULE = "self.variants.map(v, v.weight).sum() == " + TOTAL_WEIGHT;
  public static final String SUM_MESSAGE = "variants[].weight must sum to " + TOTAL_WEIGHT;
  public static final String UNIQUE_MESSAGE = "variants[].name must be unique";
  public static final String ROUTE_MESSAGE = "every routes[].variant must name one of variants[].name";
  static final String UNIQUE_RULE = "self.variants.all(v, self.variants.exists_one(w, w.name == v.name))";
  static final String ROUTE_RULE =
      "!has(self.routes) || self.routes.all(r, self.variants.exists(v, v.name == r.variant))";

  /** 2 to 10 variants with unique names and weights summing to 100. */
  @Required
  @Size(min = MIN_VARIANTS, max = MAX_VARIANTS)
  @JsonPropertyDescription("2 to 10 variants with unique names and weights summing to 100.")
  private List<Variant> variants = new ArrayList<>();

  /** Condition-based routes, evaluated in order before the weights; the first match wins. */
  @Size(max = MAX_ROUTES)
  @JsonPropertyDescription("Condition-based routes, evaluated in order before the weights; the first match wins.")
  private List<Route> routes;

  /** Keeps a client on the variant it first got, with a cookie. */
  @JsonPropertyDescription("Keeps a client on the variant it first got, with a cookie.")
  private StickySession stickySession;

  /** Retry policy of every route. */
  @JsonPropertyDescription("Retry policy of every route.")
  private Retries retries;

  public List<Variant> getVariants() {
    return variants;
  }

  public void setVariants(List<Variant> variants) {
    this.variants = variants;
  }

  public List<Route> getRoutes() {
    return routes;
  }

  public void setRoutes(List<Route> routes) {
    this.routes = routes;
  }

  public StickySession getStickySession() {
    return stickySession;
  }

  public void setStickySession(StickySession stickySession) {
    this.stickySession = stickySession;
  }

  public Retries getRetries() {
    return retries;
  }

  public void setRetries(Retries retries) {
    this.retries = retries;
  }

  public ABTestAnalysis getAnalysis() {
    return analysis;
  }

  public void setAnalysis(ABTestAnalysis analysis) {
    this.analysis = analysis;
  }
}
