# The Kubernetes Gateway API conformance suite against the running local cluster (sourced by
# cluster.sh; `npm run conformance` is `cluster.sh conformance`). The gateway does not implement the
# API yet (docs/adr/0011-gateway-api.md): this is the harness the implementation is to pass.
#   1. the suite as a test binary of test/gateway-conformance (`go test -c`), cached in $CLUSTER_BIN
#      with a stamp of its version and sources, so a warm run skips the build;
#   2. the standard-channel CRDs of the same release, from the Go module cache, and a GatewayClass of
#      the project's own naming the controller the gateway is to run as;
#   3. the images the suite's manifests name, built here (images.sh and below), none pulled;
#   4. the run, bounded (-test.timeout and the suite's own timeouts), its ConformanceReport under
#      $CONFORMANCE_DIR, a line per test, and a non-zero exit when a test or a core profile fails.

CONFORMANCE_MODULE="$ROOT/test/gateway-conformance"
CONFORMANCE_BIN="$CLUSTER_BIN/gateway-conformance.test"
CONFORMANCE_DIR="$CLUSTER_DIR/conformance"
CONFORMANCE_REPORT="$CONFORMANCE_DIR/report.yaml"
CONFORMANCE_LOG="$CONFORMANCE_DIR/run.log"
# The GatewayClass the suite's Gateways name, and the controller that is to accept it (the chart is
# to set the same name when the gateway implements the API).
CONFORMANCE_GATEWAY_CLASS="${CONFORMANCE_GATEWAY_CLASS:-gateway-stack}"
CONFORMANCE_CONTROLLER="${CONFORMANCE_CONTROLLER:-gateway-stack.local/gateway-controller}"
CONFORMANCE_PROFILES="${CONFORMANCE_PROFILES:-GATEWAY-HTTP,GATEWAY-GRPC}"
# The features whose tests run (the suite's -supported-features, comma-separated). Empty, the
# default: those the GatewayClass's status.supportedFeatures names, which the gateway writes - the
# suite then judges exactly what the gateway says it supports.
CONFORMANCE_FEATURES="${CONFORMANCE_FEATURES:-}"
# The whole run's bound (go test's -test.timeout, a duration), and the suite's own timeouts as its
# -timeout-config-overrides takes them (e.g. "GWCMustBeAccepted:30;NamespacesMustBeReady:120").
CONFORMANCE_TIMEOUT="${CONFORMANCE_TIMEOUT:-45m}"
CONFORMANCE_TIMEOUT_OVERRIDES="${CONFORMANCE_TIMEOUT_OVERRIDES:-}"
# Tests not to run (the suite's -skip-tests, comma-separated short names): those known to fail,
# which test/cluster/gateway-api-conformance.cluster-spec.ts names with the reason for each.
CONFORMANCE_SKIP_TESTS="${CONFORMANCE_SKIP_TESTS:-}"
CONFORMANCE_COREDNS_IMAGE="registry.k8s.io/coredns/coredns:$CONFORMANCE_COREDNS_VERSION"

# The binary's stamp: the release and a hash of the module's sources (an edit rebuilds it).
conformance_stamp() {
  local hash
  hash="$(cd "$CONFORMANCE_MODULE" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
  echo "$GATEWAY_API_VERSION $hash"
}

build_conformance() {
  local stamp started=$SECONDS module
  stamp="$(conformance_stamp)"
  if [ -x "$CONFORMANCE_BIN" ] && build_stamp_ok gateway-conformance "$stamp"; then return; fi
  # go.mod and versions.sh name the release each; they must agree (the CRDs come from the latter).
  for module in sigs.k8s.io/gateway-api sigs.k8s.io/gateway-api/conformance; do
    grep -Eq "^\s*(require )?$module $GATEWAY_API_VERSION( |$)" "$CONFORMANCE_MODULE/go.mod" \
      || die "test/gateway-conformance/go.mod does not require $module $GATEWAY_API_VERSION (local-cluster/versions.sh)"
  done
  log "building the Gateway API conformance suite $GATEWAY_API_VERSION (go test -c)"
  mkdir -p "$CLUSTER_BIN"
  (cd "$CONFORMANCE_MODULE" && CGO_ENABLED=0 go test -c -trimpath -ldflags "-s -w" -o "$CONFORMANCE_BIN" .) \
    || die "go test -c of test/gateway-conformance failed"
  build_stamp gateway-conformance "$stamp"
  log "built the conformance suite in $((SECONDS - started)) s"
}

