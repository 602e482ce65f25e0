#!/usr/bin/env bash
# The build steps of the container image, one subcommand per Dockerfile RUN of its build stage.
# test/k8s/image.spec.ts runs the same Dockerfile lines on a copy of the build context without
# Docker, then starts every app from what `stage` produced: the two cannot drift apart.
#   deps        install exactly the lockfile (dev dependencies included: the build needs them)
#   build       webpack bundles of every app: dist/apps/<app>/main.js (node_modules stay external)
#   prune       drop devDependencies from node_modules
#   stage DIR   DIR/<app>/ = what the runtime image of <app> gets: package.json, node_modules, proto, dist/apps/<app>
set -euo pipefail
cd "$(dirname "$0")/.."

apps() { node -p 'Object.keys(require("./nest-cli.json").projects).join("\n")'; }

case "${1:-}" in
  deps)
    # The registry's CA when the build passes one (Dockerfile: --secret id=npm_ca); never in a layer.
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi
    # No lifecycle scripts: the root's preinstall (scripts/check-node.cjs, the Node version check
    # for newcomers) is not in the context yet at this step, and the image's Node is the pinned one.
    # npm runs no dependency's install script without approval either way.
    npm ci --no-audit --no-fund --ignore-scripts
    ;;
  build)
    node scripts/build.ts
    ;;
  prune)
    npm prune --omit=dev --no-audit --no-fund
    ;;
  stage)
    out="${2:?usage: image-build.sh stage <dir>}"
    rm -rf "$out"
    for app in $(apps); do
      test -f "dist/apps/$app/main.js" || { echo "dist/apps/$app/main.js missing: run build first" >&2; exit 1; }
      mkdir -p "$out/$app/dist/apps"
      cp -a package.json package-lock.json proto "$out/$app/"
      # Hard links: the three trees share one copy of node_modules on disk until COPY --from copies one.
      cp -al node_modules "$out/$app/node_modules"
      cp -a "dist/apps/$app" "$out/$app/dist/apps/$app"
    done
    ;;
  *)
    echo "usage: $0 deps | build | prune | stage <dir>" >&2
    exit 2
    ;;
esac
