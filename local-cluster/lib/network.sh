# The cluster's network (sourced by cluster.sh). Every pod and Service address lives on the bridges
# and namespaces `up` creates (gws0 for node 1; with --nodes N also gws1 and a namespace per further
# node, lib/nodes.sh); nothing of the cluster may reach any other network:
#   - FORWARD: no packet from the bridge leaves it, none from elsewhere enters it (pods have no
#     route out, and no outside host can reach a pod);
#   - POSTROUTING: no packet of the host to a pod, node or Service address leaves by any interface but
#     loopback and the bridges - the host reaches Services and pods on the bridges, never elsewhere;
#   - CoreDNS has no `forward`: no name outside cluster.local is ever asked of another resolver.
# Tests reach the gateway through its NodePort on 127.0.0.1 (kube-proxy localhost NodePorts), and
# Services and pods at their cluster addresses through the bridges.

ISOLATION_CHAIN="GWS-ISOLATION"
EGRESS_CHAIN="GWS-EGRESS"
# Kernel settings the cluster's parts change (the bridge plugin, kube-proxy, the kubelet):
# saved before the first change, restored by `down`.
SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables
  vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes)

# The ranges the cluster routes: pods of every node, Services, and with more than one node the
# nodes' own network.
cluster_ranges() {
  local count n; count="$(node_count_saved)"
  echo "$POD_CIDR"
  echo "$SERVICE_CIDR"
  if [ "$count" -gt 1 ]; then
    echo "$NODES_NET"
    for n in $(seq 2 "$count"); do node_pod_cidr "$n"; done
  fi
}

network_check_ranges() {
  # Our ranges must not shadow any route or resolver this machine already uses.
  local cidr
  for cidr in $(cluster_ranges); do
    if ip -4 route show | grep -v -e "dev $BRIDGE" -e "dev $NODES_BRIDGE" | grep -v '^default' | awk '{print $1}' | grep -qx "$cidr"; then
      die "$cidr is already routed on this machine; set CLUSTER_POD_CIDR / CLUSTER_SERVICE_CIDR / CLUSTER_NODE_CIDR to free ranges"
    fi
  done
  local ns
  for ns in $(awk '/^nameserver/ {print $2}' /etc/resolv.conf); do
    for cidr in $(cluster_ranges); do
      case "$ns" in "${cidr%.*}".*) die "resolver $ns is inside the cluster's range $cidr" ;; esac
    done
  done
}

