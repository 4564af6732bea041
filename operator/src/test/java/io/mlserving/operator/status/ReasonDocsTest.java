package io.mlserving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlserving.operator.chart.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/sre.md has one row per reason of {@link Reason} in its Reasons table, and no other. */
class ReasonDocsTest {
  @Test
  void theSreGuideDescribesExactlyTheReasonsOfTheEnum() throws IOException {
    String guide = Files.readString(ProjectFiles.resolve("docs/sre.md"));
    String table = guide.substring(guide.indexOf("## Reasons"), guide.indexOf("\n## ", guide.indexOf("## Reasons") + 1));
    Matcher rows = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\|").matcher(table);
    Set<String> documented = new java.util.TreeSet<>();
    while (rows.find()) {
      documented.add(rows.group(1));
    }
    assertThat(documented).as("reasons in the Reasons table of docs/sre.md")
        .isEqualTo(Arrays.stream(Reason.values()).map(Reason::name).collect(Collectors.toCollection(java.util.TreeSet::new)));
  }
}
