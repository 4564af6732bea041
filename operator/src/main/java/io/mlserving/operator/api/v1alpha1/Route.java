package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** A condition-based route: requests whose headers all match go to one variant. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Route {
  /** Name of the variant (variants[].name) that gets the matching requests. */
  @Required
  @Size(min = 1, max = 63)
  @Pattern(MlServing.DNS_1123_LABEL)
  @JsonPropertyDescription("Name of the variant (variants[].name) that gets the matching requests.")
  private String variant;

  /** Header name (lower case) to match; every header must match. */
  @Required
  @ValidationRule(value = "size(self) >= 1", message = "a route needs at least one header match")
  @ValidationRule(value = "self.all(k, k.matches('^[a-z0-9][-a-z0-9_.]*$'))",
      message = "header names must be lower case (Istio matches lower-case header names)")
  @Size(max = 16)
  @JsonPropertyDescription("Header name (lower case) to match; every header must match.")
  private Map<String, StringMatch> headers;

  public String getVariant() {
    return variant;
  }

  public void setVariant(String variant) {
    this.variant = variant;
  }

  public Map<String, StringMatch> getHeaders() {
    return headers;
  }

  public void setHeaders(Map<String, StringMatch> headers) {
    this.headers = headers;
  }
}
