package io.mlserving.operator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the real Helm (helm-java embeds Helm's Go library through JNI) on charts/mlserving-operator:
 * {@code helm template} with a values overlay, and {@code helm lint --strict} of a copy of the chart
 * whose values.yaml is the defaults merged with the overlay (helm-java's lint takes no values file).
 */
public final class ChartRenderer {
  public static final String RELEASE = "mlserving-operator";
  public static final String NAMESPACE = "mlserving-system";
  /** The Kubernetes version helm template renders for (helm-java defaults to v1.20.0, the oldest supported). */
  public static final String KUBE_VERSION = "v1.31.0";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path chart;
  private final Path work;

  public ChartRenderer(Path chart, Path work) {
    this.chart = chart;
    this.work = work;
  }

  /** {@code helm template mlserving-operator <chart> -n mlserving-system -f overlay}, parsed. */
  public Rendered template(String overlayYaml) {
    Path values = write("values-" + System.nanoTime() + ".yaml", overlayYaml);
    String manifests = new Helm(chart).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION)
        .withValuesFile(values)
        .call();
    return new Rendered(manifests, parseAll(manifests));
  }

  /**
   * {@code helm install --dry-run=client}: no cluster; the output is what {@code helm install} prints,
   * NOTES.txt rendered included.
   */
  String installDryRunOutput(String overlayYaml) {
    Path values = write("values-" + System.nanoTime() + ".yaml", overlayYaml);
    return new Helm(chart).install().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION)
        .clientOnly().withDryRunOption(DryRun.CLIENT).withValuesFile(values).call().getOutput();
  }

  /** {@code helm template} of a copy of the chart with {@code values.schema.json} removed. */
  String templateWithoutSchema(String overlayYaml) {
    Path copy = copyChart("noschema-" + System.nanoTime());
    try {
      Files.delete(copy.resolve("values.schema.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path values = write("values-" + System.nanoTime() + ".yaml", overlayYaml);
    return new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION)
        .withValuesFile(values).call();
  }

  /** {@code helm lint --strict} of a copy of the chart whose values.yaml carries the overlay. */
  LintResult lintStrict(String overlayYaml) {
    Path copy = copyChart("lint-" + System.nanoTime());
    try {
      ObjectNode defaults = (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
      JsonNode overlay = YAML.readTree(overlayYaml);
      if (overlay != null && overlay.isObject()) {
        merge(defaults, (ObjectNode) overlay);
      }
      YAML.writeValue(copy.resolve("values.yaml").toFile(), defaults);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Helm(copy).lint().strict().call();
  }

  /** Helm's own merge rule for values: maps merge key by key, anything else replaces. */
  static void merge(ObjectNode into, ObjectNode from) {
    Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = into.get(field.getKey());
      if (existing != null && existing.isObject() && field.getValue().isObject()) {
        merge((ObjectNode) existing, (ObjectNode) field.getValue());
      } else {
        into.set(field.getKey(), field.getValue());
      }
    }
  }

  static List<JsonNode> parseAll(String multiDocumentYaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(multiDocumentYaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && doc.size() > 0) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  private Path write(String name, String content) {
    try {
      return Files.writeString(work.resolve(name), content == null ? "" : content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path copyChart(String name) {
    Path target = work.resolve(name).resolve(chart.getFileName());
    try (Stream<Path> files = Files.walk(chart)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(chart.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /** The objects of one {@code helm template} run. */
  public record Rendered(String text, List<JsonNode> objects) {
    public List<JsonNode> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    public JsonNode one(String kind) {
      List<JsonNode> found = ofKind(kind);
      if (found.size() != 1) {
        throw new AssertionError("expected exactly one " + kind + ", found " + found.size() + " in:\n" + text);
      }
      return found.get(0);
    }
  }
}
