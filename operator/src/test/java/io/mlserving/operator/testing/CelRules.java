package io.mlserving.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code x-kubernetes-validations} rules of one schema, compiled with cel-java in the environment
 * the API server gives them (typed {@code self}, standard macros, the strings, sets and optional
 * extensions, and {@link KubernetesCelLibrary}), then evaluated with {@code self} bound to the value at
 * each rule's node. A rule that does not compile, or does not return a bool, makes construction fail:
 * the API server would refuse the CRD. Transition rules (those that read {@code oldSelf}) do not run on
 * create, as on the API server, unless {@code optionalOldSelf} is set (then oldSelf is
 * {@code optional.none()}); they are counted.
 */
final class CelRules {
  static final CelOptions OPTIONS = CelOptions.current()
      .enableOptionalSyntax(true)
      .enableHeterogeneousNumericComparisons(true)
      .enableHomogeneousLiterals(true)
      .build();
  /** Version 2 of the strings extension, as the API server has it (no reverse). */
  private static final CelStringExtensions STRINGS = CelExtensions.strings(EnumSet.complementOf(
      EnumSet.of(CelStringExtensions.Function.REVERSE)));
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(OPTIONS)
      .addLibraries(STRINGS, CelExtensions.sets(OPTIONS), CelExtensions.optional())
      .addFunctionBindings(KubernetesCelLibrary.bindings())
      .build();

  /** One compiled rule. */
  record Rule(String schemaPath, String rule, String message, String fieldPath, boolean transition,
      boolean optionalOldSelf, CelRuntime.Program program, CelRuntime.Program messageProgram) {}

  private final Map<JsonNode, List<Rule>> rulesByNode = new IdentityHashMap<>();
  private final CelSchemaTypes types;
  private final List<String> compileErrors = new ArrayList<>();
  private int ruleCount;
  private int transitionRuleCount;

  private CelRules(String name) {
    this.types = new CelSchemaTypes(name);
  }

  /** Compiles every rule under {@code rootSchema}; {@code name} names the CRD in errors. */
  static CelRules compile(String name, JsonNode rootSchema) {
    CelRules rules = new CelRules(name);
    rules.compileNode(rootSchema, "", true);
    if (!rules.compileErrors.isEmpty()) {
      throw new IllegalStateException(rules.compileErrors.size() + " x-kubernetes-validations rule(s) of " + name
          + " cannot be compiled (the API server would refuse the CRD):\n  - "
          + String.join("\n  - ", rules.compileErrors));
    }
    return rules;
  }

  int ruleCount() {
    return ruleCount;
  }

  int transitionRuleCount() {
    return transitionRuleCount;
  }

  /** Evaluates the rules on {@code object}, adding problems; returns the transition rules skipped. */
  int evaluate(JsonNode object, JsonNode rootSchema, List<Problem> problems) {
    int[] skipped = {0};
    evaluateNode(object, rootSchema, "", true, problems, skipped);
    return skipped[0];
  }

