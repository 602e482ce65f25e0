# Nodes 2..N of `up --nodes N` (sourced by cluster.sh); node 1 is the host itself (lib/node.sh).
# Every further node is what a kind node is without the container around it: a network namespace
# with a veth to the host bridge $NODES_BRIDGE (address 10.250.0.<n>, its InternalIP), a pod bridge
# inside (10.244.<n-1>.0/24), and its own containerd, kubelet and kube-proxy, registered with the one
# API server. Only the network is a namespace: the processes share the host's mounts (runc must see
# the kubelet's volume mounts) and run in their own cgroup root. docs/local-cluster.md says why.
#
# Routing: the host routes each node's pod range via the node's address on $NODES_BRIDGE; inside a
# node, node 1's pod range goes via the host's address and every other node's via that node's address
# (direct over the bridge). A node namespace has no default route: nothing in it has a way out.

# The namespace files live under $RUN_DIR, made by `unshare --net=<file>`: `ip netns add` would turn
# /run/netns into a shared mount, after which the pod namespaces made before it can no longer be
# deleted.
NODES_NETNS_DIR="$RUN_DIR/netns"

node_count_saved() { cat "$STATE/node-count" 2>/dev/null || echo 1; }
extra_node_name() { echo "$NODE_NAME-$1"; }
extra_node_ip() { echo "${NODES_NET%.*}.$1"; }
# node_pod_cidr N: node N's pod range, the next /24s after POD_CIDR (node 1's).
node_pod_cidr() {
  local base="${POD_CIDR%.*}"
  echo "${base%.*}.$((${base##*.} + $1 - 1)).0/${POD_CIDR#*/}"
}
node_pod_gateway() { local cidr; cidr="$(node_pod_cidr "$1")"; echo "${cidr%.*}.1"; }
extra_node_dir() { echo "$STATE/nodes/$1"; }
extra_node_run() { echo "$RUN_DIR/node$1"; }
extra_node_netns() { echo "$NODES_NETNS_DIR/node$1"; }
extra_node_sock() { echo "$RUN_DIR/node$1/containerd.sock"; }
extra_node_veth() { echo "gwsv$1"; }
extra_node_cgroup_root() { echo "/$CLUSTER_NAME-node$1"; }
in_node() { local n="$1"; shift; nsenter --net="$(extra_node_netns "$n")" -- "$@"; }
node_ctr() { local n="$1"; shift; ctr --address "$(extra_node_sock "$n")" "$@"; }
# The extra nodes this checkout has state for (running or not), highest first.
known_extra_nodes() {
  local dir
  for dir in "$STATE"/nodes/*/; do
    if [ -d "$dir" ]; then basename "$dir"; fi
  done | sort -rn
}
# The containerd sockets of every running node, node 1 first (images go into each).
node_sockets() {
  echo "$CONTAINERD_SOCK"
  local n
  for n in $(known_extra_nodes | sort -n); do
    process_running "node$n-containerd" && extra_node_sock "$n"
  done
  return 0
}

cgroup_v1_hierarchies() { awk '$3 == "cgroup" {print $2}' /proc/mounts; }
# Every mounted hierarchy, the v2 one of a hybrid setup included: the kubelet makes its cgroups there too.
cgroup_hierarchies() { awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/mounts; }

# Each node's kubelet gets its own cgroupRoot, made first in every v1 hierarchy (the kubelet checks
# that it exists); a new cpuset cgroup starts with no CPUs and no memory nodes, so it gets its parent's.
node_cgroups_up() {
  local root hierarchy
  root="$(extra_node_cgroup_root "$1")"
  for hierarchy in $(cgroup_v1_hierarchies); do
    mkdir -p "$hierarchy$root"
    if [ -f "$hierarchy/cpuset.cpus" ]; then
      cat "$hierarchy/cpuset.cpus" >"$hierarchy$root/cpuset.cpus"
      cat "$hierarchy/cpuset.mems" >"$hierarchy$root/cpuset.mems"
    fi
  done
}

# The cgroups the kubelets made (node 1's /kubepods, each node's root), deepest first; they are
# empty once every container is gone.
cgroups_down() {
  local hierarchy dir
  for hierarchy in $(cgroup_hierarchies); do
    for dir in "$hierarchy/kubepods" "$hierarchy/$CLUSTER_NAME-node"*; do
      [ -d "$dir" ] || continue
      find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$dir" ] && log "could not remove the cgroup $dir (processes still in it?)"
    done
  done
  return 0
}

nodes_pki() {
  local name ip
  name="$(extra_node_name "$1")" ip="$(extra_node_ip "$1")"
  pki_cert "kubelet-node$1" ca "/O=system:nodes/CN=system:node:$name"
  pki_cert "kubelet-serving-node$1" ca "/CN=$name" "DNS:$name,IP:$ip,IP:127.0.0.1"
}

# The host side: the bridge every node's veth joins, with the host's own address on it.
nodes_bridge_up() {
  if ! ip link show "$NODES_BRIDGE" >/dev/null 2>&1; then
    ip link add "$NODES_BRIDGE" type bridge
    ip addr add "$NODES_HOST_IP/${NODES_NET#*/}" dev "$NODES_BRIDGE"
  fi
  ip link set "$NODES_BRIDGE" up
}

