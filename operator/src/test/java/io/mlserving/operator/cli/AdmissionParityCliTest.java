package io.mlserving.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.mlserving.operator.crd.CrdAdmissionTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code validate} makes the checks admission makes: every bad input the CRDs refuse (the fixtures of
 * {@link CrdAdmissionTest}) is refused by {@code validate} too, naming the same field; every sample passes.
 */
class AdmissionParityCliTest {
  @TestFactory
  Stream<DynamicTest> everyFixtureTheCrdsRefuseIsRefusedByValidate() throws IOException {
    return CrdAdmissionTest.invalidFixtures().stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      CliRun run = CliRun.of("validate", "-f", file.toString());
      assertThat(run.exitCode()).as("%s: validate must refuse it%n%s", file.getFileName(), run.out())
          .isEqualTo(1);
      ValidateCliTest.assertNoStackTrace(run);
      List<String> lines = run.err().lines().filter(l -> l.startsWith(file.toString())).toList();
      assertThat(lines).as(run.err()).isNotEmpty();
      for (var expected : CrdAdmissionTest.expectations(file)) {
        String field = javaField(expected.field());
        assertThat(lines).as("%s: a problem on %s", file.getFileName(), field)
            .anyMatch(l -> l.contains(": " + field));
      }
    }));
  }

  @Test
  void everySampleIsValid() {
    CliRun run = CliRun.of("validate", "-f", samples().toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("resource(s) valid");
  }

  /** The admission field path in validate's spelling: map keys as {@code .key}, root rules on the name. */
  static String javaField(String admissionField) {
    if (admissionField.equals("<root>")) {
      return "metadata.name";
    }
    return admissionField.replaceAll("\\[([^\\]0-9][^\\]]*)\\]", ".$1");
  }

  static Path samples() {
    return Path.of(System.getProperty("mlserving.projectRoot", ".."), "samples");
  }
}
