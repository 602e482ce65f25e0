# The control plane and the node, as host processes (sourced by cluster.sh), in the order they
# depend on each other: etcd, kube-apiserver, controller-manager and scheduler, containerd, kubelet,
# kube-proxy, CoreDNS. Flags follow a kubeadm single-node setup, adapted to this kind of machine:
# cgroup v1 with the cgroupfs driver, no CAP_SYS_RESOURCE (containerd must not raise oom_score_adj),
# no DNS name for the node (the apiserver reaches the kubelet by its InternalIP).

KUBECTL() { "$CLUSTER_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

start_etcd() {
  mkdir -p "$STATE/etcd"; chmod 700 "$STATE/etcd"
  start_process etcd etcd --name "$CLUSTER_NAME" --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$CLUSTER_NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "" --quota-backend-bytes 2147483648
  wait_for etcd 60 etcd_healthy
}
etcd_healthy() { curl -fsS "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }

start_apiserver() {
  start_process kube-apiserver "$CLUSTER_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --service-account-key-file "$PKI/service-account.pub" --service-account-signing-key-file "$PKI/service-account.key" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-extra-headers-prefix X-Remote-Extra- --requestheader-group-headers X-Remote-Group \
    --requestheader-username-headers X-Remote-User \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --profiling=false --v=1
  wait_for kube-apiserver 120 KUBECTL get --raw /readyz
}

start_controllers() {
  start_process kube-controller-manager "$CLUSTER_BIN/kube-controller-manager" \
    --kubeconfig "$(kubeconfig_for controller-manager "$APISERVER_URL")" \
    --authentication-kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/kubeconfigs/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/service-account.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --allocate-node-cidrs=false \
    --horizontal-pod-autoscaler-sync-period 5s --profiling=false --v=1
  start_process kube-scheduler "$CLUSTER_BIN/kube-scheduler" \
    --kubeconfig "$(kubeconfig_for scheduler "$APISERVER_URL")" \
    --authentication-kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/kubeconfigs/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1
}

# write_containerd_config DIR STATE_DIR SOCKET CNI_CONF_DIR [RUNC_ROOT] [REGISTRY_SERVER]: one node's
# containerd (node 1 with no arguments). Every node has its own root, state, socket, CNI configuration
# and runc root: nodes 2..N are other containerds on the same kernel (lib/nodes.sh).
write_containerd_config() {
  local dir="${1:-$STATE/containerd}" state="${2:-$RUN_DIR/containerd}" sock="${3:-$CONTAINERD_SOCK}"
  local cni_conf="${4:-$STATE/cni/net.d}" runc_root="${5:-}" registry_server="${6:-http://$REGISTRY_HOST}"
  local runc_line=""
  [ -z "$runc_root" ] || runc_line=$'\n        Root = "'"$runc_root"'"'
  mkdir -p "$dir" "$RUN_DIR"
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # This VM lacks CAP_SYS_RESOURCE: raising a container's oom_score_adj fails and so would every sandbox.
  restrict_oom_score_adj = true
  enable_unprivileged_ports = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroup v1 with the cgroupfs driver, as the kubelet is configured.
        SystemdCgroup = false$runc_line
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$cni_conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
TOML
  # Images pushed to the local registry on 127.0.0.1 are pulled from it over plain HTTP (nodes 2..N
  # through the host's forwarder on their bridge, lib/nodes.sh: their 127.0.0.1 is their own).
  mkdir -p "$dir/certs.d/$REGISTRY_HOST"
  cat >"$dir/certs.d/$REGISTRY_HOST/hosts.toml" <<TOML
server = "$registry_server"
[host."$registry_server"]
  capabilities = ["pull", "resolve"]
TOML
}

start_containerd() {
  write_containerd_config
  start_process containerd containerd --config "$STATE/containerd/config.toml"
  wait_for containerd 60 ctr_cmd version
}
ctr_cmd() { ctr --address "$CONTAINERD_SOCK" "$@"; }

# write_kubelet_config [DIR ADDRESS SOCKET CERT_NAME CGROUP_ROOT]: one node's kubelet configuration
# (node 1 with no arguments; nodes 2..N in lib/nodes.sh).
write_kubelet_config() {
  local dir="${1:-$STATE/kubelet}" address="${2:-$NODE_IP}" sock="${3:-$CONTAINERD_SOCK}"
  local cert="${4:-kubelet-serving}" cgroup_root="${5:-}"
  mkdir -p "$dir" "$dir/pod-logs"
  # Pods with dnsPolicy Default get this file: the cluster's CoreDNS, never the machine's resolver.
  echo "nameserver $NODE_IP" >"$dir/resolv.conf"
  cat >"$dir/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $address
port: 10250
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/$cert.crt
tlsPrivateKeyFile: $PKI/$cert.key
containerRuntimeEndpoint: unix://$sock
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
clusterDNS: [$NODE_IP]
resolvConf: $dir/resolv.conf
podLogsDir: $dir/pod-logs
serializeImagePulls: false
maxPods: 110
# Every node shares the host's one disk, so a percentage threshold taints all nodes at once the
# moment the disk dips below it (DiskPressure: no pod schedules again, every later spec fails) and
# evicting pods frees nothing worth having; a full disk fails writes loudly instead. The locally
# built images are never collected: nothing could pull them back. (docs/local-cluster.md)
evictionHard: { memory.available: 200Mi, nodefs.available: "0%", nodefs.inodesFree: "0%", imagefs.available: "0%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
  [ -z "$cgroup_root" ] || echo "cgroupRoot: $cgroup_root" >>"$dir/config.yaml"
}

start_kubelet() {
  write_kubelet_config
  start_process kubelet "$CLUSTER_BIN/kubelet" --config "$STATE/kubelet/config.yaml" \
    --kubeconfig "$(kubeconfig_for kubelet "$APISERVER_URL")" --root-dir "$STATE/kubelet/root" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
  wait_for "node $NODE_NAME" 120 node_ready
}
# node_ready [NAME]: the Node's Ready condition is True (node 1 without a name).
node_ready() { KUBECTL get node "${1:-$NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }

# write_kube_proxy_config FILE NODE_NAME POD_CIDR: one kube-proxy per node, since every node has its
# own network namespace and so its own iptables and conntrack (nodes 2..N in lib/nodes.sh).
write_kube_proxy_config() {
  cat >"$1" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $(kubeconfig_for kube-proxy "$APISERVER_URL") }
hostnameOverride: $2
clusterCIDR: $3
# NodePorts answer on loopback only (this needs route_localnet, which kube-proxy sets and down restores).
nodePortAddresses: ["$NODEPORT_HOST/32"]
iptables: { localhostNodePorts: true }
# Leave the machine's conntrack table size alone (no CAP_SYS_RESOURCE here).
conntrack: { maxPerCore: 0, min: 0 }
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
YAML
}

start_kube_proxy() {
  write_kube_proxy_config "$STATE/kube-proxy.yaml" "$NODE_NAME" "$POD_CIDR"
  start_process kube-proxy "$CLUSTER_BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v=1
}

start_coredns() {
  cat >"$STATE/Corefile" <<COREFILE
# The cluster's only resolver. No forward plugin: a name outside the cluster gets an error
# here instead of a query to another resolver.
.:53 {
    bind $NODE_IP
    errors
    health 127.0.0.1:$COREDNS_HEALTH_PORT
    ready 127.0.0.1:$COREDNS_READY_PORT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $(kubeconfig_for coredns "$APISERVER_URL")
        pods insecure
        ttl 5
    }
}
COREFILE
  KUBECTL apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: $CLUSTER_NAME:coredns }
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: $CLUSTER_NAME:coredns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: $CLUSTER_NAME:coredns }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: $CLUSTER_NAME-coredns }
YAML
  start_process coredns "$CLUSTER_BIN/coredns" -conf "$STATE/Corefile"
  wait_for coredns 60 curl -fsS "http://127.0.0.1:$COREDNS_READY_PORT/ready"
}
