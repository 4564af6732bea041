package io.mlserving.operator.reconcile;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides whether an object in the cluster already is what we would apply: every field we set has the
 * value we want (the API server may add defaults and other tools may add fields; those do not count).
 * It compares values, not managedFields, so it gives the same answer against a real API server and the
 * test mock. Quantities compare by amount (the API server rewrites {@code 0.5} as {@code 500m}).
 */
public final class Matcher {
  private static final Pattern QUANTITY = Pattern.compile("^[+-]?[0-9.]+([eE][-+]?[0-9]+|[numkKMGTPE]i?)?$");
  /**
   * The client's mapper without what is never compared: an object's status and its managedFields, which in a
   * cached Deployment are the larger part of it (the field sets of every manager).
   */
  private static final ObjectMapper COMPARED = Serialization.jsonMapper().copy()
      .addMixIn(ObjectMeta.class, WithoutManagedFields.class)
      .addMixIn(HasMetadata.class, WithoutStatus.class);

  @JsonIgnoreProperties({"managedFields"})
  private abstract static class WithoutManagedFields {}

  @JsonIgnoreProperties({"status"})
  private abstract static class WithoutStatus {}

  private Matcher() {}

  /** Whether {@code actual} already carries every label, annotation, owner reference and spec field of {@code desired}. */
  public static boolean matches(HasMetadata desired, HasMetadata actual) {
    if (actual == null) {
      return false;
    }
    JsonNode want = compared(desired);
    JsonNode have = compared(actual);
    Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (name.equals("status") || name.equals("apiVersion") || name.equals("kind")) {
        continue;
      }
      if (name.equals("metadata")) {
        for (String meta : new String[] {"labels", "annotations", "ownerReferences"}) {
          JsonNode w = field.getValue().get(meta);
          if (w != null && !w.isNull() && !contains(w, have.path("metadata").get(meta))) {
            return false;
          }
        }
      } else if (!contains(field.getValue(), have.get(name))) {
        return false;
      }
    }
    return true;
  }

  /** {@code o} as the comparison sees it: as JSON, without status and managedFields. */
  static JsonNode compared(HasMetadata o) {
    return COMPARED.valueToTree(o);
  }

  /** Whether {@code have} contains {@code want}: objects by subset, arrays element-wise with equal length. */
  static boolean contains(JsonNode want, JsonNode have) {
    if (want == null || want.isNull()) {
      return true;
    }
    if (have == null || have.isNull() || have.isMissingNode()) {
      return isEmpty(want);
    }
    if (want.isObject()) {
      if (!have.isObject()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> it = want.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!contains(e.getValue(), have.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (want.isArray()) {
      if (!have.isArray() || have.size() != want.size()) {
        return isEmpty(want) && isEmpty(have);
      }
      for (int i = 0; i < want.size(); i++) {
        if (!contains(want.get(i), have.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (want.isNumber() && have.isNumber()) {
      return want.decimalValue().compareTo(have.decimalValue()) == 0;
    }
    if (want.equals(have)) {
      return true;
    }
    return want.isTextual() && have.isTextual() && sameQuantity(want.asText(), have.asText());
  }

  private static boolean isEmpty(JsonNode node) {
    return node == null || node.isNull() || ((node.isObject() || node.isArray()) && node.isEmpty());
  }

  private static boolean sameQuantity(String a, String b) {
    if (!QUANTITY.matcher(a).matches() || !QUANTITY.matcher(b).matches()) {
      return false;
    }
    try {
      return new Quantity(a).getNumericalAmount().compareTo(new Quantity(b).getNumericalAmount()) == 0;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