network_save_sysctls() {
  [ -f "$STATE/sysctl.saved" ] && return
  local key
  for key in "${SYSCTLS[@]}"; do
    [ -e "/proc/sys/${key//.//}" ] && echo "$key=$(cat "/proc/sys/${key//.//}")"
  done >"$STATE/sysctl.saved"
}

network_restore_sysctls() {
  [ -f "$STATE/sysctl.saved" ] || return 0
  local line
  while IFS= read -r line; do sysctl -qw "$line" >/dev/null 2>&1 || log "could not restore $line"; done <"$STATE/sysctl.saved"
  rm -f "$STATE/sysctl.saved"
}

network_up() {
  network_check_ranges
  network_save_sysctls
  # Network namespaces that exist before the cluster are not ours: `down` removes only new cni-* ones.
  [ -f "$STATE/netns.before" ] || ip netns list | awk '{print $1}' >"$STATE/netns.before"
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Pods on the bridge see each other's traffic through iptables (Service translation between pods).
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || modprobe br_netfilter 2>/dev/null || true
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || die "br_netfilter is not available (modprobe br_netfilter)"
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
  # With more than one node, the nodes' bridge: forwarding between the two bridges is the cluster's
  # own traffic (pods of node 1 <-> nodes 2..N); anything else that would enter or leave either is not.
  local bridges=("$BRIDGE") from out cidr
  if [ "$(node_count_saved)" -gt 1 ]; then nodes_bridge_up; bridges+=("$NODES_BRIDGE"); fi
  iptables -N "$ISOLATION_CHAIN" 2>/dev/null || iptables -F "$ISOLATION_CHAIN"
  for from in "${bridges[@]}"; do
    for out in "${bridges[@]}"; do iptables -A "$ISOLATION_CHAIN" -i "$from" -o "$out" -j RETURN; done
  done
  for from in "${bridges[@]}"; do
    iptables -A "$ISOLATION_CHAIN" -i "$from" -j DROP
    iptables -A "$ISOLATION_CHAIN" -o "$from" -j DROP
  done
  iptables -C FORWARD -j "$ISOLATION_CHAIN" 2>/dev/null || iptables -I FORWARD 1 -j "$ISOLATION_CHAIN"
  # The Service range goes to the bridge, as nodes 2..N route it to the host (lib/nodes.sh): the
  # host's connection to a ClusterIP starts on the bridge with the node's address, whatever the
  # machine's default route; an address kube-proxy does not translate stays there unanswered.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
  egress_chain_up "${bridges[@]}"
  write_cni_config
}

# egress_chain_up BRIDGE...: the host's own packets to a cluster address leave by a bridge (or
# loopback: the node's own address), never by another interface. Checked in POSTROUTING, not
# OUTPUT: OUTPUT's -o is the interface routing chose before kube-proxy's DNAT (nat OUTPUT) turned
# a ClusterIP into a pod's address, after which the kernel routes the packet again (to a bridge);
# POSTROUTING's -o is the interface it really leaves by. mangle, as filter has no POSTROUTING.
# The conntrack rules catch a Service address translated to one outside the ranges (an
# EndpointSlice may name any address): it must not leave either.
egress_chain_up() {
  local out cidr
  egress_chain_down filter OUTPUT   # where a cluster brought up by an older checkout had it
  iptables -t mangle -N "$EGRESS_CHAIN" 2>/dev/null || iptables -t mangle -F "$EGRESS_CHAIN"
  iptables -t mangle -A "$EGRESS_CHAIN" -o lo -j RETURN
  for out in "$@"; do iptables -t mangle -A "$EGRESS_CHAIN" -o "$out" -j RETURN; done
  for cidr in $(cluster_ranges); do
    iptables -t mangle -A "$EGRESS_CHAIN" -d "$cidr" -j DROP
    iptables -t mangle -A "$EGRESS_CHAIN" -m conntrack --ctorigdst "$cidr" -j DROP
  done
  iptables -t mangle -C POSTROUTING -j "$EGRESS_CHAIN" 2>/dev/null || iptables -t mangle -I POSTROUTING 1 -j "$EGRESS_CHAIN"
}

# egress_chain_down TABLE HOOK
egress_chain_down() {
  while iptables -t "$1" -C "$2" -j "$EGRESS_CHAIN" 2>/dev/null; do iptables -t "$1" -D "$2" -j "$EGRESS_CHAIN"; done
  iptables -t "$1" -F "$EGRESS_CHAIN" 2>/dev/null && iptables -t "$1" -X "$EGRESS_CHAIN"
  return 0
}

# write_cni_config [CONF_DIR IPAM_DIR BRIDGE SUBNET GATEWAY]: one node's CNI configuration (node 1
# without arguments; nodes 2..N in lib/nodes.sh, each with the bridge inside its own namespace).
write_cni_config() {
  local conf="${1:-$STATE/cni/net.d}" ipam="${2:-$STATE/cni/ipam}" bridge="${3:-$BRIDGE}"
  local subnet="${4:-$POD_CIDR}" gateway="${5:-$NODE_IP}"
  mkdir -p "$conf" "$ipam"
  cat >"$conf/10-$CLUSTER_NAME.conflist" <<CNI
{
  "cniVersion": "0.4.0",
  "name": "$CLUSTER_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$ipam",
        "ranges": [[{ "subnet": "$subnet", "gateway": "$gateway" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CNI
}

network_down() {
  local ns
  if [ -f "$STATE/netns.before" ]; then
    for ns in $(ip netns list | awk '{print $1}' | grep '^cni-' || true); do
      grep -qx "$ns" "$STATE/netns.before" || ip netns delete "$ns" 2>/dev/null || true
    done
    rm -f "$STATE/netns.before"
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  nodes_network_down
  egress_chain_down mangle POSTROUTING
  egress_chain_down filter OUTPUT
  while iptables -C FORWARD -j "$ISOLATION_CHAIN" 2>/dev/null; do iptables -D FORWARD -j "$ISOLATION_CHAIN"; done
  iptables -F "$ISOLATION_CHAIN" 2>/dev/null && iptables -X "$ISOLATION_CHAIN"
  # The kubelet's own chains: it makes them at start and leaves them when stopped.
  local table chain
  for table in filter nat mangle raw; do
    for chain in INPUT OUTPUT; do
      while iptables -t "$table" -C "$chain" -j KUBE-FIREWALL 2>/dev/null; do iptables -t "$table" -D "$chain" -j KUBE-FIREWALL; done
    done
    for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
      iptables -t "$table" -F "$chain" 2>/dev/null && iptables -t "$table" -X "$chain"
    done
  done
  rm -rf "$STATE/cni/ipam"
  cgroups_down
  network_restore_sysctls
}
