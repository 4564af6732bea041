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

  /**
   * mlflow-artifacts:/<path> (or mlflow-artifacts://<host>[:<port>]/<path>) through the tracking server's
   * artifact proxy: the folder is listed with GET <tracking>/api/2.0/mlflow-artifacts/artifacts?path=<dir>
   * and every file fetched with GET <tracking>/api/2.0/mlflow-artifacts/artifacts/<file>; a path that lists
   * nothing is fetched as a single file. Python's standard library only; credentials (MLFLOW_TRACKING_TOKEN,
   * or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) come from the model's credentialsSecret.
   */
  private static final String MLFLOW_ARTIFACTS = """
      python3 - <<'PY'
      import base64, json, os, sys, urllib.parse, urllib.request
      uri = os.environ["STORAGE_URI"]
      tracking = os.environ.get("MLFLOW_TRACKING_URI", "").rstrip("/")
      rest = uri[len("mlflow-artifacts:"):]
      if rest.startswith("//"):
          authority, _, path = rest[2:].partition("/")
          scheme = urllib.parse.urlsplit(tracking).scheme or "http"
          base = scheme + "://" + authority
      else:
          if not tracking:
              sys.exit("model-loader: " + uri + " needs MLFLOW_TRACKING_URI, the tracking server that proxies it")
          base, path = tracking, rest.lstrip("/")
      api = base + "/api/2.0/mlflow-artifacts/artifacts"
      headers = {}
      if os.environ.get("MLFLOW_TRACKING_TOKEN"):
          headers["Authorization"] = "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]
      elif os.environ.get("MLFLOW_TRACKING_USERNAME"):
          pair = os.environ["MLFLOW_TRACKING_USERNAME"] + ":" + os.environ.get("MLFLOW_TRACKING_PASSWORD", "")
          headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
      def get(url):
          try:
              return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60)
          except urllib.error.HTTPError as e:
              sys.exit("model-loader: GET " + url + " answered " + str(e.code) + " " + e.read(500).decode("utf-8", "replace"))
          except OSError as e:
              sys.exit("model-loader: GET " + url + " failed: " + str(e))
      def listing(d):
          with get(api + "?" + urllib.parse.urlencode({"path": d})) as r:
              return json.load(r).get("files", [])
      def fetch(remote, local):
          if ".." in remote.split("/"):
              sys.exit("model-loader: refusing artifact path " + remote)
          os.makedirs(os.path.dirname(local), exist_ok=True)
          with get(api + "/" + urllib.parse.quote(remote)) as r, open(local, "wb") as out:
              while True:
                  chunk = r.read(1 << 20)
                  if not chunk:
                      break
                  out.write(chunk)
      target = os.environ["MODEL_DIR"]
      def walk(d, local):
          files = listing(d)
          for f in files:
              name = f["path"].rstrip("/").split("/")[-1]
              if name in ("", ".", ".."):
                  sys.exit("model-loader: refusing artifact name " + f["path"])
              if f.get("is_dir"):
                  walk(d + "/" + name, os.path.join(local, name))
              else:
                  fetch(d + "/" + name, os.path.join(local, name))
          return len(files)
      if walk(path.rstrip("/"), target) == 0:
          fetch(path, os.path.join(target, path.rstrip("/").split("/")[-1]))
      PY
      """;

  /**
   * A models:/ URI the operator has not resolved: only {@code render} prints this, as the operator creates the
   * Deployment once it has pinned a version.
   */
  private static final String UNRESOLVED = """
      echo "model-loader: $STORAGE_URI is an MLflow registry URI that the operator resolves and pins before it \
      creates this Deployment; this one was printed by render, which reaches no registry" >&2
      exit 1
      """;

  private LoaderScripts() {}

  static String forScheme(Scheme scheme) {
    String body = switch (scheme) {
      case S3 -> S3;
      case GS -> GS;
      case HTTP -> HTTP;
      case HF -> HF;
      case MLFLOW_ARTIFACTS -> MLFLOW_ARTIFACTS;
      case REGISTRY -> UNRESOLVED;
      case PVC -> throw new IllegalArgumentException("pvc:// models are mounted, not loaded");
    };
    if (scheme == Scheme.REGISTRY) {
      return "set -eu\n" + body;
    }
    return PREAMBLE + body + NOT_EMPTY + VERIFY;
  }
}
