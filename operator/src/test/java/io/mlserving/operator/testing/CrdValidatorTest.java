package io.mlserving.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserving.operator.testing.CrdValidator.Options;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** CrdValidator on small hand-written CRDs: each behaviour of admission it emulates. */
class CrdValidatorTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A namespaced CRD widgets.test.io/v1 (kind Widget, status subresource) with this root schema. */
  static CrdValidator widgets(String rootSchemaYaml) {
    return CrdValidator.fromYaml("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.test.io
        spec:
          group: test.io
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
        """ + rootSchemaYaml.indent(8), "v1");
  }

  /** A CRD whose spec has this schema. */
  static CrdValidator widgetSpec(String specSchemaYaml) {
    return widgets("type: object\nproperties:\n  spec:\n" + specSchemaYaml.indent(4));
  }

  /** A Widget named w in namespace default with this spec. */
  static JsonNode widget(String specYaml) {
    return yaml("apiVersion: test.io/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\nspec:\n"
        + specYaml.indent(2));
  }

  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  static List<String> problems(CrdValidator validator, JsonNode object) {
    return validator.validate(object).problems().stream().map(Problem::toString).toList();
  }

  @Nested
  class OpenApiSchema {
    final CrdValidator validator = widgetSpec("""
        type: object
        required: [image]
        properties:
          image: {type: string, minLength: 1, maxLength: 8}
          port: {type: integer, minimum: 1, maximum: 65535}
          ratio: {type: number, minimum: 0, maximum: 1, exclusiveMinimum: true}
          protocol: {type: string, enum: [http, grpc]}
          host: {type: string, pattern: '^[a-z]+$'}
          tag: {type: string, pattern: 'v[0-9]'}
          names: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
        """);

    @Test
    void admitsAValidObject() {
      assertThat(problems(validator, widget("{image: a, port: 80, ratio: 0.5, protocol: grpc, host: abc, names: [x]}")))
          .isEmpty();
    }

    @Test
    void reportsMissingRequiredFieldsWithTheirPath() {
      assertThat(problems(validator, widget("{port: 80}"))).contains("spec.image: Required value");
    }

    @Test
    void reportsRangesPatternsAndEnumsAsTheApiServerWordsThem() {
      assertThat(problems(validator, widget("{image: a, port: 0, ratio: 0, protocol: tcp, host: Abc}")))
          .contains("spec.port: Invalid value: 0: should be greater than or equal to 1",
              "spec.ratio: Invalid value: 0: should be greater than 0",
              "spec.protocol: Unsupported value: \"tcp\": supported values: \"http\", \"grpc\"",
              "spec.host: Invalid value: \"Abc\": should match '^[a-z]+$'");
      assertThat(problems(validator, widget("{image: a, port: 70000}")))
          .containsExactly("spec.port: Invalid value: 70000: should be less than or equal to 65535");
    }

    @Test
    void matchesPatternsUnanchoredLikeGo() {
      assertThat(problems(validator, widget("{image: a, tag: release-v1-final}"))).isEmpty();
      assertThat(problems(validator, widget("{image: a, tag: latest}")))
          .containsExactly("spec.tag: Invalid value: \"latest\": should match 'v[0-9]'");
    }

    @Test
    void reportsWrongTypesAndLengths() {
      assertThat(problems(validator, widget("{image: abcdefghi, port: \"80\", names: []}")))
          .contains("spec.image: Too long: may not be more than 8 bytes",
              "spec.port: Invalid value: \"string\": must be of type integer",
              "spec.names: Invalid value: 0: should have at least 1 items");
      assertThat(problems(validator, widget("{image: a, names: [a, b, c]}")))
          .contains("spec.names: Too many: 3: must have at most 2 items");
    }
  }

  @Nested
  class KubernetesExtensions {
    @Test
    void intOrStringTakesAnIntegerOrAString() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            maxSurge: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
            bare: {x-kubernetes-int-or-string: true}
          """);
      assertThat(problems(validator, widget("{maxSurge: 1, bare: 25%}"))).isEmpty();
      assertThat(problems(validator, widget("{maxSurge: '25%', bare: 3}"))).isEmpty();
      assertThat(problems(validator, widget("{maxSurge: true}")))
          .contains("spec.maxSurge: Invalid value: \"boolean\": must be of type integer or string");
    }

    @Test
    void nullableTakesNullAndOtherwiseNullIsDroppedBeforeDefaulting() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            optional: {type: string, nullable: true}
            strict: {type: string, default: fallback}
          """);
      CrdValidator.Result result = validator.validate(widget("{optional: null, strict: null}"));
      assertThat(result.problems()).isEmpty();
      assertThat(result.object().at("/spec/optional").isNull()).isTrue();
      assertThat(result.object().at("/spec/strict").asText()).isEqualTo("fallback");
    }

    @Test
    void preserveUnknownFieldsKeepsUndeclaredFieldsAndOtherwiseTheyAreRefused() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            config: {type: object, x-kubernetes-preserve-unknown-fields: true}
            closed: {type: object, properties: {a: {type: string}}}
          """);
      assertThat(problems(validator, widget("{config: {anything: [1, {x: y}]}}"))).isEmpty();
      assertThat(problems(validator, widget("{closed: {a: x, b: y}, extra: 1}")))
          .containsExactlyInAnyOrder("spec.closed.b: field not declared in schema",
              "spec.extra: field not declared in schema");
    }

    @Test
    void unknownFieldsArePrunedWhenNotRefused() {
      CrdValidator validator = widgetSpec("type: object\nproperties: {a: {type: string}}");
      CrdValidator.Result result =
          validator.validate(widget("{a: x, b: y}"), Options.admission().withRejectUnknownFields(false));
      assertThat(result.problems()).isEmpty();
      assertThat(result.object().at("/spec").toString()).isEqualTo("{\"a\":\"x\"}");
    }

    @Test
    void embeddedResourcesNeedApiVersionAndKindAndExposeThemToRules() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            template:
              type: object
              x-kubernetes-embedded-resource: true
              x-kubernetes-preserve-unknown-fields: true
              x-kubernetes-validations:
              - rule: self.kind == 'ConfigMap' && self.metadata.name.startsWith('cm-')
                message: template must be a ConfigMap named cm-*
          """);
      assertThat(problems(validator, widget("{template: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-a}}}")))
          .isEmpty();
      assertThat(problems(validator, widget("{template: {metadata: {name: cm-a}}}")))
          .contains("spec.template.apiVersion: Required value", "spec.template.kind: Required value");
      assertThat(problems(validator, widget("{template: {apiVersion: v1, kind: Secret, metadata: {name: cm-a}}}")))
          .containsExactly("spec.template: template must be a ConfigMap named cm-*");
    }

    @Test
    void listTypeSetAndMapRefuseDuplicates() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
            ports:
              type: array
              x-kubernetes-list-type: map
              x-kubernetes-list-map-keys: [name]
              items: {type: object, required: [name], properties: {name: {type: string}, port: {type: integer}}}
          """);
      assertThat(problems(validator, widget("{tags: [a, b, a], ports: [{name: http, port: 80}, {name: http, port: 81}]}")))
          .containsExactlyInAnyOrder("spec.tags[2]: Duplicate value: \"a\"",
              "spec.ports[1]: Duplicate value: {\"name\":\"http\"}");
    }

    @Test
    void statusIsIgnoredWithAStatusSubresource() {
      CrdValidator validator = widgets("""
          type: object
          properties:
            spec: {type: object}
            status: {type: object, properties: {ready: {type: boolean}}}
          """);
      CrdValidator.Result result = validator.validate(yaml(
          "{apiVersion: test.io/v1, kind: Widget, metadata: {name: w}, spec: {}, status: {ready: notabool}}"));
      assertThat(result.problems()).isEmpty();
      assertThat(result.object().has("status")).isFalse();
    }

    @Test
    void checksDateTimeAndByteFormats() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            at: {type: string, format: date-time}
            blob: {type: string, format: byte}
          """);
      assertThat(problems(validator, widget("{at: '2024-05-01T10:00:00Z', blob: aGVsbG8=}"))).isEmpty();
      assertThat(problems(validator, widget("{at: yesterday, blob: '%%%'}")))
          .contains("spec.at: must be of type date-time: \"yesterday\"", "spec.blob: must be of type byte: \"%%%\"");
    }
  }

  @Nested
  class Metadata {
    final CrdValidator validator = widgetSpec("type: object");

    @Test
    void nameMustBeADns1123Subdomain() {
      assertThat(problems(validator, yaml("{apiVersion: test.io/v1, kind: Widget, metadata: {name: My_Widget}, spec: {}}")))
          .singleElement().asString()
          .startsWith("metadata.name: Invalid value: \"My_Widget\": a lowercase RFC 1123 subdomain");
      assertThat(problems(validator, yaml("{apiVersion: test.io/v1, kind: Widget, metadata: {}, spec: {}}")))
          .containsExactly("metadata.name: Required value: name or generateName is required");
    }

    @Test
    void unknownMetadataFieldsAndBadLabelsAreRefused() {
      assertThat(problems(validator, yaml("{apiVersion: test.io/v1, kind: Widget, metadata: {name: w, nmespace: x}, spec: {}}")))
          .containsExactly("metadata.nmespace: field not declared in schema");
      assertThat(problems(validator, yaml(
          "{apiVersion: test.io/v1, kind: Widget, metadata: {name: w, labels: {'app/x/y': ok, team: 'a b'}}, spec: {}}")))
          .hasSize(2).allMatch(p -> p.startsWith("metadata.labels["));
    }

    @Test
    void anUnknownKindIsAProblemNotACrash() {
      assertThat(problems(validator, yaml("{apiVersion: test.io/v2, kind: Widget, metadata: {name: w}}")))
          .singleElement().asString().startsWith("kind: no matches for kind \"Widget\" in version \"test.io/v2\"");
    }
  }

  @Nested
  class Defaults {
    final CrdValidator validator = widgetSpec("""
        type: object
        properties:
          replicas: {type: integer, default: 1}
          probe:
            type: object
            default: {}
            properties:
              path: {type: string, default: /health}
              period: {type: integer, default: 10}
          limits:
            type: object
            x-kubernetes-validations:
            - rule: self.min <= self.max
              message: min must not exceed max
            properties:
              min: {type: integer, default: 1}
              max: {type: integer}
        """);

    @Test
    void appliesDefaultsTopDownIncludingInsideADefaultedObject() {
      JsonNode defaulted = validator.defaulted(widget("{probe: {period: 3}}"));
      assertThat(defaulted.at("/spec").toString())
          .isEqualTo("{\"probe\":{\"period\":3,\"path\":\"/health\"},\"replicas\":1}");
      assertThat(validator.defaulted(widget("{}")).at("/spec/probe").toString())
          .isEqualTo("{\"path\":\"/health\",\"period\":10}");
    }

    @Test
    void rulesSeeTheDefaultedObject() {
      assertThat(problems(validator, widget("{limits: {max: 3}}"))).isEmpty();
      assertThat(problems(validator, widget("{limits: {max: 0}}")))
          .containsExactly("spec.limits: min must not exceed max");
      CrdValidator.Result withoutDefaults =
          validator.validate(widget("{limits: {max: 3}}"), Options.admission().withApplyDefaults(false));
      assertThat(withoutDefaults.problems()).singleElement().asString()
          .contains("'min' is not present", "evaluating rule: min must not exceed max");
    }
  }

  @Nested
  class Rules {
    @Test
    void bindSelfToTheValueAtTheRuleNodeAndReportItsPath() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            variants:
              type: array
              items:
                type: object
                properties:
                  name: {type: string}
                  weight: {type: integer, x-kubernetes-validations: [{rule: self <= 100, message: at most 100}]}
                x-kubernetes-validations:
                - {rule: self.name != 'bad', message: no bad names}
            labels:
              type: object
              additionalProperties:
                type: string
                x-kubernetes-validations: [{rule: self.size() <= 3, message: short values only}]
          """);
      assertThat(problems(validator, widget("{variants: [{name: a, weight: 5}, {name: bad, weight: 101}], labels: {k: long-value}}")))
          .containsExactlyInAnyOrder("spec.variants[1]: no bad names", "spec.variants[1].weight: at most 100",
              "spec.labels[k]: short values only");
    }

    @Test
    void useFieldPathMessageExpressionAndTheDefaultMessage() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            min: {type: integer}
            max: {type: integer}
          x-kubernetes-validations:
          - rule: self.min <= self.max
            fieldPath: .min
            messageExpression: "'min ' + string(self.min) + ' exceeds max ' + string(self.max)"
          - rule: self.max < 10
          """);
      assertThat(problems(validator, widget("{min: 5, max: 12}")))
          .containsExactly("spec: failed rule: self.max < 10");
      assertThat(problems(validator, widget("{min: 5, max: 3}"))).containsExactly("spec.min: min 5 exceeds max 3");
    }

    @Test
    void rootRulesSeeApiVersionKindAndMetadataNameAndReportAtTheRoot() {
      CrdValidator validator = widgets("""
          type: object
          properties: {spec: {type: object}}
          x-kubernetes-validations:
          - rule: self.metadata.name.startsWith('w-') && self.kind == 'Widget' && self.apiVersion == 'test.io/v1'
            message: name must start with w-
          """);
      assertThat(problems(validator, yaml("{apiVersion: test.io/v1, kind: Widget, metadata: {name: w-1}, spec: {}}")))
          .isEmpty();
      assertThat(validator.validate(yaml("{apiVersion: test.io/v1, kind: Widget, metadata: {name: x}, spec: {}}"))
          .problems()).containsExactly(new Problem("", "name must start with w-"));
    }

    @Test
    void areNotEvaluatedAfterABlockingSchemaError() {
      CrdValidator validator = widgetSpec("""
          type: object
          required: [a]
          properties: {a: {type: string}, b: {type: integer, minimum: 1}}
          x-kubernetes-validations: [{rule: "self.a != 'x'", message: a must not be x}]
          """);
      assertThat(problems(validator, widget("{b: 1}")))
          .containsExactly("spec.a: Required value", "<root>: " + CrdValidator.RULES_NOT_CHECKED);
      assertThat(problems(validator, widget("{a: x, b: 0}")))
          .containsExactly("spec.b: Invalid value: 0: should be greater than or equal to 1", "spec: a must not be x");
    }

    @Test
    void skipTransitionRulesOnCreateAndCountThem() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            size: {type: integer}
          x-kubernetes-validations:
          - {rule: self.size >= oldSelf.size, message: size may only grow}
          - {rule: "!has(oldSelf.size) || self.size == 1", optionalOldSelf: true, message: checked on create too}
          - {rule: "oldSelf.hasValue() || self.size < 5", optionalOldSelf: true, message: small on create}
          """);
      assertThat(validator.transitionRuleCount()).isEqualTo(3);
      CrdValidator.Result result = validator.validate(widget("{size: 7}"));
      assertThat(result.transitionRulesSkipped()).isEqualTo(1);
      assertThat(result.problems()).extracting(Problem::toString).containsExactly("spec: small on create");
    }

    @Test
    void thatDoNotCompileFailLoudlyWhenTheCrdIsLoaded() {
      assertThatThrownBy(() -> widgetSpec("""
          type: object
          properties: {a: {type: string}}
          x-kubernetes-validations:
          - rule: self.b == 'x'
          - rule: self.a
          - rule: self.a.noSuchFunction()
          - rule: "self.a ==="
          """))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("4 x-kubernetes-validations rule(s) of widgets.test.io/v1 cannot be compiled")
          .hasMessageContaining("undefined field 'b'")
          .hasMessageContaining("must evaluate to a bool")
          .hasMessageContaining("noSuchFunction");
    }

    @Test
    void reportRuntimeErrorsAsProblems() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties: {timeout: {type: string, x-kubernetes-validations: [{rule: "duration(self) > duration('0s')", message: positive}]}}
          """);
      assertThat(problems(validator, widget("{timeout: soon}"))).singleElement().asString()
          .startsWith("spec.timeout: ").endsWith("evaluating rule: positive");
    }

    @Test
    void escapePropertyNamesAsKubernetesDoes() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            namespace: {type: string}
            x-user: {type: string}
            a.b: {type: string}
          x-kubernetes-validations:
          - rule: self.__namespace__ == 'ns' && self.x__dash__user == 'u' && self.a__dot__b == 'ab'
          """);
      assertThat(problems(validator, widget("{namespace: ns, x-user: u, a.b: ab}"))).isEmpty();
    }

    @Test
    void typeIntOrStringAsDynAndTypedFormats() {
      CrdValidator validator = widgetSpec("""
          type: object
          properties:
            surge: {x-kubernetes-int-or-string: true}
            at: {type: string, format: date-time}
            every: {type: string, format: duration}
            ratio: {type: number}
          x-kubernetes-validations:
          - rule: "type(self.surge) == int ? self.surge < 5 : self.surge.endsWith('%')"
            message: surge
          - rule: self.at > timestamp('2020-01-01T00:00:00Z') && self.every >= duration('1m') && self.ratio == 1.0
            message: typed
          """);
      assertThat(problems(validator, widget("{surge: 3, at: '2024-01-01T00:00:00Z', every: 1h30m, ratio: 1}"))).isEmpty();
      assertThat(problems(validator, widget("{surge: 9, at: '2024-01-01T00:00:00Z', every: 30s, ratio: 1}")))
          .containsExactly("spec: surge", "spec: typed");
    }
  }

  @Nested
  class KubernetesLibraries {
    /** A validator with one string-list field and one rule per expression, each named by its text. */
    private List<String> failing(String... rules) {
      StringBuilder schema = new StringBuilder("""
          type: object
          properties:
            ints: {type: array, items: {type: integer}}
            words: {type: array, items: {type: string}}
            text: {type: string}
            link: {type: string}
            absent: {type: string}
          x-kubernetes-validations:
          """);
      for (String rule : rules) {
        schema.append("- rule: ").append(YAML.valueToTree(rule).toString()).append('\n');
      }
      CrdValidator validator = widgetSpec(schema.toString());
      return problems(validator, widget("{ints: [3, 1, 2, 1], words: [a, b, c], text: ' Hello World ',"
          + " link: 'https://user@example.com:8443/a%20b/c?q=1&q=2&x=y'}"));
    }

    @Test
    void listFunctions() {
      assertThat(failing(
          "self.ints.sum() == 7",
          "!self.ints.isSorted() && self.words.isSorted()",
          "self.ints.min() == 1 && self.ints.max() == 3",
          "self.ints.indexOf(1) == 1 && self.ints.lastIndexOf(1) == 3 && self.ints.indexOf(9) == -1",
          "[1.5, 2.5].sum() == 4.0 && [duration('1s'), duration('2s')].sum() == duration('3s')",
          "self.ints.map(i, i * 2).filter(i, i > 2).size() == 2",
          "self.words.exists_one(w, w == 'b') && self.words.all(w, w.size() == 1) && self.ints.exists(i, i == 3)",
          "sets.contains(self.words, ['a']) && sets.intersects(self.ints, [3])"))
          .isEmpty();
      assertThat(failing("self.ints.sum() == 8", "self.ints.isSorted()"))
          .containsExactly("spec: failed rule: self.ints.sum() == 8", "spec: failed rule: self.ints.isSorted()");
      assertThatThrownBy(() -> failing("self.words.sum() == ''")).as("sum of strings does not type-check")
          .hasMessageContaining("sum");
    }

    @Test
    void stringAndRegexFunctions() {
      assertThat(failing(
          "self.text.trim().lowerAscii() == 'hello world' && self.text.upperAscii() == ' HELLO WORLD '",
          "self.text.trim().split(' ') == ['Hello', 'World'] && self.words.join('-') == 'a-b-c'",
          "self.text.indexOf('o') == 5 && self.text.lastIndexOf('o') == 8 && self.text.charAt(1) == 'H'",
          "self.text.replace('World', 'CEL') == ' Hello CEL ' && self.text.substring(1, 6) == 'Hello'",
          "self.text.matches('W[a-z]+') && self.text.find('[A-Z][a-z]+') == 'Hello'",
          "self.text.findAll('[A-Z]') == ['H', 'W'] && self.text.findAll('[a-z]', 2) == ['e', 'l']",
          "self.text.contains('lo W') && self.text.startsWith(' H') && self.text.endsWith('d ')"))
          .isEmpty();
    }

    @Test
    void urlFunctions() {
      assertThat(failing(
          "isURL(self.link) && url(self.link).getScheme() == 'https'",
          "url(self.link).getHost() == 'example.com:8443' && url(self.link).getHostname() == 'example.com'",
          "url(self.link).getPort() == '8443' && url(self.link).getEscapedPath() == '/a%20b/c'",
          "url(self.link).getQuery() == {'q': ['1', '2'], 'x': ['y']}",
          "isURL('/absolute/path') && !isURL('relative/path') && !isURL('https://a b/') && !isURL('http://h:port/')",
          "url('https://[::1]:80/').getHostname() == '::1' && url('oci://repo/image').getScheme() == 'oci'"))
          .isEmpty();
    }

    @Test
    void optionalSyntaxAndSets() {
      assertThat(failing(
          "self.?absent.orValue('x') == 'x' && !has(self.absent) && self.?text.hasValue()",
          "sets.equivalent(self.words, ['c', 'b', 'a'])"))
          .isEmpty();
      assertThatThrownBy(() -> failing("self.?missing.orValue('x') == 'x'"))
          .as("typed: an undeclared field does not compile").hasMessageContaining("undefined field 'missing'");
    }
  }

  @Test
  void validatesMapsAsWellAsJsonNodes() {
    CrdValidator validator = widgetSpec("type: object\nrequired: [a]\nproperties: {a: {type: string}}");
    assertThat(validator.validate(Map.of("apiVersion", "test.io/v1", "kind", "Widget",
        "metadata", Map.of("name", "w"), "spec", Map.of("a", "x"))).admitted()).isTrue();
    assertThat(validator.validate(Map.of("apiVersion", "test.io/v1", "kind", "Widget",
        "metadata", Map.of("name", "w"), "spec", Map.of())).problems())
        .extracting(Problem::toString).contains("spec.a: Required value");
  }
}
