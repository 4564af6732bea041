package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Live analysis of a CircuitBreaker: is it refusing requests or ejecting endpoints right now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CircuitBreakerAnalysis extends AnalysisSpec {}