# node_network_up N COUNT
node_network_up() {
  local n="$1" count="$2" netns ip cidr veth m
  netns="$(extra_node_netns "$n")" ip="$(extra_node_ip "$n")" cidr="$(node_pod_cidr "$n")" veth="$(extra_node_veth "$n")"
  mkdir -p "$NODES_NETNS_DIR"
  if ! mountpoint -q "$netns" 2>/dev/null; then
    : >"$netns"
    unshare --net="$netns" true
  fi
  ip link show "$veth" >/dev/null 2>&1 || ip link add "$veth" type veth peer name eth0 netns "$netns"
  ip link set "$veth" master "$NODES_BRIDGE" up
  in_node "$n" ip link set lo up
  in_node "$n" ip addr replace "$ip/${NODES_NET#*/}" dev eth0
  in_node "$n" ip link set eth0 up
  in_node "$n" ip link show gws0 >/dev/null 2>&1 || in_node "$n" ip link add gws0 type bridge
  in_node "$n" ip addr replace "$(node_pod_gateway "$n")/${cidr#*/}" dev gws0
  in_node "$n" ip link set gws0 up
  in_node "$n" ip route replace "$POD_CIDR" via "$NODES_HOST_IP"
  # Service addresses as on a real node, which routes them somewhere: a connection to a Service
  # without endpoints then reaches kube-proxy's REJECT (refused) instead of failing on a missing
  # route (ENETUNREACH); one that is not translated goes to the host, whose GWS-ISOLATION drops it.
  in_node "$n" ip route replace "$SERVICE_CIDR" via "$NODES_HOST_IP"
  for m in $(seq 2 "$count"); do
    [ "$m" = "$n" ] || in_node "$n" ip route replace "$(node_pod_cidr "$m")" via "$(extra_node_ip "$m")"
  done
  ip route replace "$cidr" via "$ip" dev "$NODES_BRIDGE"
  # A new namespace starts with forwarding off; pods on the node's bridge must pass its iptables
  # (kube-proxy's Service translation between two pods of the same node).
  in_node "$n" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
}

# node_up N COUNT: node N from nothing to a registered kubelet (Ready is awaited by nodes_up).
node_up() {
  local n="$1" count="$2" dir run netns sock name ip cidr
  dir="$(extra_node_dir "$n")" run="$(extra_node_run "$n")" netns="$(extra_node_netns "$n")"
  sock="$(extra_node_sock "$n")" name="$(extra_node_name "$n")" ip="$(extra_node_ip "$n")" cidr="$(node_pod_cidr "$n")"
  mkdir -p "$dir" "$run"
  nodes_pki "$n"
  node_network_up "$n" "$count"
  node_cgroups_up "$n"
  write_cni_config "$dir/cni/net.d" "$dir/cni/ipam" gws0 "$cidr" "$(node_pod_gateway "$n")"
  write_containerd_config "$dir/containerd" "$run/containerd" "$sock" "$dir/cni/net.d" "$run/runc" \
    "http://$NODES_HOST_IP:${REGISTRY_HOST##*:}"
  start_process_in "$netns" "node$n-containerd" containerd --config "$dir/containerd/config.toml"
  wait_for "containerd of node $n" 60 node_ctr "$n" version
  write_kubelet_config "$dir/kubelet" "$ip" "$sock" "kubelet-serving-node$n" "$(extra_node_cgroup_root "$n")"
  write_kube_proxy_config "$dir/kube-proxy.yaml" "$name" "$cidr"
}

node_start_agents() {
  local n="$1" dir netns name ip
  dir="$(extra_node_dir "$n")" netns="$(extra_node_netns "$n")" name="$(extra_node_name "$n")" ip="$(extra_node_ip "$n")"
  start_process_in "$netns" "node$n-kubelet" "$CLUSTER_BIN/kubelet" --config "$dir/kubelet/config.yaml" \
    --kubeconfig "$(kubeconfig_for "kubelet-node$n" "$APISERVER_URL")" --root-dir "$dir/kubelet/root" \
    --hostname-override "$name" --node-ip "$ip" --v=1
  start_process_in "$netns" "node$n-kube-proxy" "$CLUSTER_BIN/kube-proxy" --config "$dir/kube-proxy.yaml" --v=1
}