# The suite's CoreDNS (a UDP backend of its base manifests, applied for every Gateway profile, so
# the suite waits for it to be Ready), built as build_coredns does the cluster's own, at the
# suite's version, alone on scratch. No setcap: containerd here lets pods bind ports below 1024
# (enable_unprivileged_ports, lib/node.sh).
build_conformance_coredns() {
  if [ -x "$CLUSTER_BIN/coredns-conformance" ] && build_stamp_ok coredns-conformance "$CONFORMANCE_COREDNS_VERSION"; then return; fi
  log "building CoreDNS $CONFORMANCE_COREDNS_VERSION for the conformance suite"
  local work="$CLUSTER_DIR/build/coredns-conformance" started=$SECONDS
  rm -rf "$work"; mkdir -p "$work/bin" "$CLUSTER_BIN"
  # Its own GOBIN: `go install` names the binary coredns, the cluster's own one's name.
  GOBIN="$work/bin" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$CONFORMANCE_COREDNS_VERSION" \
    || die "go install github.com/coredns/coredns@$CONFORMANCE_COREDNS_VERSION failed"
  mv "$work/bin/coredns" "$CLUSTER_BIN/coredns-conformance"
  rm -rf "$work"
  build_stamp coredns-conformance "$CONFORMANCE_COREDNS_VERSION"
  log "built CoreDNS $CONFORMANCE_COREDNS_VERSION in $((SECONDS - started)) s"
}
build_conformance_coredns_image() {
  image_exists "$CONFORMANCE_COREDNS_IMAGE" && return
  build_conformance_coredns
  log "building $CONFORMANCE_COREDNS_IMAGE"
  local work="$CLUSTER_DIR/build/coredns-conformance"
  rm -rf "$work"; mkdir -p "$work"
  cp "$CLUSTER_BIN/coredns-conformance" "$work/coredns"
  printf 'FROM scratch\nCOPY coredns /coredns\nUSER 65532:65532\nENTRYPOINT ["/coredns"]\n' >"$work/Dockerfile"
  DOCKER build -q --network none -t "$CONFORMANCE_COREDNS_IMAGE" "$work" >/dev/null
  rm -rf "$work"
}

# image_reference NAME: the name as containerd lists it, with the registry (and library/) a short
# Docker name implies: gateway-stack/echo-basic:v is docker.io/gateway-stack/echo-basic:v there.
image_reference() {
  case "$1" in
    */*) case "${1%%/*}" in *.*|*:*|localhost) echo "$1" ;; *) echo "docker.io/$1" ;; esac ;;
    *) echo "docker.io/library/$1" ;;
  esac
}

# Every image the suite's manifests name, into each node that lacks one (echo-basic under the
# project's own name too: the same image, which test/cluster/support/echo.ts runs).
conformance_images() {
  local images missing=() image sock present
  build_echo_basic_image
  build_conformance_coredns_image
  mapfile -t images < <(echo_basic_images; echo "$CONFORMANCE_COREDNS_IMAGE")
  for sock in $(node_sockets); do
    present="$(ctr --address "$sock" -n k8s.io images ls -q)"
    for image in "${images[@]}"; do
      grep -qxF "$(image_reference "$image")" <<<"$present" || missing+=("$image")
    done
  done
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | grep .)
  [ ${#missing[@]} -eq 0 ] && return
  log "importing into the cluster: ${missing[*]}"
  import_images "${missing[@]}"
}

# The standard-channel CRDs of $GATEWAY_API_VERSION (and the ValidatingAdmissionPolicy shipped with
# them) from the module cache; server-side, as their size exceeds client-side apply's annotation.
# `npm run cluster -- gateway-api-crds` runs this alone (the cluster tests of gatewayApi need it).
gateway_api_crds() {
  local dir file crds=()
  dir="$(go_module_dir sigs.k8s.io/gateway-api "$GATEWAY_API_VERSION")"
  [ -d "$dir/config/crd/standard" ] || die "go mod download sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION failed"
  log "installing the Gateway API $GATEWAY_API_VERSION standard CRDs"
  KUBECTL apply --server-side --force-conflicts -f "$dir/config/crd/standard/" >/dev/null
  for file in "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
    grep -q '^kind: CustomResourceDefinition' "$file" && crds+=("crd/$(sed -n 's/^  name: \(.*\)$/\1/p' "$file" | head -1)")
  done
  KUBECTL wait --for condition=Established --timeout 60s "${crds[@]}" >/dev/null
}

# The CRDs, and the GatewayClass the suite runs against unless one of that name exists (the chart's,
# when it is installed with gatewayApi.enabled: it creates the class it serves).
conformance_crds() {
  gateway_api_crds
  KUBECTL get gatewayclass "$CONFORMANCE_GATEWAY_CLASS" >/dev/null 2>&1 && return
  KUBECTL apply -f - >/dev/null <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: $CONFORMANCE_GATEWAY_CLASS }
spec: { controllerName: $CONFORMANCE_CONTROLLER }
YAML
}

# The suite's namespaces, gone before a run: what an interrupted run left there (a Gateway of one
# of its tests) would hold the next one's setup, which waits for every Gateway in them.
conformance_fresh_namespaces() {
  local namespaces
  namespaces="$(KUBECTL get namespaces -o name | sed -n 's#^namespace/\(gateway-conformance-.*\)$#\1#p')"
  [ -z "$namespaces" ] && return
  log "deleting what an earlier run left: $(echo $namespaces)"
  # shellcheck disable=SC2086 # one argument per namespace
  KUBECTL delete namespace $namespaces --wait --timeout 180s >/dev/null
}

# The run: the binary's verbose output to $CONFORMANCE_LOG, the report to $CONFORMANCE_REPORT.
# `timeout` backs -test.timeout up (a binary that hangs past it is killed).
conformance_run() {
  local bound status=0 url version
  mkdir -p "$CONFORMANCE_DIR"; rm -f "$CONFORMANCE_REPORT"
  url="$(sed -n 's/^home: *//p' "$ROOT/charts/gateway-stack/Chart.yaml")"
  version="$(chart_app_version)"
  bound="$(go_duration_seconds "$CONFORMANCE_TIMEOUT")"
  log "running the suite (profiles $CONFORMANCE_PROFILES, GatewayClass $CONFORMANCE_GATEWAY_CLASS, at most $CONFORMANCE_TIMEOUT); log: $CONFORMANCE_LOG"
  KUBECONFIG="$KUBECONFIG_ADMIN" timeout --kill-after 30 "$((bound + 60))" "$CONFORMANCE_BIN" \
    -test.run '^TestConformance$' -test.v -test.timeout "$CONFORMANCE_TIMEOUT" \
    -gateway-class "$CONFORMANCE_GATEWAY_CLASS" -conformance-profiles "$CONFORMANCE_PROFILES" \
    ${CONFORMANCE_FEATURES:+-supported-features "$CONFORMANCE_FEATURES"} \
    -timeout-config-overrides "$CONFORMANCE_TIMEOUT_OVERRIDES" \
    -skip-tests "$CONFORMANCE_SKIP_TESTS" \
    -report-output "$CONFORMANCE_REPORT" -organization k8s-api-gateway-stack -project gateway-stack \
    -url "$url" -version "$version" -contact "gateway-stack maintainers" \
    >"$CONFORMANCE_LOG" 2>&1 || status=$?
  conformance_summary "$status"
}

