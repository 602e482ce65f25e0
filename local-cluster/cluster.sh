#!/usr/bin/env bash
# A local Kubernetes from package registries only (Debian packages + Go modules), for trying the chart
# on one Linux machine and for `npm run test:cluster`. Needs root.
#   npm run cluster -- up [--nodes N]  build what is missing (cached under .tools/), start the cluster
#                               with N nodes (default 1, or CLUSTER_NODES); idempotent
#   npm run cluster -- images   build the Dockerfile's images (and the base images it names) into the cluster
#   npm run cluster -- status   what runs, and how to use it
#   npm run cluster -- down     stop exactly what `up` started (by PID) and undo its network and mounts
#   npm run cluster -- node-link N down|up   cut node N (2..) off the network, or join it again
#   npm run cluster -- pod-freeze NAMESPACE/POD on|off   stop every process of one pod (a hung replica), or resume it
#   npm run cluster -- gateway-api-crds   install the Gateway API's standard CRDs (gatewayApi.enabled needs them)
#   npm run conformance [-- build]  the Gateway API conformance suite against the running cluster
#                               (cluster.sh conformance; lib/conformance.sh), or only its build
# The design (what runs where, the network rules) is in docs/local-cluster.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/local-cluster"
# shellcheck source=local-cluster/versions.sh
source "$HERE/versions.sh"

CLUSTER_NAME="gateway-stack"
NODE_NAME="gateway-stack-node"
TOOLS="$ROOT/.tools"
CLUSTER_DIR="$TOOLS/cluster"
CLUSTER_BIN="$CLUSTER_DIR/bin"
STATE="$CLUSTER_DIR/state"
PKI="$CLUSTER_DIR/pki"
# Sockets need a short path (108 bytes); only one cluster runs on a machine at a time.
RUN_DIR="/run/$CLUSTER_NAME-cluster"
CONTAINERD_SOCK="$RUN_DIR/containerd.sock"
DOCKER_SOCK="$RUN_DIR/docker.sock"
CNI_BIN_DIR="/usr/lib/cni"
BRIDGE="gws0"
POD_CIDR="${CLUSTER_POD_CIDR:-10.244.0.0/24}"
SERVICE_CIDR="${CLUSTER_SERVICE_CIDR:-10.96.0.0/24}"
# The bridge's own address: the node's InternalIP, the pods' gateway, the apiserver and CoreDNS.
NODE_IP="${POD_CIDR%.*}.1"
KUBERNETES_SERVICE_IP="${SERVICE_CIDR%.*}.1"
APISERVER_PORT=6443
APISERVER_URL="https://$NODE_IP:$APISERVER_PORT"
ETCD_PORT=23790
ETCD_PEER_PORT=23800
COREDNS_HEALTH_PORT=18080
COREDNS_READY_PORT=18181
REGISTRY_HOST="127.0.0.1:5000"
# Nodes 2..N (lib/nodes.sh): their network namespaces hang off this second bridge, the host on .1 and
# node n on .n; their pod ranges follow POD_CIDR's (10.244.1.0/24 for node 2, ...).
NODES_BRIDGE="gws1"
NODES_NET="${CLUSTER_NODE_CIDR:-10.250.0.0/24}"
NODES_HOST_IP="${NODES_NET%.*}.1"
# NodePorts answer on this host address only (kube-proxy's nodePortAddresses).
NODEPORT_HOST="127.0.0.1"
PAUSE_IMAGE="registry.k8s.io/pause:3.10.1"
KUBECONFIG_ADMIN="$CLUSTER_DIR/kubeconfig"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for lib in build pki network processes node nodes images addons conformance; do
  # shellcheck source=/dev/null
  source "$HERE/lib/$lib.sh"
done

