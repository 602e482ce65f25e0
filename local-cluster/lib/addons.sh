# Add-ons of the local cluster (sourced by cluster.sh): the tools that prove the dev loop, the
# autoscaling and the NetworkPolicies on it. Built from the Go module proxy into $CLUSTER_BIN and
# cached like lib/build.sh (a binary whose version stamp matches is not built again):
#   skaffold              the dev loop; .tools/bin/skaffold runs it with helm3 and Debian's docker
#                         client first on its PATH (SKAFFOLD_PATH below says why)
#   helm3                 Helm 3, for skaffold only (the project's helm is Helm 4)
#   prometheus-adapter    custom metrics API from Prometheus (the HPA's request rate)
#   metrics-server        resource metrics API (the HPA's CPU)
#   kube-network-policies a NetworkPolicy enforcer (nftables + nfqueue), run as a pod on the node
#   keda, keda-adapter    only with CLUSTER_KEDA=1 (see KEDA_NOTE below)
# Prometheus is Debian's package (scripts/bootstrap.sh). The local registry skaffold pushes to is
# Debian's docker-registry (CLUSTER_APT_PACKAGES), a host process on 127.0.0.1:5000 (containerd pulls
# from it over HTTP, lib/node.sh).

REGISTRY_DIR="$CLUSTER_DIR/registry"

# go_module_dir MODULE VERSION: the module's source in the (read-only) Go module cache.
go_module_dir() {
  (cd "$CLUSTER_DIR" && go mod download -json "$1@$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
}

# go_build_module NAME MODULE VERSION PACKAGE [LDFLAGS]: copies the module's source out of the module
# cache and builds PACKAGE of it as the main module, so its own go.mod (replaces included) and go.sum
# decide every dependency - what `go install` ignores.
go_build_module() {
  local name="$1" module="$2" version="$3" package="$4" ldflags="${5:-}"
  local src="$CLUSTER_DIR/src/${module//\//+}@$version" dir
  if [ ! -f "$src/.prepared" ]; then
    dir="$(go_module_dir "$module" "$version")"
    [ -d "$dir" ] || die "go mod download $module@$version failed"
    rm -rf "$src"; mkdir -p "$(dirname "$src")"
    cp -r "$dir" "$src"; chmod -R u+w "$src"
    rm -rf "$src/vendor" "$src/go.work" "$src/go.work.sum"
    (cd "$src" && GOFLAGS=-mod=mod go mod download)
    touch "$src/.prepared"
  fi
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -buildvcs=false -trimpath -ldflags "-s -w $ldflags" -o "$CLUSTER_BIN/$name" "./$package")
}

# build_addon NAME VERSION MODULE PACKAGE [LDFLAGS]: go_build_module, unless already built at VERSION.
build_addon() {
  local name="$1" version="$2"
  if [ -x "$CLUSTER_BIN/$name" ] && build_stamp_ok "$name" "$version"; then return; fi
  log "building $name $version from the Go module proxy"
  local started=$SECONDS
  go_build_module "$name" "$3" "$version" "$4" "${5:-}"
  build_stamp "$name" "$version"
  log "built $name $version in $((SECONDS - started)) s"
}

# SKAFFOLD_PATH: what skaffold finds first on its PATH. Skaffold v2.16 renders through `helm
# --post-renderer <skaffold>`, which Helm 4 no longer takes (post-renderers are plugins there), and
# asks `helm version --client`, a flag Helm 4 dropped: it needs Helm 3. It builds images with the
# `docker` CLI and BuildKit: Debian's client (20.10) has BuildKit built in, a newer client needs the
# buildx plugin, which this kind of machine lacks.
SKAFFOLD_PATH="$CLUSTER_DIR/skaffold-path"
skaffold_wrapper() {
  mkdir -p "$SKAFFOLD_PATH"
  ln -sf "$CLUSTER_BIN/helm3" "$SKAFFOLD_PATH/helm"
  [ -x /usr/bin/docker ] && ln -sf /usr/bin/docker "$SKAFFOLD_PATH/docker"
  rm -f "$TOOLS/bin/skaffold"
  cat >"$TOOLS/bin/skaffold" <<WRAPPER
#!/bin/sh
# skaffold $SKAFFOLD_VERSION with Helm 3 and Debian's docker client first on its PATH (local-cluster/lib/addons.sh).
PATH="$SKAFFOLD_PATH:\$PATH" exec "$CLUSTER_BIN/skaffold" "\$@"
WRAPPER
  chmod +x "$TOOLS/bin/skaffold"
}

# KEDA_NOTE: KEDA's operator links the SDK of every scaler it supports (all clouds, databases,
# queues): by far the longest build here, so it is built only on request (CLUSTER_KEDA=1).
build_addons() {
  build_addon skaffold "$SKAFFOLD_VERSION" github.com/GoogleContainerTools/skaffold/v2 cmd/skaffold \
    "-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION
     -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.buildDate=1970-01-01T00:00:00Z"
  build_addon helm3 "$HELM3_VERSION" helm.sh/helm/v3 cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION"
  skaffold_wrapper
  build_addon prometheus-adapter "$PROMETHEUS_ADAPTER_VERSION" sigs.k8s.io/prometheus-adapter cmd/adapter
  build_addon metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server cmd/metrics-server \
    "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION"
  # The NetworkPolicy enforcer needs the kernel's nft queue expression, which this kind of VM lacks
  # (docs/local-cluster.md): built only on request, for a machine that has it.
  if [ "${CLUSTER_NETPOL:-0}" = 1 ]; then
    build_addon kube-network-policies "$KUBE_NETWORK_POLICIES_VERSION" sigs.k8s.io/kube-network-policies cmd
  fi
  if [ "${CLUSTER_KEDA:-0}" = 1 ]; then
    local keda_ldflags="-X github.com/kedacore/keda/v2/version.Version=${KEDA_VERSION#v}"
    build_addon keda "$KEDA_VERSION" github.com/kedacore/keda/v2 cmd/operator "$keda_ldflags"
    build_addon keda-adapter "$KEDA_VERSION" github.com/kedacore/keda/v2 cmd/adapter "$keda_ldflags"
  fi
}

# The local registry skaffold pushes to (`--default-repo 127.0.0.1:5000`), as kind's and minikube's
# registry add-ons offer one on localhost: a host process on loopback only, its data under .tools/.
# Docker treats 127.0.0.0/8 as an insecure (HTTP) registry without configuration.
registry_up() {
  # Debian's package runs its own on :5000 as a service where systemd is init: ours runs by PID.
  process_running docker-registry || systemctl disable --now docker-registry >/dev/null 2>&1 || true
  mkdir -p "$REGISTRY_DIR" "$STATE"
  cat >"$STATE/registry.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $REGISTRY_DIR }
  delete: { enabled: true }
http:
  addr: $REGISTRY_HOST
YAML
  start_process docker-registry /usr/bin/docker-registry serve "$STATE/registry.yml"
  wait_for docker-registry 30 curl -fsS "http://$REGISTRY_HOST/v2/"
}
registry_down() { stop_process docker-registry; }