# go_duration_seconds 45m|90s|1h: the seconds of a simple Go duration.
go_duration_seconds() {
  case "$1" in
    *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;;
    *) die "CONFORMANCE_TIMEOUT must be a number with h, m or s, not '$1'" ;;
  esac
}

# conformance_summary STATUS: a line per test the suite ran (go test's own verdict lines), the
# failure of a run that stopped before any test (its setup), each profile's core result from the
# report; exits non-zero when the binary failed, the report is missing or a core result is not success.
conformance_summary() {
  local status="$1" failed=0
  echo "Gateway API conformance $GATEWAY_API_VERSION ($CONFORMANCE_PROFILES):"
  sed -nE 's#^ {4}--- (PASS|FAIL|SKIP): TestConformance/([^/ ]+) \(([0-9.]+s)\)$#  \1  \2  \3#p' "$CONFORMANCE_LOG"
  if ! grep -qE '^ {4}--- (PASS|FAIL|SKIP): TestConformance/' "$CONFORMANCE_LOG"; then
    echo "  no test ran; the suite stopped before them:"
    grep -E '^\s+(Error|Messages):|panic:|^FAIL|test timed out' "$CONFORMANCE_LOG" | head -8 | sed 's/^\s*/    /'
    # The setup first waits for a controller to accept the GatewayClass: say what it found.
    KUBECTL get gatewayclass "$CONFORMANCE_GATEWAY_CLASS" -o jsonpath='    GatewayClass {.metadata.name} ({.spec.controllerName}): {range .status.conditions[*]}{.type}={.status} ({.reason}: {.message}) {end}{"\n"}' 2>/dev/null || true
  fi
  if [ -f "$CONFORMANCE_REPORT" ]; then
    node -e '
      const { parse } = require("yaml");
      const report = parse(require("fs").readFileSync(process.argv[1], "utf8"));
      let bad = 0;
      for (const p of report.profiles ?? []) {
        const core = p.core ?? {};
        const s = core.statistics ?? {};
        console.log(`  profile ${p.name}: core ${core.result ?? "none"} (passed ${s.Passed ?? 0}, failed ${s.Failed ?? 0}, skipped ${s.Skipped ?? 0})`);
        if (core.result !== "success") bad = 1;
      }
      if (!(report.profiles ?? []).length) { console.log("  the report has no profile results"); bad = 1; }
      process.exit(bad);
    ' "$CONFORMANCE_REPORT" || failed=1
    echo "  report: $CONFORMANCE_REPORT"
  else
    echo "  no report was written"; failed=1
  fi
  echo "  log: $CONFORMANCE_LOG"
  [ "$status" -eq 0 ] && [ "$failed" -eq 0 ] || return 1
}

# conformance [build]: with `build`, only the binaries (no cluster, no root needed), e.g. to have
# them before taking the cluster.
cmd_conformance() {
  if [ "${1:-}" = build ]; then build_conformance; build_conformance_coredns; return; fi
  [ $# -eq 0 ] || die "usage: npm run conformance [-- build]"
  require_root
  process_running kube-apiserver && process_running containerd || die "the cluster is not up: npm run cluster -- up"
  local started=$SECONDS
  build_conformance
  start_dockerd
  conformance_images
  conformance_crds
  conformance_fresh_namespaces
  local run_started=$SECONDS status=0
  conformance_run || status=$?
  log "conformance: $((run_started - started)) s to build and prepare, $((SECONDS - run_started)) s to run"
  return "$status"
}
