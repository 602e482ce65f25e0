# One image per app from one Dockerfile:  docker build --build-arg APP=gateway -t gateway-stack/gateway .
# (APP: gateway | webapp-1 | rpc-app-1, the projects of nest-cli.json.) The build stage does not use
# APP, so building the three images builds the apps once and the layer cache serves the other two.
# Its steps live in scripts/image-build.sh, which test/k8s/image.spec.ts runs without Docker.
#
# BuildKit builds only the stages the target needs (the classic builder would build `dev` too). There
# is no `# syntax=` line on purpose: the Dockerfile frontend built into the engine is used, so a build
# never pulls a frontend image (air-gapped builders, and this project's CI, have no Docker Hub).
# An npm registry behind a TLS-inspecting proxy needs its CA: give it as a build secret, never as an
# ARG or a file in the context, so it is in no layer:  docker build --secret id=npm_ca,src=<ca.pem> ...
# (local-cluster/lib/images.sh passes NODE_EXTRA_CA_CERTS that way when it is set).

# Pinned Node 24 on Debian 12 slim (has sh and coreutils `sleep`, used by the chart's preStop exec fallback).
FROM node:24.21.0-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# --- build: install with the lockfile, bundle every app, prune to production dependencies --------
FROM base AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/image-build.sh scripts/
RUN --mount=type=secret,id=npm_ca scripts/image-build.sh deps
COPY . .
RUN scripts/image-build.sh build
RUN scripts/image-build.sh prune
RUN scripts/image-build.sh stage image

# --- dev: the skaffold inner loop. Sources are synced into /src and `nest start --watch` rebuilds
# and restarts the app in place (seconds), instead of a new image per change. Never shipped.
FROM base AS dev
WORKDIR /src
RUN chown 10001:10001 /src
USER 10001:10001
ENV NPM_CONFIG_CACHE=/tmp/.npm
COPY --chown=10001:10001 package.json package-lock.json ./
COPY --chown=10001:10001 scripts/image-build.sh scripts/
RUN --mount=type=secret,id=npm_ca,uid=10001 scripts/image-build.sh deps
COPY --chown=10001:10001 . .
ARG APP
ENV APP=${APP}
# --no-shell: nest starts the rebuilt app once the old process has exited. Through a shell it starts
# it as soon as the shell dies, while the old app still drains and holds the port (EADDRINUSE).
CMD ["sh", "-c", "exec node_modules/.bin/nest start \"$APP\" --watch --preserveWatchOutput --no-shell"]

# --- node-runtime: the base without the package managers (npm, npx, corepack, yarn) and headers.
# Deleted in the runtime stage itself they would only be hidden behind a whiteout and still shipped;
# the runtime copies this stage's whole tree into one layer, so they are really gone (and that layer
# is the same for the three apps).
FROM base AS node-runtime
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/include /usr/local/share/doc \
      /usr/local/share/man /usr/local/share/systemtap /usr/local/CHANGELOG.md /usr/local/README.md

# --- runtime: node, production node_modules, proto/ and one app's bundle; nothing else ---------
FROM scratch AS runtime
COPY --from=node-runtime / /
# What `FROM scratch` does not inherit from the base image's config.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ARG APP
RUN test -n "$APP" || { echo "build with --build-arg APP=<gateway|webapp-1|rpc-app-1>" >&2; exit 1; }
ENV NODE_ENV=production
LABEL org.opencontainers.image.title="gateway-stack/${APP}" \
      org.opencontainers.image.source="https://github.com/k8s-api-gateway-stack/k8s-api-gateway-stack" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /src/image/${APP}/ /app/
# Non-root, the UID/GID the Helm chart runs every container as (podSecurity.runAsUser).
USER 10001:10001
# = node /app/dist/apps/<APP>/main.js; the app finds /app/proto and /app/node_modules by walking up.
WORKDIR /app/dist/apps/${APP}
EXPOSE 8000 5000 6000 9000
CMD ["node", "main.js"]
