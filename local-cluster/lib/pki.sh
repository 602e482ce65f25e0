# The cluster's certificates (sourced by cluster.sh): one CA for every client and server certificate,
# one front-proxy CA for the aggregation layer (metrics APIs), one service-account key pair.
# openssl only; everything lives in $PKI and is made once.

pki_key() { [ -f "$PKI/$1.key" ] || openssl genrsa -out "$PKI/$1.key" 2048 2>/dev/null; }

# pki_cert NAME CA SUBJECT [SAN]: a certificate for NAME signed by CA (client and server usage).
pki_cert() {
  local name="$1" ca="$2" subject="$3" san="${4:-}"
  [ -f "$PKI/$name.crt" ] && return
  pki_key "$name"
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

pki_ca() {
  [ -f "$PKI/$1.crt" ] && return
  pki_key "$1"
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -out "$PKI/$1.crt" 2>/dev/null
}

# kubeconfig_for NAME SERVER: a kubeconfig that authenticates with NAME's client certificate.
kubeconfig_for() {
  local name="$1" server="$2" file="$CLUSTER_DIR/kubeconfigs/$1.kubeconfig"
  mkdir -p "$CLUSTER_DIR/kubeconfigs"
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $CLUSTER_NAME
    cluster:
      server: $server
      certificate-authority: $PKI/ca.crt
users:
  - name: $name
    user:
      client-certificate: $PKI/$name.crt
      client-key: $PKI/$name.key
contexts:
  - name: $CLUSTER_NAME
    context: { cluster: $CLUSTER_NAME, user: $name }
current-context: $CLUSTER_NAME
KUBECONFIG
  echo "$file"
}

pki_up() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  pki_ca ca "$CLUSTER_NAME-ca"
  pki_ca front-proxy-ca "$CLUSTER_NAME-front-proxy-ca"
  local apiserver_san="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  apiserver_san+=",DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP"
  pki_cert apiserver ca "/CN=kube-apiserver" "$apiserver_san"
  pki_cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client"
  pki_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client"
  pki_cert admin ca "/O=system:masters/CN=$CLUSTER_NAME-admin"
  pki_cert controller-manager ca "/CN=system:kube-controller-manager"
  pki_cert scheduler ca "/CN=system:kube-scheduler"
  pki_cert kube-proxy ca "/CN=system:kube-proxy"
  pki_cert kubelet ca "/O=system:nodes/CN=system:node:$NODE_NAME"
  pki_cert kubelet-serving ca "/CN=$NODE_NAME" "DNS:$NODE_NAME,IP:$NODE_IP,IP:127.0.0.1"
  pki_cert coredns ca "/CN=$CLUSTER_NAME-coredns"
  [ -f "$PKI/service-account.key" ] || {
    openssl genrsa -out "$PKI/service-account.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/service-account.key" -pubout -out "$PKI/service-account.pub" 2>/dev/null
  }
}
