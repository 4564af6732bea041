package io.mlserving.operator.testing;

import com.google.common.primitives.UnsignedLong;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationExceptionBuilder;
import dev.cel.runtime.CelFunctionBinding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The functions the Kubernetes API server adds to standard CEL (and to the strings, sets and optional
 * extensions) for {@code x-kubernetes-validations}: the list library ({@code isSorted}, {@code sum},
 * {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf}), the regex library ({@code find},
 * {@code findAll}) and the URL library ({@code url}, {@code isURL} and the URL getters). Functions of the
 * Kubernetes quantity, IP, CIDR and format libraries are not declared: a rule using one fails to compile,
 * loudly, rather than pass unchecked.
 */
final class KubernetesCelLibrary {
  /** The opaque type of {@code url()} values. */
  static final OpaqueType URL = OpaqueType.create("kubernetes.URL");

  private static final TypeParamType A = TypeParamType.create("A");
  private static final List<CelType> ORDERED = List.of(SimpleType.INT, SimpleType.UINT, SimpleType.DOUBLE,
      SimpleType.BOOL, SimpleType.STRING, SimpleType.BYTES, SimpleType.DURATION, SimpleType.TIMESTAMP);
  private static final List<CelType> SUMMABLE =
      List.of(SimpleType.INT, SimpleType.UINT, SimpleType.DOUBLE, SimpleType.DURATION);

  private KubernetesCelLibrary() {}

