package io.mlserving.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels for a benchmark run: the operator logs every child it creates, which would flood the output. */
final class Logging {
  /** java.util.logging keeps loggers weakly: hold the one whose level we set. */
  private static final java.util.logging.Logger MOCK_JUL = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private Logging() {}

  static void quiet() {
    MOCK_JUL.setLevel(java.util.logging.Level.WARNING);
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("io.javaoperatorsdk")).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("io.fabric8.kubernetes.client.server.mock")).setLevel(Level.ERROR);
    ((Logger) LoggerFactory.getLogger("io.fabric8.mockwebserver")).setLevel(Level.ERROR);
    String debug = System.getenv("BENCH_DEBUG_LOGGERS");
    if (debug != null) {
      for (String name : debug.split(",")) {
        ((Logger) LoggerFactory.getLogger(name.trim())).setLevel(Level.DEBUG);
      }
    }
  }
}
