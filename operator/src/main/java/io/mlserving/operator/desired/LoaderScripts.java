package io.mlserving.operator.desired;

import io.mlserving.operator.desired.StorageLocation.Scheme;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell scripts the model-loader init container runs, one per scheme, and the command that runs them:
 * {@code /bin/sh -c <script> model-loader <storage URI> <model dir> <home> [<sha256>]}. The script exports its
 * arguments as STORAGE_URI, MODEL_DIR, HOME and MODEL_SHA256 (empty when not set) and reads them from there;
 * no spec value is ever pasted into the script text, so none is interpreted by the shell.
 */
final class LoaderScripts {
  /** The script's name ({@code $0}) in the loader's command. */
  static final String ARGV0 = "model-loader";

  /**
   * The settings the loader is given as arguments after {@link #ARGV0}, in this order, and exported under these
   * names for the scripts; the last one (the checksum) is optional.
   */
  static final List<String> ARGUMENTS = List.of("STORAGE_URI", "MODEL_DIR", "HOME", "MODEL_SHA256");

  /** Where the arguments start in the command: after {@code /bin/sh -c <script> model-loader}. */
  private static final int FIRST_ARGUMENT = 4;

  /**
   * Fail on any error; take the settings from the arguments (arguments rather than environment variables: each
   * environment variable is one more keyed list item that the API server tracks on every update of the
   * Deployment, its ReplicaSets and pods). The loader tests run every script with this command, so a name
   * out of step with {@link #ARGUMENTS} fails them.
   */
  private static final String SETTINGS = """
      set -eu
      export STORAGE_URI="$1" MODEL_DIR="$2" HOME="$3" MODEL_SHA256="${4:-}"
      """;

