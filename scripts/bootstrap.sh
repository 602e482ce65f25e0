#!/usr/bin/env bash
# Installs what `npm start`, `npm test` and `npm run bench` need on a fresh Debian/Ubuntu machine,
# and prints the PATH line to use. Idempotent: anything already present is kept.
#   Node 24        npm package node@<.nvmrc> into .tools/node (when the system node is older than 22.18)
#   helm (v4)      go install into .tools/bin (pinned below); go itself must be on PATH
#   redis-server, promtool (prometheus), nginx, wrk, python3-grpcio, protoc + grpc_python_plugin,
#   openssl (the TLS tests make their certificates with it)
#                  Debian packages (apt-get, needs root); the gRPC ones build an independent client
#   schemathesis   PyPI package (pinned below) in a Python venv at .tools/venv; its CLI is linked
#                  into .tools/bin (the OpenAPI contract test fuzzes the running gateway with it)
# Usage: source scripts/bootstrap.sh   (or: eval "$(scripts/bootstrap.sh --print-path)")
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
HELM_VERSION="v4.3.1"
SCHEMATHESIS_VERSION="4.32.5"
# The exact Node of .nvmrc, which the Dockerfile pins too (a test keeps the two equal).
NODE_VERSION="$(tr -d '[:space:]' < "$ROOT/.nvmrc")"
APT_PACKAGES=(redis-server prometheus nginx wrk python3-grpcio protobuf-compiler protobuf-compiler-grpc openssl)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_ok() {
  # 22.18: the first Node that runs TypeScript (scripts/, bench/) without a flag.
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)'
}

ensure_node() {
  export PATH="$TOOLS/node/bin:$PATH"
  if node_ok; then log "node $(node -v)"; return; fi
  log "installing node@$NODE_VERSION into .tools/node (system node is $(node -v 2>/dev/null || echo missing); 22.18 or newer is needed)"
  npm install -g --prefix "$TOOLS/node" "node@$NODE_VERSION" --allow-scripts=node >/dev/null 2>&1 \
    || npm install -g --prefix "$TOOLS/node" "node@$NODE_VERSION" >/dev/null
  # The shell remembers where it found `node` before; forget it, or the old one is checked again.
  hash -r
  node_ok || { log "node@$NODE_VERSION install failed"; exit 1; }
  log "node $(node -v)"
}

ensure_apt() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || missing+=(python3-grpcio)
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  command -v grpc_python_plugin >/dev/null 2>&1 || missing+=(protobuf-compiler-grpc)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -eq 0 ]; then log "apt packages present: ${APT_PACKAGES[*]}"; return; fi
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the services it installs; the tests start their own processes on loopback.
  for service in redis-server nginx prometheus; do $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true; done
}

ensure_helm() {
  export PATH="$TOOLS/bin:$PATH"
  # go builds helm, and the k8s tests fetch the Kubernetes OpenAPI and CRD schemas as Go modules.
  command -v go >/dev/null 2>&1 || { log "go is needed to build helm and by the k8s tests (apt-get install golang, or https://go.dev/dl)"; exit 1; }
  if [ -x "$TOOLS/bin/helm" ]; then log "helm $("$TOOLS/bin/helm" version --short 2>/dev/null)"; return; fi
  log "building helm $HELM_VERSION into .tools/bin (go install; a few minutes the first time)"
  GOBIN="$TOOLS/bin" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
}

ensure_schemathesis() {
  mkdir -p "$TOOLS/bin"
  if [ -x "$TOOLS/venv/bin/schemathesis" ] \
    && "$TOOLS/venv/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('schemathesis')!='$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    log "schemathesis $SCHEMATHESIS_VERSION"
  else
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
      log "apt-get install python3-venv"
      $sudo apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    log "installing schemathesis $SCHEMATHESIS_VERSION into .tools/venv (pip)"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  ln -sf "$TOOLS/venv/bin/schemathesis" "$TOOLS/bin/schemathesis"
}

ensure_node
ensure_apt
ensure_helm
ensure_schemathesis
log "ready: export PATH=\"$TOOLS/bin:$TOOLS/node/bin:\$PATH\""