# Node 1's images into every other node that lacks one (ctr export/import): what `images` built
# before, and the pause image. Exported once, imported into each node that needs it.
nodes_copy_images() {
  local count="$1" n tar="$STATE/nodes/images.tar" exported=0 wanted missing
  wanted="$(ctr_cmd -n k8s.io images ls -q | grep -v -e '^sha256:' -e '@sha256:' | sort)"
  for n in $(seq 2 "$count"); do
    missing="$(comm -23 <(echo "$wanted") <(node_ctr "$n" -n k8s.io images ls -q | sort))"
    [ -n "$missing" ] || continue
    if [ "$exported" = 0 ]; then
      # shellcheck disable=SC2086 # one image name per word
      ctr_cmd -n k8s.io images export "$tar" $wanted
      exported=1
    fi
    node_ctr "$n" -n k8s.io images import "$tar" >/dev/null
  done
  rm -f "$tar"
}

# Nodes 2..N pull the local registry's images through this forwarder on the host's address on
# $NODES_BRIDGE: their 127.0.0.1 is their own loopback. Nothing else reaches that address.
registry_forward_up() {
  start_process registry-forward socat \
    "TCP-LISTEN:${REGISTRY_HOST##*:},bind=$NODES_HOST_IP,fork,reuseaddr" "TCP:$REGISTRY_HOST"
}

# nodes_up COUNT: nodes 2..COUNT, after node 1 and the control plane are up.
nodes_up() {
  local count="$1" n started=$SECONDS
  for n in $(known_extra_nodes); do [ "$n" -le "$count" ] || node_down "$n"; done
  delete_extra_node_objects "$count"
  [ "$count" -gt 1 ] || return 0
  nodes_bridge_up
  registry_forward_up
  for n in $(seq 2 "$count"); do node_up "$n" "$count"; done
  nodes_copy_images "$count"
  for n in $(seq 2 "$count"); do node_start_agents "$n"; done
  for n in $(seq 2 "$count"); do wait_for "node $(extra_node_name "$n")" 120 node_ready "$(extra_node_name "$n")"; done
  log "nodes 2..$count Ready in $((SECONDS - started)) s"
}

# Kills what still runs in node N's network namespace (the runtime's shims): by PID, every one of
# them a process this cluster started there.
node_netns_stragglers() {
  local netns inode pid
  netns="$(extra_node_netns "$1")"
  mountpoint -q "$netns" 2>/dev/null || return 0
  inode="$(stat -L -c %i "$netns")"
  for pid in /proc/[0-9]*; do
    [ "$(stat -L -c %i "$pid/ns/net" 2>/dev/null)" = "$inode" ] && echo "${pid#/proc/}"
  done
  return 0
}

# node_down N: its kubelet first (it would restart what is killed), its containers, kube-proxy,
# containerd; then whatever still runs in its namespace, the namespace, its routes and cgroups.
node_down() {
  local n="$1" pid
  stop_process "node$n-kubelet"
  process_running "node$n-containerd" && kill_all_tasks "$(extra_node_sock "$n")"
  stop_process "node$n-kube-proxy"
  stop_process "node$n-containerd"
  for pid in $(node_netns_stragglers "$n"); do kill -KILL "$pid" 2>/dev/null || true; done
  ip route del "$(node_pod_cidr "$n")" 2>/dev/null || true
  local netns; netns="$(extra_node_netns "$n")"
  if mountpoint -q "$netns" 2>/dev/null; then umount "$netns" 2>/dev/null || umount -l "$netns"; fi
  rm -f "$netns"
  # The veth goes with the namespace; a moment later when the kernel frees it asynchronously.
  ip link delete "$(extra_node_veth "$n")" >/dev/null 2>&1 || true
  rm -rf "$(extra_node_dir "$n")/cni/ipam"
  return 0
}

# delete_extra_node_objects [KEEP]: Node objects of nodes above KEEP (all extra ones by default);
# etcd keeps them across `down`, and a NotReady node would hold pods and endpoints.
delete_extra_node_objects() {
  local keep="${1:-1}" n
  process_running kube-apiserver || return 0
  for n in $(KUBECTL get nodes -o name 2>/dev/null | sed -n "s|^node/$NODE_NAME-\([0-9]*\)$|\1|p"); do
    if [ "$n" -gt "$keep" ]; then KUBECTL delete node "$(extra_node_name "$n")" --wait=false >/dev/null 2>&1 || true; fi
  done
  return 0
}

nodes_down() {
  local n
  for n in $(known_extra_nodes); do node_down "$n"; done
  delete_extra_node_objects
  stop_process registry-forward
}

nodes_network_down() {
  ip link delete "$NODES_BRIDGE" >/dev/null 2>&1 || true
  rm -rf "$NODES_NETNS_DIR"
  return 0
}

nodes_status() {
  local n name
  for n in $(seq 2 "$(node_count_saved)"); do
    for name in "node$n-containerd" "node$n-kubelet" "node$n-kube-proxy"; do
      if process_running "$name"; then printf '  %-24s running (pid %s)\n' "$name" "$(cut -d' ' -f1 "$STATE/pids/$name.pid")"
      else printf '  %-24s stopped\n' "$name"; fi
    done
  done
  if process_running registry-forward; then
    printf '  %-24s running (pid %s)\n' registry-forward "$(cut -d' ' -f1 "$STATE/pids/registry-forward.pid")"
  fi
}
