package io.mlserving.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Observed state of a ShadowTest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowTestStatus extends HostStatus {}
