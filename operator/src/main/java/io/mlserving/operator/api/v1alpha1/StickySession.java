package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Cookie-based session affinity: a client keeps the variant it first got. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StickySession {
  /** Name of the cookie that records the variant. */
  @Default("mlserving-variant")
  @Size(min = 1, max = 64)
  @Pattern("^[A-Za-z0-9_-]+$")
  @JsonPropertyDescription("Name of the cookie that records the variant.")
  private String cookieName;

  /** How long the cookie lasts, for example 24h. */
  @Default("24h")
  @Size(max = 32)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = "duration(self) >= duration('1s')", message = "maxAge must be a duration of at least 1s")
  @JsonPropertyDescription("How long the cookie lasts, for example 24h.")
  private String maxAge;

  public String getCookieName() {
    return cookieName;
  }

  public void setCookieName(String cookieName) {
    this.cookieName = cookieName;
  }

  public String getMaxAge() {
    return maxAge;
  }

  public void setMaxAge(String maxAge) {
    this.maxAge = maxAge;
  }
}
