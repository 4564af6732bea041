package io.mlserving.operator.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log event of the JVM while open (a logback ListAppender on the root logger), with its stack traces. */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Logger> raised = new ArrayList<>();

  /** Captures from now on; {@code debugLoggers} are set to DEBUG meanwhile, to capture more. */
  public LogCapture(String... debugLoggers) {
    appender.start();
    root.addAppender(appender);
    for (String name : debugLoggers) {
      Logger l = (Logger) LoggerFactory.getLogger(name);
      l.setLevel(Level.DEBUG);
      raised.add(l);
    }
  }

  /** Each captured event as one string: level, logger, formatted message, then every throwable in the chain. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(appender.list)) {
      StringBuilder sb = new StringBuilder().append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ")
          .append(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    for (Logger l : raised) {
      l.setLevel(null);
    }
  }
}
