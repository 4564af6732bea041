/** The mlserving.io/v1alpha1 custom resources: InferenceService, ABTest, ShadowTest, CircuitBreaker, Canary. */
package io.mlserving.operator.api.v1alpha1;