  static List<CelFunctionDecl> declarations() {
    List<CelOverloadDecl> isSorted = new ArrayList<>();
    List<CelOverloadDecl> min = new ArrayList<>();
    List<CelOverloadDecl> max = new ArrayList<>();
    List<CelOverloadDecl> sum = new ArrayList<>();
    for (CelType t : ORDERED) {
      ListType list = ListType.create(t);
      isSorted.add(CelOverloadDecl.newMemberOverload("list_" + id(t) + "_is_sorted_bool", SimpleType.BOOL, list));
      min.add(CelOverloadDecl.newMemberOverload("list_" + id(t) + "_min_" + id(t), t, list));
      max.add(CelOverloadDecl.newMemberOverload("list_" + id(t) + "_max_" + id(t), t, list));
    }
    for (CelType t : SUMMABLE) {
      sum.add(CelOverloadDecl.newMemberOverload("list_" + id(t) + "_sum_" + id(t), t, ListType.create(t)));
    }
    ListType listOfStrings = ListType.create(SimpleType.STRING);
    return List.of(
        CelFunctionDecl.newFunctionDeclaration("isSorted", isSorted),
        CelFunctionDecl.newFunctionDeclaration("min", min),
        CelFunctionDecl.newFunctionDeclaration("max", max),
        CelFunctionDecl.newFunctionDeclaration("sum", sum),
        CelFunctionDecl.newFunctionDeclaration("indexOf", CelOverloadDecl.newMemberOverload(
            "list_a_index_of_int", SimpleType.INT, ListType.create(A), A)),
        CelFunctionDecl.newFunctionDeclaration("lastIndexOf", CelOverloadDecl.newMemberOverload(
            "list_a_last_index_of_int", SimpleType.INT, ListType.create(A), A)),
        CelFunctionDecl.newFunctionDeclaration("find", CelOverloadDecl.newMemberOverload(
            "string_find_string", SimpleType.STRING, SimpleType.STRING, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("findAll",
            CelOverloadDecl.newMemberOverload("string_find_all_string", listOfStrings, SimpleType.STRING, SimpleType.STRING),
            CelOverloadDecl.newMemberOverload("string_find_all_string_int", listOfStrings,
                SimpleType.STRING, SimpleType.STRING, SimpleType.INT)),
        CelFunctionDecl.newFunctionDeclaration("url",
            CelOverloadDecl.newGlobalOverload("string_to_url", URL, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("isURL",
            CelOverloadDecl.newGlobalOverload("is_url_string", SimpleType.BOOL, SimpleType.STRING)),
        urlGetter("getScheme", "url_get_scheme", SimpleType.STRING),
        urlGetter("getHost", "url_get_host", SimpleType.STRING),
        urlGetter("getHostname", "url_get_hostname", SimpleType.STRING),
        urlGetter("getPort", "url_get_port", SimpleType.STRING),
        urlGetter("getEscapedPath", "url_get_escaped_path", SimpleType.STRING),
        urlGetter("getQuery", "url_get_query", MapType.create(SimpleType.STRING, listOfStrings)));
  }

  static List<CelFunctionBinding> bindings() {
    List<CelFunctionBinding> bindings = new ArrayList<>();
    for (CelType t : ORDERED) {
      bindings.add(CelFunctionBinding.from("list_" + id(t) + "_is_sorted_bool", List.class, KubernetesCelLibrary::isSorted));
      bindings.add(CelFunctionBinding.from("list_" + id(t) + "_min_" + id(t), List.class, l -> extreme(l, "min", -1)));
      bindings.add(CelFunctionBinding.from("list_" + id(t) + "_max_" + id(t), List.class, l -> extreme(l, "max", 1)));
    }
    for (CelType t : SUMMABLE) {
      bindings.add(CelFunctionBinding.from("list_" + id(t) + "_sum_" + id(t), List.class, l -> sum(l, t)));
    }
    bindings.add(CelFunctionBinding.from("list_a_index_of_int", List.class, Object.class,
        (l, x) -> (long) indexOf(l, x, false)));
    bindings.add(CelFunctionBinding.from("list_a_last_index_of_int", List.class, Object.class,
        (l, x) -> (long) indexOf(l, x, true)));
    bindings.add(CelFunctionBinding.from("string_find_string", String.class, String.class,
        (s, re) -> {
          Matcher m = regex(re).matcher(s);
          return m.find() ? m.group() : "";
        }));
    bindings.add(CelFunctionBinding.from("string_find_all_string", String.class, String.class,
        (s, re) -> findAll(s, re, -1)));
    bindings.add(CelFunctionBinding.from("string_find_all_string_int", Arrays.asList(String.class, String.class, Long.class),
        args -> findAll((String) args[0], (String) args[1], (Long) args[2])));
    bindings.add(CelFunctionBinding.from("string_to_url", String.class, s -> {
      try {
        return KubernetesUrl.parse(s);
      } catch (IllegalArgumentException e) {
        throw error("URL parse error during conversion from string: " + e.getMessage());
      }
    }));
    bindings.add(CelFunctionBinding.from("is_url_string", String.class, KubernetesUrl::isValid));
    bindings.add(CelFunctionBinding.from("url_get_scheme", KubernetesUrl.class, KubernetesUrl::scheme));
    bindings.add(CelFunctionBinding.from("url_get_host", KubernetesUrl.class, KubernetesUrl::host));
    bindings.add(CelFunctionBinding.from("url_get_hostname", KubernetesUrl.class, KubernetesUrl::hostname));
    bindings.add(CelFunctionBinding.from("url_get_port", KubernetesUrl.class, KubernetesUrl::port));
    bindings.add(CelFunctionBinding.from("url_get_escaped_path", KubernetesUrl.class, KubernetesUrl::escapedPath));
    bindings.add(CelFunctionBinding.from("url_get_query", KubernetesUrl.class, KubernetesUrl::query));
    return bindings;
  }

  private static CelFunctionDecl urlGetter(String name, String overload, CelType result) {
    return CelFunctionDecl.newFunctionDeclaration(name, CelOverloadDecl.newMemberOverload(overload, result, URL));
  }

  private static String id(CelType t) {
    return t == SimpleType.DURATION ? "duration" : t == SimpleType.TIMESTAMP ? "timestamp" : t.name();
  }

  private static boolean isSorted(List<?> list) {
    for (int i = 1; i < list.size(); i++) {
      if (compare(list.get(i - 1), list.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  private static Object extreme(List<?> list, String name, int sign) throws CelEvaluationException {
    if (list.isEmpty()) {
      throw error(name + " called on empty list");
    }
    Object best = list.get(0);
    for (Object item : list) {
      if (compare(item, best) * sign > 0) {
        best = item;
      }
    }
    return best;
  }

  private static Object sum(List<?> list, CelType type) throws CelEvaluationException {
    if (type == SimpleType.INT) {
      long total = 0;
      for (Object o : list) {
        try {
          total = Math.addExact(total, (Long) o);
        } catch (ArithmeticException e) {
          throw error("integer overflow");
        }
      }
      return total;
    }
    if (type == SimpleType.UINT) {
      UnsignedLong total = UnsignedLong.ZERO;
      for (Object o : list) {
        total = total.plus((UnsignedLong) o);
      }
      return total;
    }
    if (type == SimpleType.DOUBLE) {
      double total = 0;
      for (Object o : list) {
        total += ((Number) o).doubleValue();
      }
      return total;
    }
    Duration total = Duration.ZERO;
    for (Object o : list) {
      total = total.plus((Duration) o);
    }
    return total;
  }

  private static int indexOf(List<?> list, Object item, boolean last) {
    int found = -1;
    for (int i = 0; i < list.size(); i++) {
      if (Objects.equals(list.get(i), item)) {
        found = i;
        if (!last) {
          break;
        }
      }
    }
    return found;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    if (a instanceof String x && b instanceof String y) {
      return Arrays.compare(x.codePoints().toArray(), y.codePoints().toArray()); // Go compares UTF-8 bytes
    }
    if (a instanceof CelByteString x && b instanceof CelByteString y) {
      return Arrays.compareUnsigned(x.toByteArray(), y.toByteArray());
    }
    return ((Comparable) a).compareTo(b);
  }

  private static Pattern regex(String re) {
    return Pattern.compile(re);
  }

  private static List<String> findAll(String s, String re, long limit) {
    List<String> matches = new ArrayList<>();
    Matcher m = regex(re).matcher(s);
    while ((limit < 0 || matches.size() < limit) && m.find()) {
      matches.add(m.group());
    }
    return matches;
  }

  private static CelEvaluationException error(String message) {
    return CelEvaluationExceptionBuilder.newBuilder(message).build();
  }
}
