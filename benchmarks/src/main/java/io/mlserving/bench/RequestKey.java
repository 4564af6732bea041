package io.mlserving.bench;

import java.util.Set;

/**
 * One kind of request as the counting layer files it.
 *
 * @param actor who sent it: {@code operator}, or the name of a benchmark client (load, stub, observer, floor)
 * @param method HTTP method
 * @param verb get (one object), list, watch, discovery, create, update, patch, apply, delete
 * @param template the path with namespace and name replaced: {@code /apis/apps/v1/namespaces/{ns}/deployments/{name}}
 * @param code the response code
 */
public record RequestKey(String actor, String method, String verb, String template, int code)
    implements Comparable<RequestKey> {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  public boolean isWrite() {
    return WRITES.contains(method);
  }

  /** A GET of one object (not a list, a watch or discovery): what a cache should have answered. */
  public boolean isPointRead() {
    return "get".equals(verb);
  }

  public static RequestKey of(String actor, String method, String path, String contentType, int code) {
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] parts = bare.split("/");
    // parts[0] is empty: /api/v1/... or /apis/<group>/<version>/...
    int base;
    if (parts.length > 1 && "api".equals(parts[1])) {
      base = 3;
    } else if (parts.length > 1 && "apis".equals(parts[1])) {
      base = 4;
    } else {
      return new RequestKey(actor, method, "other", bare, code);
    }
    if (parts.length <= base) {
      return new RequestKey(actor, method, "GET".equals(method) ? "discovery" : "other", bare, code);
    }
    StringBuilder t = new StringBuilder();
    for (int i = 1; i < base; i++) {
      t.append('/').append(parts[i]);
    }
    int i = base;
    if ("namespaces".equals(parts[i]) && parts.length > i + 2) {
      t.append("/namespaces/{ns}");
      i += 2;
    }
    t.append('/').append(parts[i]);
    boolean named = parts.length > i + 1;
    if (named) {
      t.append("/{name}");
      for (int j = i + 2; j < parts.length; j++) {
        t.append('/').append(parts[j]);
      }
    }
    String verb = switch (method) {
      case "GET" -> query.contains("watch=true") || query.contains("watch=1") ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "DELETE" -> "delete";
      case "PATCH" -> contentType == null ? "patch"
          : contentType.startsWith("application/apply-patch") ? "apply"
          : contentType.startsWith("application/merge-patch") ? "merge-patch"
          : contentType.startsWith("application/json-patch") ? "json-patch"
          : contentType.startsWith("application/strategic-merge-patch") ? "strategic-patch" : "patch";
      default -> method.toLowerCase();
    };
    return new RequestKey(actor, method, verb, t.toString(), code);
  }

  String encode() {
    return actor + '\t' + method + '\t' + verb + '\t' + template + '\t' + code;
  }

  static RequestKey decode(String s) {
    String[] f = s.split("\t");
    return new RequestKey(f[0], f[1], f[2], f[3], Integer.parseInt(f[4]));
  }

  @Override
  public int compareTo(RequestKey o) {
    return encode().compareTo(o.encode());
  }

  @Override
  public String toString() {
    return actor + " " + method + " " + verb + " " + template + " -> " + code;
  }
}
