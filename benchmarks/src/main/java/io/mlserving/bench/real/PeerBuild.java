package io.mlserving.bench.real;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the plain JOSDK peer operator from its folder (which may be read-only) in a copy of its own, with
 * Maven (offline first, then online); reuses the jar while the copy is as new as the sources.
 */
public final class PeerBuild {
  static final String JAR = "target/standin-operator.jar";

  private PeerBuild() {}

  /** The peer's jar, built in {@code copy} from {@code source} if it is missing or older than the sources. */
  public static Path jar(Path source, Path copy) throws IOException, InterruptedException {
    if (!Files.isRegularFile(source.resolve("pom.xml"))) {
      throw new IllegalArgumentException("no peer operator at " + source.toAbsolutePath()
          + " (pom.xml missing): pass --peer DIR");
    }
    Path jar = copy.resolve(JAR);
    if (Files.isRegularFile(jar) && newest(source) <= Files.getLastModifiedTime(jar).toMillis()) {
      return jar;
    }
    delete(copy);
    copyTree(source, copy);
    System.err.println("[bench] real: building the peer operator in " + copy);
    if (mvn(copy, true) != 0 && mvn(copy, false) != 0) {
      throw new IllegalStateException("could not build the peer operator in " + copy + " (see "
          + copy.resolve("build.log") + ")");
    }
    return jar;
  }

  private static int mvn(Path dir, boolean offline) throws IOException, InterruptedException {
    List<String> cmd = offline ? List.of("mvn", "-B", "-q", "-o", "package") : List.of("mvn", "-B", "-q", "package");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("build.log").toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static long newest(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/target/")).mapToLong(p -> {
        try {
          return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
          return Long.MAX_VALUE;
        }
      }).max().orElse(0);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.filter(p -> !from.relativize(p).toString().startsWith("target")).toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
