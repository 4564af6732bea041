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
  /** A header name as Istio matches it: lower case. */
  public static final String HEADER_NAME = "^[a-z0-9][-a-z0-9_.]*$";
  public static final String HEADER_NAME_MESSAGE =
      "header names must be lower case (Istio matches lower-case header names)";
  public static final String HEADERS_MESSAGE = "a route needs at least one header match";
  public static final int MAX_HEADERS = 16;
  static final String HEADER_NAMES_RULE = "self.all(k, k.matches('" + HEADER_NAME + "'))";

  /** Name of the variant (variants[].name) that gets the matching requests. */
  @Required
  @Size(min = 1, max = MlServing.DNS_LABEL_MAX_LENGTH)
  @Pattern(MlServing.DNS_1123_LABEL)
  @JsonPropertyDescription("Name of the variant (variants[].name) that gets the matching requests.")
  private String variant;

  /** Header name (lower case) to match; every header must match. */
  @Required
  @ValidationRule(value = "size(self) >= 1", message = HEADERS_MESSAGE)
  @ValidationRule(value = HEADER_NAMES_RULE, message = HEADER_NAME_MESSAGE)
  @Size(max = MAX_HEADERS)
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
