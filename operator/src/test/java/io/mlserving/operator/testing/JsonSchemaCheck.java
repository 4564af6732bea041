package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The openAPIV3Schema part of admission, checked by the networknt validator on the schema
 * {@link SchemaTranslator} produced, its errors reworded the way the API server words them.
 */
final class JsonSchemaCheck {
  /** The API server matches {@code pattern} with Go's RE2, unanchored; re2j is the same engine in Java. */
  private static final RegularExpressionFactory RE2 = regex -> {
    com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(regex);
    return value -> pattern.matcher(value).find();
  };
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .regularExpressionFactory(RE2)
      .formatAssertionsEnabled(false)
      .build();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
  private static final Set<String> JUNCTORS = Set.of("oneOf", "anyOf", "not");
  private static final Set<String> BLOCKING =
      Set.of("required", "type", "enum", "maxLength", "maxItems", "maxProperties", "additionalProperties");

  private final JsonNode crdSchema;
  private final JsonSchema schema;

  JsonSchemaCheck(JsonNode crdRootSchema) {
    this.crdSchema = crdRootSchema;
    this.schema = FACTORY.getSchema(SchemaTranslator.root(crdRootSchema), CONFIG);
  }

  List<Finding> check(JsonNode object) {
    List<Finding> findings = new ArrayList<>();
    for (ValidationMessage message : schema.validate(object)) {
      if (underJunctor(message.getEvaluationPath())) {
        continue; // the oneOf/anyOf/not itself is reported, not each branch's reasons
      }
      findings.add(new Finding(problem(message), BLOCKING.contains(message.getType())));
    }
    return findings;
  }

  private Problem problem(ValidationMessage message) {
    JsonNode at = crdSchema;
    String path = "";
    JsonNodePath location = message.getInstanceLocation();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        path = FieldPath.index(path, index);
        at = Schemas.items(at);
      } else {
        String name = element.toString();
        path = at == null ? FieldPath.child(path, name) : FieldPath.member(path, at, name);
        at = at == null ? null : Schemas.field(at, name);
      }
    }
    JsonNode keyword = message.getSchemaNode();
    JsonNode value = message.getInstanceNode();
    String property = message.getProperty();
    return switch (message.getType()) {
      case "required" -> new Problem(member(path, at, property), "Required value");
      case "additionalProperties" -> new Problem(member(path, at, property), "field not declared in schema");
      case "enum" -> new Problem(path, "Unsupported value: " + value + ": supported values: "
          + StreamSupport.stream(keyword.spliterator(), false).map(JsonNode::toString).collect(Collectors.joining(", ")));
      case "type" -> new Problem(path, "Invalid value: \"" + jsonType(value) + "\": must be of type "
          + (keyword.isArray() ? StreamSupport.stream(keyword.spliterator(), false).map(JsonNode::asText)
              .collect(Collectors.joining(" or ")) : keyword.asText()));
      case "minimum" -> new Problem(path, invalid(value) + "should be greater than or equal to " + number(keyword));
      case "exclusiveMinimum" -> new Problem(path, invalid(value) + "should be greater than " + number(keyword));
      case "maximum" -> new Problem(path, invalid(value) + "should be less than or equal to " + number(keyword));
      case "exclusiveMaximum" -> new Problem(path, invalid(value) + "should be less than " + number(keyword));
      case "multipleOf" -> new Problem(path, invalid(value) + "should be a multiple of " + number(keyword));
      case "minLength" -> new Problem(path, invalid(value) + "should be at least " + keyword.asInt() + " chars long");
      case "maxLength" -> new Problem(path, "Too long: may not be more than " + keyword.asInt() + " bytes");
      case "pattern" -> new Problem(path, invalid(value) + "should match '" + keyword.asText() + "'");
      case "minItems" -> new Problem(path, "Invalid value: " + value.size() + ": should have at least "
          + keyword.asInt() + " items");
      case "maxItems" -> new Problem(path, "Too many: " + value.size() + ": must have at most " + keyword.asInt() + " items");
      case "minProperties" -> new Problem(path, "Invalid value: " + value.size() + ": should have at least "
          + keyword.asInt() + " properties");
      case "maxProperties" -> new Problem(path, "Too many: " + value.size() + ": must have at most "
          + keyword.asInt() + " items");
      case "uniqueItems" -> new Problem(path, "Duplicate value: the items must be unique");
      case "oneOf" -> new Problem(path, "must validate one and only one schema (oneOf)");
      case "anyOf" -> new Problem(path, "must validate at least one schema (anyOf)");
      case "not" -> new Problem(path, "must not validate the schema (not)");
      default -> new Problem(path, message.getMessage());
    };
  }

  private static String member(String path, JsonNode schema, String name) {
    return schema == null ? FieldPath.child(path, name) : FieldPath.member(path, schema, name);
  }

  private static boolean underJunctor(JsonNodePath evaluationPath) {
    int last = evaluationPath.getNameCount() - 1;
    for (int i = 0; i < last; i++) {
      Object element = evaluationPath.getElement(i);
      boolean propertyName = i > 0 && "properties".equals(evaluationPath.getElement(i - 1));
      if (!propertyName && JUNCTORS.contains(String.valueOf(element))) {
        return true;
      }
    }
    return false;
  }

  private static String invalid(JsonNode value) {
    return "Invalid value: " + value + ": ";
  }

  private static String number(JsonNode n) {
    double d = n.asDouble();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.asText();
  }

  private static String jsonType(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      case BOOLEAN -> "boolean";
      case ARRAY -> "array";
      case OBJECT -> "object";
      case NULL -> "null";
      default -> value.getNodeType().toString().toLowerCase();
    };
  }
}
