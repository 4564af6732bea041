package io.mlserving.operator.registry;

/** The two lookups of an MLflow Model Registry the operator needs (MLflow REST API 2.0). */
public interface ModelRegistry {
  /**
   * The version alias {@code alias} of model {@code name} points at:
   * {@code GET <url>/api/2.0/mlflow/registered-models/alias?name=&alias=}.
   */
  RegistryAnswer aliasVersion(String url, String name, String alias);

  /**
   * Where version {@code version} of model {@code name} has its files:
   * {@code GET <url>/api/2.0/mlflow/model-versions/get-download-uri?name=&version=}.
   */
  RegistryAnswer downloadUri(String url, String name, String version);
}
