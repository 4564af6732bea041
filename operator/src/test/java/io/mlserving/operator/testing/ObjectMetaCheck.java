package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The API server's own checks of a custom resource's metadata: name, namespace, labels, annotation keys. */
final class ObjectMetaCheck {
  static final String DNS1123_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case"
      + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
      + " (e.g. 'example.com', regex used for validation is"
      + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  static final String DNS1123_LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case"
      + " alphanumeric characters or '-', and must start and end with an alphanumeric character"
      + " (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  private ObjectMetaCheck() {}

  static List<Problem> check(JsonNode metadata, boolean namespaced) {
    List<Problem> problems = new ArrayList<>();
    if (metadata == null || !metadata.isObject()) {
      problems.add(new Problem("metadata.name", "Required value: name or generateName is required"));
      return problems;
    }
    JsonNode name = metadata.get("name");
    if (name == null || name.asText("").isEmpty()) {
      if (metadata.path("generateName").asText("").isEmpty()) {
        problems.add(new Problem("metadata.name", "Required value: name or generateName is required"));
      }
    } else if (!name.isTextual()) {
      problems.add(new Problem("metadata.name", "must be of type string"));
    } else if (name.asText().length() > 253) {
      problems.add(new Problem("metadata.name", "Invalid value: must be no more than 253 characters"));
    } else if (!DNS1123_SUBDOMAIN.matcher(name.asText()).matches()) {
      problems.add(new Problem("metadata.name", "Invalid value: \"" + name.asText() + "\": " + DNS1123_SUBDOMAIN_MESSAGE));
    }
    String namespace = metadata.path("namespace").asText("");
    if (!namespace.isEmpty()) {
      if (!namespaced) {
        problems.add(new Problem("metadata.namespace", "Forbidden: not allowed on this type"));
      } else if (namespace.length() > 63 || !DNS1123_LABEL.matcher(namespace).matches()) {
        problems.add(new Problem("metadata.namespace", "Invalid value: \"" + namespace + "\": " + DNS1123_LABEL_MESSAGE));
      }
    }
    metadata.path("labels").fields().forEachRemaining(label -> {
      String path = FieldPath.key("metadata.labels", label.getKey());
      if (!qualifiedName(label.getKey())) {
        problems.add(new Problem(path, "Invalid value: \"" + label.getKey() + "\": name part must consist of"
            + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
      }
      String value = label.getValue().asText("");
      if (!label.getValue().isTextual() || value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
        problems.add(new Problem(path, "Invalid value: \"" + value + "\": a valid label must be an empty string"
            + " or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
            + " alphanumeric character"));
      }
    });
    metadata.path("annotations").fields().forEachRemaining(annotation -> {
      if (!qualifiedName(annotation.getKey())) {
        problems.add(new Problem(FieldPath.key("metadata.annotations", annotation.getKey()),
            "Invalid value: \"" + annotation.getKey() + "\": name part must consist of alphanumeric characters,"
                + " '-', '_' or '.', and must start and end with an alphanumeric character"));
      }
    });
    return problems;
  }

  /** A label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63. */
  private static boolean qualifiedName(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return !name.isEmpty() && name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches();
  }
}
