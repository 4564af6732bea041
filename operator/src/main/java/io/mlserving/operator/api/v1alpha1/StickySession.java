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
  /** A cookie name: letters, digits, '_' and '-'. */
  public static final String COOKIE_NAME = "^[A-Za-z0-9_-]+$";
  public static final int COOKIE_NAME_MAX_LENGTH = 64;
  /** Shortest cookie lifetime. */
  public static final String MAX_AGE_MIN = "1s";
  /** The defaults of cookieName and maxAge (CRD defaults, and what render assumes when a file omits them). */
  public static final String DEFAULT_COOKIE_NAME = "mlserving-variant";
  public static final String DEFAULT_MAX_AGE = "24h";

  /** Name of the cookie that records the variant. */
  @Default(DEFAULT_COOKIE_NAME)
  @Size(min = 1, max = COOKIE_NAME_MAX_LENGTH)
  @Pattern(COOKIE_NAME)
  @JsonPropertyDescription("Name of the cookie that records the variant.")
  private String cookieName;

  /** How long the cookie lasts, for example 24h. */
  @Default(DEFAULT_MAX_AGE)
  @Size(max = MlServing.DURATION_MAX_LENGTH)
  @Pattern(MlServing.DURATION)
  @ValidationRule(value = "duration(self) >= duration('" + MAX_AGE_MIN + "')",
      message = "maxAge must be a duration of at least " + MAX_AGE_MIN)
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
