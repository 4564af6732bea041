package io.mlserving.operator.runtime;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/** Switches the log format: readable text (the default) or JSON lines for a log pipeline. */
public final class Logging {
  private Logging() {}

  /** Re-configures logback from {@code logback-json.xml} (JSON lines) or {@code logback.xml} (text). */
  public static void configure(boolean json) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    URL config = Logging.class.getClassLoader().getResource(json ? "logback-json.xml" : "logback.xml");
    if (config == null) {
      return;
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      System.err.println("error: cannot configure logging from " + config + ": " + e.getMessage());
    }
  }
}