require_root() { [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, iptables, mounts): run it as root"; }

ensure_packages() {
  local missing=() pkg
  for pkg in "${CLUSTER_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian may start the daemons it installs; this cluster runs its own, so stop those.
  local service
  for service in containerd docker etcd; do systemctl disable --now "$service" >/dev/null 2>&1 || true; done
}

ensure_binaries() {
  command -v go >/dev/null 2>&1 || die "go is needed to build Kubernetes and CoreDNS (apt-get install golang)"
  mkdir -p "$CLUSTER_BIN" "$TOOLS/bin"
  build_kubernetes
  build_coredns
  build_addons
  ln -sf "$CLUSTER_BIN/kubectl" "$TOOLS/bin/kubectl"
  [ -x "$TOOLS/bin/helm" ] || die "helm is missing from .tools/bin: source scripts/bootstrap.sh"
}

# What the tests reach on the host, for test/cluster/support/endpoints.ts to read rather than repeat;
# the node's address and its DNS they ask the API server.
# containerdSockets: every node's runtime, node 1's first (an image tagged for a test must be on each).
# clusterRanges and bridges: what the network rule of lib/network.sh keeps on the bridges.
write_host_endpoints() {
  local sockets="\"$CONTAINERD_SOCK\"" n ranges="" bridges="\"$BRIDGE\"" cidr
  for n in $(seq 2 "$(node_count_saved)"); do sockets+=", \"$(extra_node_sock "$n")\""; done
  for cidr in $(cluster_ranges); do ranges+="${ranges:+, }\"$cidr\""; done
  [ "$(node_count_saved)" -gt 1 ] && bridges+=", \"$NODES_BRIDGE\""
  cat >"$STATE/host-endpoints.json" <<JSON
{ "nodePortHost": "$NODEPORT_HOST", "registry": "$REGISTRY_HOST", "containerdSocket": "$CONTAINERD_SOCK", "containerdSockets": [$sockets], "dockerSocket": "$DOCKER_SOCK", "hostNode": "$NODE_NAME", "clusterRanges": [$ranges], "bridges": [$bridges] }
JSON
}

cmd_up() {
  local count="${CLUSTER_NODES:-1}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) count="${2:-}"; shift 2 || die "--nodes needs a number" ;;
      --nodes=*) count="${1#--nodes=}"; shift ;;
      *) die "up: unknown option $1 (usage: up [--nodes N])" ;;
    esac
  done
  [[ "$count" =~ ^[1-9]$ ]] || die "--nodes / CLUSTER_NODES must be a number from 1 to 9, not '$count'"
  require_root
  local started=$SECONDS
  ensure_packages
  ensure_binaries
  mkdir -p "$STATE" "$RUN_DIR"
  echo "$count" >"$STATE/node-count"
  write_host_endpoints
  network_up
  pki_up
  cp "$(kubeconfig_for admin "$APISERVER_URL")" "$KUBECONFIG_ADMIN"
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  start_dockerd
  build_pause_image
  import_images "$PAUSE_IMAGE"
  start_kubelet
  start_kube_proxy
  start_coredns
  registry_up
  nodes_up "$count"
  wait_for "default ServiceAccount" 60 KUBECTL get serviceaccount default -n default
  log "up in $((SECONDS - started)) s ($count node(s))"
  cmd_status
}

cmd_images() {
  require_root
  process_running containerd || die "the cluster is not up: npm run cluster -- up"
  local started=$SECONDS
  images_all
  log "images built and imported in $((SECONDS - started)) s"
}

cmd_status() {
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd dockerd kubelet kube-proxy coredns docker-registry; do
    if process_running "$name"; then printf '  %-24s running (pid %s)\n' "$name" "$(cut -d' ' -f1 "$STATE/pids/$name.pid")"
    else printf '  %-24s stopped\n' "$name"; fi
  done
  nodes_status
  if process_running kube-apiserver; then
    KUBECTL get nodes -o wide 2>/dev/null || true
    cat <<USAGE

  export KUBECONFIG=$KUBECONFIG_ADMIN PATH=$TOOLS/bin:\$PATH
  kubectl get pods -A
  helm install gateway-stack charts/gateway-stack -n gateway-stack --create-namespace --wait
  curl -X POST http://127.0.0.1:<gateway NodePort>/projects/ -H 'content-type: application/json' -d '{"title":"An awesome project"}'
USAGE
  fi
}

