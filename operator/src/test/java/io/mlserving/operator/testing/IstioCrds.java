package io.mlserving.operator.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Istio's CustomResourceDefinitions, vendored under {@code src/test/resources/istio/} so that every checkout
 * (a plain GitHub clone included) has them, and the one {@link CrdValidator} built from them.
 */
public final class IstioCrds {
  /** Classpath location of the vendored copy. */
  public static final String RESOURCE = "/istio/istio-crd-all.gen.yaml";

  /** The vendored copy, relative to the project root. */
  public static final String VENDORED = "operator/src/test/resources" + RESOURCE;

  /** Where the copy comes from, relative to the project root: the shared folder beside the checkout. */
  public static final String SHARED = "../shared/schemas/istio-crd-all.gen.yaml";

  /** The command, run from the project root, that refreshes the vendored copy. */
  public static final String REFRESH_COMMAND = "cp " + SHARED + " " + VENDORED;

  private static CrdValidator validator;

  private IstioCrds() {}

  /**
   * The vendored file, as the test classpath holds it; from the checkout when the classpath has it inside a
   * jar (the benchmark's shaded jar, run from the project root).
   */
  public static Path file() {
    URL url = IstioCrds.class.getResource(RESOURCE);
    if (url == null) {
      throw new IllegalStateException(RESOURCE + " is not on the test classpath: it is committed as " + VENDORED);
    }
    if ("jar".equals(url.getProtocol())) {
      return io.mlserving.operator.crd.CrdFiles.projectRoot().resolve(VENDORED);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The validator for every version of every Istio CRD, built once per JVM (it compiles several hundred CEL
   * rules).
   */
  public static synchronized CrdValidator validator() {
    if (validator == null) {
      validator = CrdValidator.load(file());
    }
    return validator;
  }

  /** A generated object as the JSON the client would send (fabric8's own serialisation). */
  public static JsonNode json(HasMetadata object) {
    try {
      return Serialization.jsonMapper().readTree(Serialization.asJson(object));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
