package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How a header value matches, as in Istio: exactly one of exact, prefix or regex. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.exact), has(self.prefix), has(self.regex)].filter(x, x).size() == 1",
    message = StringMatch.ONE_OF_MESSAGE)
public class StringMatch {
  public static final String ONE_OF_MESSAGE = "set exactly one of exact, prefix or regex";
  public static final int MAX_LENGTH = 1024;

  /** The value equals this string. */
  @Size(max = MAX_LENGTH)
  @JsonPropertyDescription("The value equals this string.")
  private String exact;

  /** The value starts with this string. */
  @Size(max = MAX_LENGTH)
  @JsonPropertyDescription("The value starts with this string.")
  private String prefix;

  /** The value matches this RE2 regular expression. */
  @Size(max = MAX_LENGTH)
  @JsonPropertyDescription("The value matches this RE2 regular expression.")
  private String regex;

  public StringMatch() {}

  public static StringMatch exact(String value) {
    StringMatch m = new StringMatch();
    m.setExact(value);
    return m;
  }

  public String getExact() {
    return exact;
  }

  public void setExact(String exact) {
    this.exact = exact;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public String getRegex() {
    return regex;
  }

  public void setRegex(String regex) {
    this.regex = regex;
  }
}
