package io.mlserving.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
  @Test
  void jsonFormatWritesOneJsonObjectPerLine() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Logging.configure(true);
      LoggerFactory.getLogger("io.mlserving.test").info("reconciled {}", "models/iris");
    } finally {
      System.setErr(original);
      Logging.configure(false);
    }
    String line = captured.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("reconciled")).findFirst().orElseThrow();
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("loggerName").asText()).isEqualTo("io.mlserving.test");
    assertThat(json.path("formattedMessage").asText()).isEqualTo("reconciled models/iris");
  }
}