  /** Start from an empty directory (a restarted loader must not see a partial download). */
  private static final String CLEAN = """
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
   * artifact proxy ({@code mlflow server --serve-artifacts}): the folder is listed with GET
   * <tracking>/api/2.0/mlflow-artifacts/artifacts?path=<dir> (entries by base name, is_dir, file_size) and every
   * file fetched with GET <tracking>/api/2.0/mlflow-artifacts/artifacts/<file>; a path that lists nothing (MLflow
   * lists a file's path as empty) is fetched as a single file. The host form resolves as MLflow's client does: that
   * host and port with the tracking URI's scheme and path prefix. Credentials as MLflow's client sends them: basic
   * when MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD are both set, else MLFLOW_TRACKING_TOKEN as a bearer
   * token, from the model's credentialsSecret. Everything lands in a staging folder first and moves into MODEL_DIR
   * only when every file came whole (sizes checked against the listing), so a failure leaves nothing behind; 5xx
   * answers and connection failures are tried three times; credentials do not follow a redirect to another origin.
   * Python's standard library only.
   */
  private static final String MLFLOW_ARTIFACTS = """
      python3 - <<'PY'
      import base64, json, os, re, shutil, sys, time, urllib.error, urllib.parse, urllib.request
      uri = os.environ["STORAGE_URI"]
      target = os.environ["MODEL_DIR"]
      stage = os.path.join(target, ".model-loader-partial")
      def fail(message):
          shutil.rmtree(stage, ignore_errors=True)
          sys.exit("model-loader: " + message)
      tracking = os.environ.get("MLFLOW_TRACKING_URI", "").strip().rstrip("/")
      track = urllib.parse.urlsplit(tracking)
      if tracking and (track.scheme not in ("http", "https") or not track.netloc):
          fail("MLFLOW_TRACKING_URI " + tracking + " is not an http(s) URL")
      rest = uri[len("mlflow-artifacts:"):]
      if rest.startswith("//"):
          authority, _, path = rest[2:].partition("/")
          base = (track.scheme or "http") + "://" + authority + track.path.rstrip("/")
      else:
          if not tracking:
              fail(uri + " needs MLFLOW_TRACKING_URI, the tracking server that proxies it")
          base, path = tracking, rest
      path = path.strip("/")
      api = base + "/api/2.0/mlflow-artifacts/artifacts"
      headers = {}
      user = os.environ.get("MLFLOW_TRACKING_USERNAME", "")
      password = os.environ.get("MLFLOW_TRACKING_PASSWORD", "")
      if user and password:
          headers["Authorization"] = "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
      elif os.environ.get("MLFLOW_TRACKING_TOKEN"):
          headers["Authorization"] = "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]
      class Redirect(urllib.request.HTTPRedirectHandler):
          # As MLflow's client (requests) does: credentials do not follow a redirect to another origin.
          def redirect_request(self, req, fp, code, msg, hdrs, newurl):
              new = super().redirect_request(req, fp, code, msg, hdrs, newurl)
              old_origin = urllib.parse.urlsplit(req.full_url)[:2]
              if new is not None and urllib.parse.urlsplit(newurl)[:2] != old_origin:
                  new.remove_header("Authorization")
              return new
      opener = urllib.request.build_opener(Redirect)
      def said(body):
          text = body.decode("utf-8", "replace").strip()
          try:
              err = json.loads(text)
              return " ".join(str(err.get(k)) for k in ("error_code", "message") if err.get(k))
          except ValueError:
              return " ".join(re.sub("<[^>]*>", " ", text).split())[:300]
      def get(url):
          for attempt in range(3):
              if attempt:
                  time.sleep(attempt)
              try:
                  return opener.open(urllib.request.Request(url, headers=headers), timeout=60)
              except urllib.error.HTTPError as e:
                  why = "answered HTTP " + str(e.code) + (": " + said(e.read(2000)) if e.fp else "")
                  if e.code in (401, 403):
                      why += (" (credentials: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and"
                              " MLFLOW_TRACKING_PASSWORD, in the model's credentialsSecret)")
                  if e.code < 500:
                      break
              except OSError as e:
                  why = "failed: " + str(getattr(e, "reason", e))
          fail("GET " + url + " " + why)
      def listing(d):
          url = api + "?" + urllib.parse.urlencode({"path": d})
          with get(url) as r:
              body = r.read()
          try:
              return json.loads(body).get("files", [])
          except (ValueError, AttributeError):
              fail("GET " + url + " answered HTTP 200 but no MLflow listing: " + said(body))
      def fetch(remote, local, size):
          url = api + "/" + urllib.parse.quote(remote)
          os.makedirs(os.path.dirname(local), exist_ok=True)
          got = 0
          with get(url) as r, open(local, "wb") as out:
              while True:
                  chunk = r.read(1 << 20)
                  if not chunk:
                      break
                  out.write(chunk)
                  got += len(chunk)
          if size is not None and got != int(size):
              fail("GET " + url + " gave " + str(got) + " bytes, the listing said " + str(size))
      def join(d, name):
          return d + "/" + name if d else name
      def walk(d, local):
          files = listing(d)
          for f in files:
              name = str(f.get("path", "")).rstrip("/").split("/")[-1]
              if name in ("", ".", "..") or "\\0" in name:
                  fail("refusing artifact name " + repr(f.get("path")) + " listed under " + (d or "the root"))
              if f.get("is_dir"):
                  walk(join(d, name), os.path.join(local, name))
              else:
                  fetch(join(d, name), os.path.join(local, name), f.get("file_size"))
          return len(files)
      shutil.rmtree(stage, ignore_errors=True)
      os.makedirs(stage)
      if walk(path, stage) == 0:
          if not path:
              fail(uri + " lists no files")
          fetch(path, os.path.join(stage, path.split("/")[-1]), None)
      for entry in os.listdir(stage):
          os.replace(os.path.join(stage, entry), os.path.join(target, entry))
      os.rmdir(stage)
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

  /** The loader's command for {@code scheme}: the script and its settings as arguments ({@code sha256} may be null). */
  static List<String> command(Scheme scheme, String storageUri, String modelDir, String home, String sha256) {
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", forScheme(scheme), ARGV0, storageUri, modelDir,
        home));
    if (sha256 != null) {
      command.add(sha256);
    }
    return command;
  }

  /** The settings in a loader's {@code command}, by the names the scripts export them under (MODEL_SHA256 when set). */
  static Map<String, String> settings(List<String> command) {
    Map<String, String> out = new LinkedHashMap<>();
    if (command == null || command.size() <= FIRST_ARGUMENT || !ARGV0.equals(command.get(FIRST_ARGUMENT - 1))) {
      return out;
    }
    for (int i = 0; i < ARGUMENTS.size() && FIRST_ARGUMENT + i < command.size(); i++) {
      out.put(ARGUMENTS.get(i), command.get(FIRST_ARGUMENT + i));
    }
    return out;
  }

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
      return SETTINGS + body;
    }
    return SETTINGS + CLEAN + body + NOT_EMPTY + VERIFY;
  }
}
