package io.mlserving.operator.config;

import java.util.Map;
import java.util.function.Function;

/**
 * Container images of the model loaders, one per storage scheme. Operator settings: each can be replaced
 * (for a mirror registry, or an image with the tools preinstalled) by the environment variable named below.
 */
public record LoaderImages(String s3, String gs, String http, String hf, String mlflow) {
  public static final String DEFAULT_S3 = "amazon/aws-cli:2.22.35";
  public static final String DEFAULT_GS = "gcr.io/google.com/cloudsdktool/google-cloud-cli:502.0.0-slim";
  public static final String DEFAULT_HTTP = "curlimages/curl:8.11.1";
  public static final String DEFAULT_HF = "python:3.12-slim";
  /** mlflow-artifacts:/ (through the tracking server): Python's standard library is all the loader needs. */
  public static final String DEFAULT_MLFLOW = "python:3.12-slim";

  public static final String ENV_S3 = "MLSERVING_LOADER_IMAGE_S3";
  public static final String ENV_GS = "MLSERVING_LOADER_IMAGE_GS";
  public static final String ENV_HTTP = "MLSERVING_LOADER_IMAGE_HTTP";
  public static final String ENV_HF = "MLSERVING_LOADER_IMAGE_HF";
  public static final String ENV_MLFLOW = "MLSERVING_LOADER_IMAGE_MLFLOW";

  /** The built-in defaults. */
  public static LoaderImages defaults() {
    return new LoaderImages(DEFAULT_S3, DEFAULT_GS, DEFAULT_HTTP, DEFAULT_HF, DEFAULT_MLFLOW);
  }

  /** Defaults overridden by the non-blank values {@code env} gives for the variables above. */
  public static LoaderImages from(Function<String, String> env) {
    return new LoaderImages(
        pick(env, ENV_S3, DEFAULT_S3),
        pick(env, ENV_GS, DEFAULT_GS),
        pick(env, ENV_HTTP, DEFAULT_HTTP),
        pick(env, ENV_HF, DEFAULT_HF),
        pick(env, ENV_MLFLOW, DEFAULT_MLFLOW));
  }

  /** Variable name to image, for documentation and logs. */
  public Map<String, String> asMap() {
    return Map.of(ENV_S3, s3, ENV_GS, gs, ENV_HTTP, http, ENV_HF, hf, ENV_MLFLOW, mlflow);
  }

  private static String pick(Function<String, String> env, String name, String fallback) {
    String value = env.apply(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