  private void compileNode(JsonNode schema, String path, boolean resourceRoot) {
    JsonNode validations = schema.get("x-kubernetes-validations");
    if (validations != null && !validations.isEmpty()) {
      String where = path.isEmpty() ? Problem.ROOT : path;
      Optional<CelType> selfType = types.declType(schema, resourceRoot, path);
      if (selfType.isEmpty()) {
        compileErrors.add(where + ": x-kubernetes-validations on a node CEL cannot see (no type, or"
            + " x-kubernetes-preserve-unknown-fields without a type)");
      } else {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode validation : validations) {
          compileRule(where, validation, selfType.get()).ifPresent(rules::add);
        }
        rulesByNode.put(schema, rules);
      }
    }
    schema.path("properties").fields().forEachRemaining(p ->
        compileNode(p.getValue(), FieldPath.child(path, p.getKey()), Schemas.embeddedResource(p.getValue())));
    JsonNode items = Schemas.items(schema);
    if (items != null) {
      compileNode(items, path + "[*]", Schemas.embeddedResource(items));
    }
    JsonNode values = Schemas.additionalProperties(schema);
    if (values != null) {
      compileNode(values, path + "[*]", Schemas.embeddedResource(values));
    }
  }

  private Optional<Rule> compileRule(String where, JsonNode validation, CelType selfType) {
    String rule = validation.path("rule").asText("");
    boolean optionalOldSelf = validation.path("optionalOldSelf").asBoolean(false);
    CelType oldSelfType = optionalOldSelf ? OptionalType.create(selfType) : selfType;
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(types)
        .addLibraries(STRINGS, CelExtensions.sets(OPTIONS), CelExtensions.optional())
        .addFunctionDeclarations(KubernetesCelLibrary.declarations())
        .addVar("self", selfType)
        .addVar("oldSelf", oldSelfType)
        .build();
    try {
      CelAbstractSyntaxTree ast = compiler.compile(rule).getAst();
      if (!ast.getResultType().equals(SimpleType.BOOL)) {
        compileErrors.add(where + ": rule `" + rule + "` must evaluate to a bool, not " + ast.getResultType().name());
        return Optional.empty();
      }
      boolean transition = ast.getReferenceMap().values().stream().anyMatch(r -> r.name().equals("oldSelf"));
      CelRuntime.Program messageProgram = null;
      String messageExpression = validation.path("messageExpression").asText("");
      if (!messageExpression.isEmpty()) {
        CelAbstractSyntaxTree messageAst = compiler.compile(messageExpression).getAst();
        if (!messageAst.getResultType().equals(SimpleType.STRING)) {
          compileErrors.add(where + ": messageExpression `" + messageExpression + "` must evaluate to a string");
          return Optional.empty();
        }
        messageProgram = RUNTIME.createProgram(messageAst);
      }
      ruleCount++;
      if (transition) {
        transitionRuleCount++;
      }
      return Optional.of(new Rule(where, rule, validation.path("message").asText(""),
          validation.path("fieldPath").asText(""), transition, optionalOldSelf, RUNTIME.createProgram(ast),
          messageProgram));
    } catch (CelValidationException e) {
      compileErrors.add(where + ": rule `" + rule + "`: " + e.getMessage().replace('\n', ' '));
    } catch (CelEvaluationException e) {
      compileErrors.add(where + ": rule `" + rule + "` cannot be planned: " + e.getMessage());
    }
    return Optional.empty();
  }

  private void evaluateNode(JsonNode data, JsonNode schema, String path, boolean resourceRoot,
      List<Problem> problems, int[] skipped) {
    if (data == null || data.isNull() || schema == null) {
      return;
    }
    List<Rule> rules = rulesByNode.get(schema);
    if (rules != null) {
      Object self = CelValues.of(data, schema, resourceRoot);
      for (Rule rule : rules) {
        if (rule.transition() && !rule.optionalOldSelf()) {
          skipped[0]++;
          continue;
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", self);
        if (rule.optionalOldSelf()) {
          vars.put("oldSelf", Optional.empty());
        }
        try {
          Object result = rule.program().eval(vars);
          if (!Boolean.TRUE.equals(result)) {
            problems.add(new Problem(resolve(path, schema, rule.fieldPath()), message(rule, vars)));
          }
        } catch (CelEvaluationException e) {
          problems.add(new Problem(path, e.getMessage() + " evaluating rule: "
              + (rule.message().isBlank() ? rule.rule() : rule.message())));
        }
      }
    }
    if (data.isObject()) {
      data.fields().forEachRemaining(f -> {
        if (resourceRoot && f.getKey().equals("metadata")) {
          return;
        }
        JsonNode fieldSchema = Schemas.field(schema, f.getKey());
        if (fieldSchema != null) {
          evaluateNode(f.getValue(), fieldSchema, FieldPath.member(path, schema, f.getKey()),
              Schemas.embeddedResource(fieldSchema), problems, skipped);
        }
      });
    } else if (data.isArray() && Schemas.items(schema) != null) {
      JsonNode items = Schemas.items(schema);
      for (int i = 0; i < data.size(); i++) {
        evaluateNode(data.get(i), items, FieldPath.index(path, i), Schemas.embeddedResource(items), problems, skipped);
      }
    }
  }

  private static String message(Rule rule, Map<String, Object> vars) {
    if (rule.messageProgram() != null) {
      try {
        Object message = rule.messageProgram().eval(vars);
        if (message instanceof String text && !text.isBlank() && !text.contains("\n")) {
          return text;
        }
      } catch (CelEvaluationException e) {
        // the API server falls back to message when messageExpression fails
      }
    }
    return rule.message().isBlank() ? "failed rule: " + rule.rule() : rule.message();
  }

  /** {@code path} followed by a rule's relative fieldPath ({@code .a.b}, {@code .a['b.c']}). */
  static String resolve(String path, JsonNode schema, String fieldPath) {
    String out = path;
    JsonNode at = schema;
    int i = 0;
    while (i < fieldPath.length()) {
      String name;
      if (fieldPath.charAt(i) == '.') {
        int end = i + 1;
        while (end < fieldPath.length() && fieldPath.charAt(end) != '.' && fieldPath.charAt(end) != '[') {
          end++;
        }
        name = fieldPath.substring(i + 1, end);
        i = end;
      } else if (fieldPath.charAt(i) == '[' && i + 1 < fieldPath.length()) {
        char quote = fieldPath.charAt(i + 1);
        int end = fieldPath.indexOf(quote + "]", i + 2);
        if (end < 0) {
          break;
        }
        name = fieldPath.substring(i + 2, end);
        i = end + 2;
      } else {
        break;
      }
      out = at == null ? FieldPath.child(out, name) : FieldPath.member(out, at, name);
      at = at == null ? null : Schemas.field(at, name);
    }
    return out;
  }
}
