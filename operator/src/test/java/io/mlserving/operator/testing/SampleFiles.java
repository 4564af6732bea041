package io.mlserving.operator.testing;

import io.mlserving.operator.crd.CrdFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The bundled samples (samples/ at the project root), as tests that run them need to know them. */
public final class SampleFiles {
  private static final Pattern REGISTRY_URI = Pattern.compile("storageUri:\\s*['\"]?(models:/[^\\s'\"#,}]+)");

  private SampleFiles() {}

  /** The samples folder. */
  public static Path folder() {
    return CrdFiles.projectRoot().resolve("samples");
  }

  /** Every models:/ URI the samples name: a test's registry must resolve them for the samples to become Ready. */
  public static List<String> registryUris() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        Matcher m = REGISTRY_URI.matcher(Files.readString(file));
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
