# Builds the cluster's binaries from the Go module proxy into $CLUSTER_BIN (sourced by cluster.sh).
# Everything is cached: a binary whose version stamp matches is not built again.

# k8s.io/kubernetes cannot be `go install`ed: its go.mod points every k8s.io/* staging module at
# ./staging (absent from the module zip) and vendor/ is empty. So the source is copied out of the
# module cache, the staging replaces are dropped and the published staging modules of the same
# release are required instead. The ldflags stamp the version: without them every binary says
# v0.0.0 and the chart's kubeVersion (>= 1.30) refuses the cluster.
KUBE_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

build_stamp_ok() { [ -f "$CLUSTER_BIN/.$1.version" ] && [ "$(cat "$CLUSTER_BIN/.$1.version")" = "$2" ]; }
build_stamp() { echo "$2" >"$CLUSTER_BIN/.$1.version"; }

build_kubernetes() {
  local missing=0 cmd
  for cmd in "${KUBE_COMMANDS[@]}"; do [ -x "$CLUSTER_BIN/$cmd" ] || missing=1; done
  if [ "$missing" = 0 ] && build_stamp_ok kubernetes "$KUBERNETES_VERSION"; then return; fi
  log "building Kubernetes $KUBERNETES_VERSION (${KUBE_COMMANDS[*]}) from the Go module proxy; ~15 min cold on 2 cores"
  local module src="$CLUSTER_DIR/src/kubernetes-$KUBERNETES_VERSION"
  module="$(cd "$CLUSTER_DIR" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module" ] || die "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION failed"
  if [ ! -f "$src/.prepared" ]; then
    rm -rf "$src"; mkdir -p "$(dirname "$src")"
    cp -r "$module" "$src"; chmod -R u+w "$src"
    rm -rf "$src/go.work" "$src/go.work.sum" "$src/vendor"
    local staging edits=()
    staging="$(sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$src/go.mod")"
    for m in $staging; do
      edits+=("-dropreplace=$m")
      # Only what the main module requires; the replaces also name unpublished samples.
      if grep -q "^	$m v0.0.0" "$src/go.mod"; then edits+=("-require=$m@$KUBERNETES_STAGING_VERSION"); fi
    done
    (cd "$src" && go mod edit "${edits[@]}" && GOFLAGS=-mod=mod go mod download)
    touch "$src/.prepared"
  fi
  local minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  local targets=(); for cmd in "${KUBE_COMMANDS[@]}"; do targets+=("./cmd/$cmd"); done
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -buildvcs=false -trimpath -ldflags "$ldflags" -o "$CLUSTER_BIN/" "${targets[@]}")
  build_stamp kubernetes "$KUBERNETES_VERSION"
}

# CoreDNS is an ordinary module: `go install` at the pinned version.
build_coredns() {
  if [ -x "$CLUSTER_BIN/coredns" ] && build_stamp_ok coredns "$COREDNS_VERSION"; then return; fi
  log "building CoreDNS $COREDNS_VERSION"
  GOBIN="$CLUSTER_BIN" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  build_stamp coredns "$COREDNS_VERSION"
}
