package io.mlserving.operator.chart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the repository root from a test: Surefire sets mlserving.projectRoot, an IDE run walks up. */
public final class ProjectFiles {
  private ProjectFiles() {}

  /** The repository root (the folder with charts/, argocd/ and the parent pom). */
  public static Path root() {
    String configured = System.getProperty("mlserving.projectRoot");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured).toAbsolutePath().normalize();
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("charts")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find the repository root: set -Dmlserving.projectRoot");
  }

  public static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
