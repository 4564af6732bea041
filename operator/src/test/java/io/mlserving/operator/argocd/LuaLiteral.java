package io.mlserving.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON/YAML tree as a Lua 5.1 table literal, the shape Argo CD gives a health script: objects become
 * tables keyed by strings, arrays 1-based sequences, numbers Lua numbers, null nil.
 */
final class LuaLiteral {
  private LuaLiteral() {}

  static String of(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out, 0);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out, int depth) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.append("nil");
    } else if (node.isObject()) {
      out.append("{\n");
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        indent(out, depth + 1).append('[');
        string(field.getKey(), out);
        out.append("] = ");
        write(field.getValue(), out, depth + 1);
        out.append(",\n");
      }
      indent(out, depth).append('}');
    } else if (node.isArray()) {
      out.append("{\n");
      for (JsonNode item : node) {
        indent(out, depth + 1);
        write(item, out, depth + 1);
        out.append(",\n");
      }
      indent(out, depth).append('}');
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      out.append(node.bigIntegerValue());
    } else if (node.isNumber()) {
      out.append(node.decimalValue().toString());
    } else {
      string(node.asText(), out);
    }
  }

  /** A double-quoted Lua string; control bytes as \ddd so the literal stays on one line. */
  static void string(String value, StringBuilder out) {
    out.append('"');
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c == '"' || c == '\\') {
        out.append('\\').append((char) c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append('\\').append(String.format("%03d", c));
      } else if (c < 0x80) {
        out.append((char) c);
      } else {
        out.append('\\').append(String.format("%03d", c)); // UTF-8 bytes, byte for byte
      }
    }
    out.append('"');
  }

  private static StringBuilder indent(StringBuilder out, int depth) {
    return out.append("  ".repeat(depth));
  }
}
