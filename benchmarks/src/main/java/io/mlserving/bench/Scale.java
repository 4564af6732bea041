package io.mlserving.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How big each scenario is. {@link #full()} uses the numbers; {@link #quick()} scales them down so the
 * whole run stays under 3 minutes on 2 cores.
 *
 * @param mode quick or full
 * @param namespaces namespaces the resources are spread over
 * @param resyncIsvcs InferenceServices converged before the forced resync (p1)
 * @param resyncAbTests ABTests converged before the forced resync (p1)
 * @param changes resources per phase of p2/p3 (creates of InferenceServices, creates of ABTests, spec changes
 *     of each)
 * @param burst InferenceServices in the p4 burst
 * @param rateSeconds seconds of the p4 steady load at {@link #ratePerSecond}
 * @param ratePerSecond new InferenceServices per second in the p4 steady load
 * @param heapSteps InferenceService counts at which p5 measures the heap
 * @param coldIsvcs InferenceServices converged before the cold start (p6)
 * @param coldAbTests ABTests converged before the cold start (p6)
 * @param analysed analysed resources (ABTests, ShadowTests, CircuitBreakers with spec.analysis) in p7
 * @param analysisRounds refreshes of live analysis p7 measures over
 */
public record Scale(String mode, int namespaces, int resyncIsvcs, int resyncAbTests, int changes, int burst,
    int rateSeconds, int ratePerSecond, List<Integer> heapSteps, int coldIsvcs, int coldAbTests, int analysed,
    int analysisRounds) {

  public static Scale quick() {
    return new Scale("quick", 10, 100, 100, 30, 400, 10, 10, List.of(0, 50, 100, 200), 100, 100, 1000, 5);
  }

  public static Scale full() {
    return new Scale("full", 10, 1000, 1000, 200, 1000, 60, 10, List.of(0, 250, 500, 1000), 500, 500, 1000, 20);
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespaces", namespaces);
    m.put("p1_converged_resources", Map.of("InferenceService", resyncIsvcs, "ABTest", resyncAbTests));
    m.put("p2_p3_resources_per_phase", changes);
    m.put("p4_burst_inferenceservices", burst);
    m.put("p4_steady_load", ratePerSecond + "/s for " + rateSeconds + " s over " + burst + " resident");
    m.put("p5_heap_steps", heapSteps);
    m.put("p6_converged_resources", Map.of("InferenceService", coldIsvcs, "ABTest", coldAbTests));
    m.put("p7_analysed_resources", analysed);
    m.put("p7_refreshes", analysisRounds);
    if ("quick".equals(mode)) {
      m.put("scaled_down", "quick mode: p1 200 resources instead of 2,000; p4 burst 400 instead of 1,000 and 10 s"
          + " of steady load over 400 resident instead of 60 s over 1,000; p5 steps 0/50/100/200 instead of"
          + " 0/250/500/1,000 (the slope is still per 1,000); p6 200 resources instead of 1,000; p7 5 refreshes"
          + " instead of 20 (1,000 analysed resources in both).");
    }
    return m;
  }
}
