package io.mlserving.operator.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of the Kubernetes CEL {@code url()} function: a URL parsed as Go's
 * {@code net/url.ParseRequestURI} does (an absolute URL or an absolute path; no fragment; the host's
 * port must be numeric), with the getters of the Kubernetes URL library.
 */
final class KubernetesUrl {
  private final String scheme;
  private final String host;
  private final String escapedPath;
  private final String rawQuery;

  private KubernetesUrl(String scheme, String host, String escapedPath, String rawQuery) {
    this.scheme = scheme;
    this.host = host;
    this.escapedPath = escapedPath;
    this.rawQuery = rawQuery;
  }

  static boolean isValid(String raw) {
    try {
      parse(raw);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Parses {@code raw} or throws IllegalArgumentException with Go's reason. */
  static KubernetesUrl parse(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("net/url: invalid control character in URL");
      }
    }
    String scheme = "";
    String rest = raw;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        continue;
      }
      if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
        if (i == 0) {
          break;
        }
        continue;
      }
      if (c == ':') {
        if (i == 0) {
          throw new IllegalArgumentException("missing protocol scheme");
        }
        scheme = raw.substring(0, i).toLowerCase();
        rest = raw.substring(i + 1);
      }
      break;
    }
    String rawQuery = "";
    if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
      rest = rest.substring(0, rest.length() - 1);
    } else if (rest.indexOf('?') >= 0) {
      rawQuery = rest.substring(rest.indexOf('?') + 1);
      rest = rest.substring(0, rest.indexOf('?'));
    }
    if (!rest.startsWith("/")) {
      if (!scheme.isEmpty()) {
        return new KubernetesUrl(scheme, "", "", rawQuery); // opaque, e.g. mailto:x
      }
      throw new IllegalArgumentException("invalid URI for request");
    }
    String host = "";
    if (!scheme.isEmpty() && rest.startsWith("//")) {
      String authority = rest.substring(2);
      int slash = authority.indexOf('/');
      rest = slash >= 0 ? authority.substring(slash) : "";
      authority = slash >= 0 ? authority.substring(0, slash) : authority;
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        checkUserinfo(authority.substring(0, at));
      }
      host = checkHost(at >= 0 ? authority.substring(at + 1) : authority);
    }
    unescape(rest, false);
    return new KubernetesUrl(scheme, host, rest, rawQuery);
  }

  String scheme() {
    return scheme;
  }

  String host() {
    return host;
  }

  String hostname() {
    String h = host;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(1, end) : h.substring(1);
    }
    int colon = h.lastIndexOf(':');
    return colon >= 0 ? h.substring(0, colon) : h;
  }

  String port() {
    String h = host.startsWith("[") ? host.substring(Math.max(host.indexOf(']'), 0)) : host;
    int colon = h.lastIndexOf(':');
    return colon >= 0 ? h.substring(colon + 1) : "";
  }

  String escapedPath() {
    return escapedPath;
  }

  /** The query as Go's {@code url.Query()}: values by key, pairs that do not decode left out. */
  Map<String, List<String>> query() {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty() || pair.contains(";")) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String key = unescape(eq >= 0 ? pair.substring(0, eq) : pair, true);
        String value = unescape(eq >= 0 ? pair.substring(eq + 1) : "", true);
        values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        // Go's Query() drops pairs that do not decode
      }
    }
    return values;
  }

  private static void checkUserinfo(String userinfo) {
    for (char c : userinfo.toCharArray()) {
      boolean ok = Character.isLetterOrDigit(c) && c < 0x80 || "-._:~!$&'()*+,;=%@".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("net/url: invalid userinfo");
      }
    }
  }

  private static String checkHost(String host) {
    String colonPort;
    if (host.startsWith("[")) {
      int end = host.lastIndexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("missing ']' in host");
      }
      colonPort = host.substring(end + 1);
    } else {
      int colon = host.lastIndexOf(':');
      colonPort = colon >= 0 ? host.substring(colon) : "";
    }
    if (!colonPort.isEmpty() && !colonPort.matches(":[0-9]*")) {
      throw new IllegalArgumentException("invalid port \"" + colonPort + "\" after host");
    }
    for (char c : host.toCharArray()) {
      boolean ok = c >= 0x80 || Character.isLetterOrDigit(c) || "-_.~!$&'()*+,;=:[]<>\"%".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("invalid character \"" + c + "\" in host name");
      }
    }
    unescape(host, false);
    return host;
  }

  /** Percent-decodes {@code s}; {@code plusIsSpace} for query components. */
  private static String unescape(String s, boolean plusIsSpace) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '%') {
        if (i + 2 >= bytes.length || Character.digit(bytes[i + 1], 16) < 0 || Character.digit(bytes[i + 2], 16) < 0) {
          throw new IllegalArgumentException("invalid URL escape");
        }
        out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
        i += 2;
      } else if (b == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return scheme + "://" + host + escapedPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
  }
}
