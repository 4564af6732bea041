package io.mlserving.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.mlserving.operator.config.OperatorSettings;
import io.mlserving.operator.reconcile.MlServingOperator;
import io.mlserving.operator.testing.MockCluster;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An API server outage longer than JOSDK's default retry budget (5 attempts, 2 s growing by 1.5: about 26 s)
 * must not leave a resource stuck in ReconcileError: with the default, JOSDK stops retrying and waits for the
 * next event or its 10-hour resync. Every controller keeps retrying with a capped back-off instead. (Waiting
 * out a real 26-second outage would cost the suite half a minute, so this checks the configuration.)
 */
class RetryBudgetTest {
  @Test
  void everyControllerRetriesForAsLongAsItFailsWithACappedBackOff() {
    try (MockCluster cluster = MockCluster.start().withIstio("v1")) {
      Operator operator = MlServingOperator.create(cluster.client, OperatorSettings.defaults(), Clock.systemUTC(),
          null);
      assertThat(operator.getRegisteredControllers()).hasSize(5);
      for (RegisteredController<?> controller : operator.getRegisteredControllers()) {
        String name = controller.getConfiguration().getName();
        assertThat(controller.getConfiguration().getRetry()).as(name).isInstanceOfSatisfying(GenericRetry.class,
            retry -> {
              assertThat(retry.getMaxAttempts()).as("%s: max attempts (negative: unlimited)", name).isNegative();
              assertThat(retry.getInitialInterval()).as(name).isBetween(500L, 5_000L);
              assertThat(retry.getMaxInterval()).as("%s: longest back-off", name).isPositive()
                  .isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
            });
      }
    }
  }
}
