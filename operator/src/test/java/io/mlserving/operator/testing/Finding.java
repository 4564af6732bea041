package io.mlserving.operator.testing;

/**
 * A schema problem and whether the API server counts it as blocking: a missing required field, a wrong
 * type, a value outside an enum, or a too long string, list or map. With a blocking problem the API server
 * does not evaluate the CEL rules (their input could be of the wrong shape).
 */
record Finding(Problem problem, boolean blocking) {}