# kill_all_tasks SOCKET: every container of one node's containerd, killed and deleted.
kill_all_tasks() {
  local c=(ctr --address "$1" -n k8s.io) id
  for id in $("${c[@]}" tasks ls -q 2>/dev/null); do "${c[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  for id in $("${c[@]}" tasks ls -q 2>/dev/null); do "${c[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true; done
  for id in $("${c[@]}" containers ls -q 2>/dev/null); do "${c[@]}" containers delete "$id" >/dev/null 2>&1 || true; done
  return 0
}

cmd_down() {
  require_root
  # Nodes 2..N first (lib/nodes.sh), their Node objects with them while the API server runs.
  nodes_down
  # The kubelet first (it would restart what is killed), then every container it started.
  stop_process kubelet
  process_running containerd && kill_all_tasks "$CONTAINERD_SOCK"
  registry_down
  stop_process coredns
  stop_process kube-proxy
  # kube-proxy's own clean-up removes every iptables rule and chain it made.
  [ -x "$CLUSTER_BIN/kube-proxy" ] && [ -f "$STATE/kube-proxy.yaml" ] \
    && "$CLUSTER_BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --cleanup >/dev/null 2>&1 || true
  stop_process dockerd
  stop_process containerd
  stop_process kube-scheduler
  stop_process kube-controller-manager
  stop_process kube-apiserver
  stop_process etcd
  # Mounts the kubelet and containerd left (volumes, rootfs, netns), deepest first.
  # /proc/mounts names resolved paths, and .tools may be a symlink (a git worktree sharing it).
  local mountpoint cluster_dir
  cluster_dir="$(readlink -f "$CLUSTER_DIR")"
  for mountpoint in $(awk '{print $2}' /proc/mounts | grep -E "^($cluster_dir|$RUN_DIR)(/|$)" | sort -r); do
    umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint" 2>/dev/null || log "could not unmount $mountpoint"
  done
  network_down
  rm -rf "$RUN_DIR"
  log "down"
}

# node-link N down|up: cuts node N (2..) off the network, as a node that drops off it, or joins it
# again: its veth on the host bridge goes down or up. Its processes and pods keep running.
cmd_node_link() {
  require_root
  local n="${1:-}" state="${2:-}"
  [[ "$n" =~ ^[2-9]$ ]] && [[ "$state" =~ ^(up|down)$ ]] || die "usage: node-link <2..9> up|down"
  ip link show "$(extra_node_veth "$n")" >/dev/null 2>&1 || die "node $n is not up"
  ip link set "$(extra_node_veth "$n")" "$state"
}

# pod-freeze NAMESPACE/POD on|off: every process of the pod, on whichever node, stopped at once by
# its cgroup v1 freezer (the kubelets use cgroupfs: .../kubepods/<qos>/pod<uid>), or thawed. What a
# replica that accepts connections and never answers looks like; its node and kubelet stay healthy,
# so only the gateway's own timeouts and ejection notice it. The pod is found by UID, never by name.
cmd_pod_freeze() {
  require_root
  local target="${1:-}" state="${2:-}" uid dir
  [[ "$target" == */* ]] && [[ "$state" =~ ^(on|off)$ ]] || die "usage: pod-freeze <namespace>/<pod> on|off"
  uid="$(KUBECTL get pod -n "${target%%/*}" "${target#*/}" -o jsonpath='{.metadata.uid}')" || die "no pod $target"
  dir="$(find /sys/fs/cgroup/freezer -maxdepth 5 -type d -name "pod$uid" -print -quit)"
  [ -n "$dir" ] || die "no freezer cgroup for pod $target (uid $uid)"
  if [ "$state" = on ]; then echo FROZEN >"$dir/freezer.state"; else echo THAWED >"$dir/freezer.state"; fi
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  node-link) shift; cmd_node_link "$@" ;;
  pod-freeze) shift; cmd_pod_freeze "$@" ;;
  images) cmd_images ;;
  status) cmd_status ;;
  down) cmd_down ;;
  conformance) shift; cmd_conformance "$@" ;;
  gateway-api-crds) require_root; gateway_api_crds ;;
  *) echo "usage: npm run cluster -- up [--nodes N] | images | status | down | node-link N up|down | pod-freeze NAMESPACE/POD on|off | gateway-api-crds | conformance" >&2; exit 2 ;;
esac
