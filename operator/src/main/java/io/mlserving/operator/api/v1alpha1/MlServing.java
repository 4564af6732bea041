package io.mlserving.operator.api.v1alpha1;

/** Constants shared by the four kinds: group, version, category, printer-column paths, common rules. */
public final class MlServing {
  public static final String GROUP = "mlserving.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "mlserving";

  static final String READY_STATUS_PATH = ".status.conditions[?(@.type==\"Ready\")].status";
  static final String READY_REASON_PATH = ".status.conditions[?(@.type==\"Ready\")].reason";

  /** A DNS-1035 label: the names we give Services must be one. */
  public static final String DNS_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
  /** A DNS-1123 label (variant names, PVC claims). */
  public static final String DNS_1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  /** Longest DNS label (DNS-1035 or DNS-1123). */
  public static final int DNS_LABEL_MAX_LENGTH = 63;
  /** A DNS-1123 subdomain, as Kubernetes object names such as Secrets' (length apart). */
  public static final String DNS_1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
  /** Longest DNS-1123 subdomain (and DNS name). */
  public static final int DNS_SUBDOMAIN_MAX_LENGTH = 253;
  /**
   * A Go/Istio duration such as 500ms, 5s, 1.5s, 1m30s, 24h. Istio takes only whole milliseconds, so the
   * pattern allows no unit below ms, no fraction of ms, and at most three decimals on h, m and s.
   */
  public static final String DURATION = "^([0-9]+(\\.[0-9]{1,3})?(h|m|s)|[0-9]+ms)+$";
  /** Longest duration string. */
  public static final int DURATION_MAX_LENGTH = 32;
  /** Shortest duration Istio takes. */
  public static final String DURATION_MIN = "1ms";
  public static final String DURATION_RULE = "duration(self) >= duration('" + DURATION_MIN + "')";
  /** Highest percentage (of CPU, of pods, of mirrored requests). */
  public static final int PERCENT_MAX = 100;
  public static final String DURATION_MESSAGE = "must be a duration of at least 1ms, such as 500ms, 5s or 1m";

  /** An http or https base URL without spaces, query or fragment (a client appends its API paths to it). */
  public static final String HTTP_BASE_URL = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";
  /** Longest URL. */
  public static final int URL_MAX_LENGTH = 2048;

  static final String NAME_RULE = "size(self.metadata.name) <= " + DNS_LABEL_MAX_LENGTH
      + " && self.metadata.name.matches('" + DNS_LABEL + "')";
  static final String NAME_RULE_MESSAGE =
      "metadata.name must be a DNS-1035 label of at most 63 characters (lower case, starts with a letter):"
          + " it names the generated objects";

  private MlServing() {}
}
