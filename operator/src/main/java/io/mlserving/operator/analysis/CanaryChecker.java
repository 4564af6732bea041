package io.mlserving.operator.analysis;

import io.mlserving.operator.api.v1alpha1.Canary;
import io.mlserving.operator.api.v1alpha1.CanaryCheck;
import java.time.Instant;
import java.util.List;

/** Checks a Canary's metric gates now: one check per metric of {@code spec.analysis}, never an exception. */
public interface CanaryChecker {
  List<CanaryCheck> check(Canary canary, Instant now);
}
