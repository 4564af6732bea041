#!/usr/bin/env bash
# The real Kubernetes control plane for the real-server tests, from Debian's package archive only:
#   etcd                     Debian's etcd-server (3.4)
#   kube-apiserver,          built from bookworm's kubernetes source package (v1.20.2 with its vendored
#   kube-controller-manager  dependencies) with Debian's Go, cached under $MLSERVING_CACHE
#   kubectl                  Debian's kubernetes-client (v1.20.2), unpacked into the same cache
#
#   e2e/control-plane.sh install   install the packages and build (or reuse) the binaries; prints nothing
#                                  else on its last line than the folder that holds them
# The tests start and stop the processes themselves (RealControlPlane in the operator's test tree).
set -euo pipefail

K8S_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
CACHE="${MLSERVING_CACHE:-$HOME/.cache/mlserving}"
BIN="$CACHE/kubernetes-1.20.2/bin"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

log() { echo "control-plane: $*" >&2; }

apt_updated=false
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" = false ]; then as_root apt-get update >&2; apt_updated=true; fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

# apt-get source needs a deb-src entry: copy the machine's Debian entry (the first stanza of
# debian.sources, which serves bookworm main) with Types: deb-src.
ensure_deb_src() {
  local src=/etc/apt/sources.list.d/debian.sources
  local dst=/etc/apt/sources.list.d/mlserving-debian-src.sources
  [ -f "$dst" ] && return 0
  [ -f "$src" ] || { log "no $src to copy a deb-src entry from"; exit 1; }
  awk 'BEGIN{RS=""; ORS="\n\n"} NR==1 {sub(/Types: deb/, "Types: deb-src"); print}' "$src" \
    | as_root tee "$dst" >/dev/null
  as_root apt-get update >&2
  apt_updated=true
}

build_kubernetes() {
  apt_install golang-go rsync make dpkg-dev golang-github-modern-go-reflect2-dev
  ensure_deb_src
  local work="$CACHE/build"
  rm -rf "$work"; mkdir -p "$work"
  log "fetching the kubernetes source package $K8S_VERSION"
  (cd "$work" && apt-get source --download-only "kubernetes=$K8S_VERSION" >&2 \
    && dpkg-source --no-check -x kubernetes_*.dsc src >&2)
  local tree="$work/src"
  # Vendored reflect2 1.0.1 crashes the API server under Go >= 1.18 ("fatal error: fault" in map
  # iteration on the first custom-resource create); Debian ships 1.0.2.
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"
  find "$tree/vendor/github.com/modern-go/reflect2" -name '*_test.go' -delete
  # GOPATH layout, as Debian's debian/rules builds it.
  mkdir -p "$tree/.go/src/k8s.io"
  ln -sfn ../../.. "$tree/.go/src/k8s.io/kubernetes"
  log "building kube-apiserver and kube-controller-manager (about 10 minutes on 2 cores)"
  (cd "$tree/.go/src/k8s.io/kubernetes" \
    && GOPATH="$tree/.go" GO111MODULE=off GOFLAGS= GOCACHE="$CACHE/go-build" CGO_ENABLED=0 \
       make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2)
  mkdir -p "$BIN"
  cp "$tree/_output/local/bin/linux/amd64/kube-apiserver" \
     "$tree/_output/local/bin/linux/amd64/kube-controller-manager" "$BIN/"
  rm -rf "$work"
}

fetch_kubectl() {
  local work="$CACHE/kubectl-deb"
  rm -rf "$work"; mkdir -p "$work"
  (cd "$work" && apt-get download "kubernetes-client=$K8S_VERSION" >&2 \
    && dpkg-deb -x kubernetes-client_*.deb root)
  mkdir -p "$BIN"
  cp "$work/root/usr/bin/kubectl" "$BIN/kubectl"
  rm -rf "$work"
}

case "${1:-}" in
  install)
    apt_install etcd-server openssl
    # The package's own etcd service is not ours: the tests start etcd on ports of their own.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
      as_root systemctl stop etcd || true
    fi
    if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ]; then
      log "reusing $BIN (delete it to rebuild)"
    else
      build_kubernetes
    fi
    [ -x "$BIN/kubectl" ] || fetch_kubectl
    "$BIN/kube-apiserver" --version >&2
    echo "$BIN"
    ;;
  *)
    echo "usage: $0 install" >&2
    exit 2
    ;;
esac
