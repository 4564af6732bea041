package io.mlserving.operator.desired;

import io.mlserving.operator.desired.StorageLocation.Scheme;

/**
 * The shell scripts the model-loader init container runs, one per scheme. They read the URI, target
 * directory and checksum from environment variables (STORAGE_URI, MODEL_DIR, MODEL_SHA256), never from
 * text pasted into the script, so no spec value is ever interpreted by the shell.
 */
final class LoaderScripts {
  /** Fail on any error; start from an empty directory (a restarted loader must not see a partial download). */
  private static final String PREAMBLE = """
      set -eu
      rm -rf "${MODEL_DIR:?}"/* "${MODEL_DIR:?}"/.[!.]* 2>/dev/null || true
      """;

  /** A download that produced nothing is a failure, not an empty model. */
  private static final String NOT_EMPTY = """
      if [ -z "$(ls -A "$MODEL_DIR")" ]; then
        echo "model-loader: $STORAGE_URI gave no files" >&2; exit 1
      fi
      """;

  /** Verifies MODEL_SHA256, when set, against the single downloaded file. */
  private static final String VERIFY = """
      if [ -n "${MODEL_SHA256:-}" ]; then
        set -- "$MODEL_DIR"/*
        if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
          echo "model-loader: sha256 is set but $STORAGE_URI did not download exactly one file" >&2; exit 1
        fi
        actual=$(sha256sum "$1" | cut -d ' ' -f 1)
        if [ "$actual" != "$MODEL_SHA256" ]; then
          echo "model-loader: sha256 mismatch for $STORAGE_URI: expected $MODEL_SHA256, got $actual" >&2; exit 1
        fi
      fi
      echo "model-loader: $STORAGE_URI loaded into $MODEL_DIR"
      """;

  /** A prefix (folder) is copied recursively, a single object as a file; any failure fails the loader. */
  private static final String S3 = """
      if aws s3 ls "${STORAGE_URI%/}/" >/dev/null 2>&1; then
        aws s3 cp --recursive --only-show-errors "${STORAGE_URI%/}/" "$MODEL_DIR"
      else
        aws s3 cp --only-show-errors "$STORAGE_URI" "$MODEL_DIR/"
      fi
      """;

  private static final String GS = """
      if [ -n "${GCS_SERVICE_ACCOUNT_JSON:-}" ]; then
        printf '%s' "$GCS_SERVICE_ACCOUNT_JSON" > "$HOME/service-account.json"
        gcloud auth activate-service-account --quiet --key-file="$HOME/service-account.json"
      fi
      if gcloud storage ls "${STORAGE_URI%/}/" >/dev/null 2>&1; then
        gcloud storage rsync --recursive "${STORAGE_URI%/}/" "$MODEL_DIR"
      else
        gcloud storage cp "$STORAGE_URI" "$MODEL_DIR/"
      fi
      """;

  private static final String HTTP = """
      name=${STORAGE_URI%%[?#]*}
      name=${name##*/}
      [ -n "$name" ] || name=model
      if [ -n "${HTTP_AUTHORIZATION:-}" ]; then
        printf 'Authorization: %s\\n' "$HTTP_AUTHORIZATION" > "$HOME/auth-header"
        set -- -H "@$HOME/auth-header"
      else
        set --
      fi
      curl -fsSL --retry 3 --proto '=http,https' "$@" -o "$MODEL_DIR/$name" "$STORAGE_URI"
      """;

  private static final String HF = """
      export PYTHONUSERBASE="$HOME/.local" PIP_DISABLE_PIP_VERSION_CHECK=1
      python3 -c 'import huggingface_hub' 2>/dev/null \\
        || pip install --quiet --user --no-cache-dir 'huggingface_hub>=0.23'
      python3 - <<'PY'
      import os
      from huggingface_hub import snapshot_download
      repo, _, revision = os.environ["STORAGE_URI"][len("hf://"):].partition("@")
      snapshot_download(repo_id=repo, revision=revision or None, local_dir=os.environ["MODEL_DIR"])
      PY
      """;

  private LoaderScripts() {}

  static String forScheme(Scheme scheme) {
    String body = switch (scheme) {
      case S3 -> S3;
      case GS -> GS;
      case HTTP -> HTTP;
      case HF -> HF;
      case PVC -> throw new IllegalArgumentException("pvc:// models are mounted, not loaded");
    };
    return PREAMBLE + body + NOT_EMPTY + VERIFY;
  }
}
