{{/*
Edge security of the gateway (values `edge`): its env, and the read-only Secret volumes its TLS
certificate, the API keys and a static JWT key are read from. Only the gateway component gets any of it.
*/}}

{{- define "gs.edgeApiKeysPath" -}}/etc/gateway-stack/api-keys/{{ .Values.edge.auth.apiKeys.key }}{{- end -}}
{{- define "gs.edgeJwtKeyPath" -}}/etc/gateway-stack/jwt-key/{{ .Values.edge.auth.jwt.publicKeyKey }}{{- end -}}

{{/*
The edge variables of the gateway and of the gRPC upstream (YAML map); empty for others. Timings
and limits left null are not rendered, so the app's own default applies (test/k8s/app-defaults.spec.ts
holds the documented defaults to the apps' env schemas).
*/}}
{{- define "gs.edgeEnv" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
{{- $edge := .root.Values.edge -}}
{{- /* Per-route auth (edge.auth.routes) is in the route file (gs.routeFile), not AUTH_ROUTES. */}}
AUTH_DEFAULT: {{ $edge.auth.default | quote }}
{{- with $edge.auth.apiKeys.existingSecret }}
AUTH_API_KEYS_FILE: {{ include "gs.edgeApiKeysPath" $.root | quote }}
{{- end }}
{{- with $edge.auth.jwt.publicKeySecret }}
AUTH_JWT_PUBLIC_KEY_FILE: {{ include "gs.edgeJwtKeyPath" $.root | quote }}
{{- end }}
AUTH_JWT_JWKS_URL: {{ $edge.auth.jwt.jwksUrl | quote }}
AUTH_JWT_ISSUER: {{ $edge.auth.jwt.issuer | quote }}
AUTH_JWT_AUDIENCE: {{ $edge.auth.jwt.audience | quote }}
{{- if $edge.tls.existingSecret }}
TLS_CERT_FILE: "/etc/gateway-stack/tls/tls.crt"
TLS_KEY_FILE: "/etc/gateway-stack/tls/tls.key"
{{- include "gs.optionalEnv" (dict "TLS_RELOAD_MS" $edge.tls.reloadMs) }}
{{- end }}
CORS_ALLOWED_ORIGINS: {{ join "," $edge.cors.allowedOrigins | quote }}
{{- include "gs.optionalEnv" (dict
  "AUTH_JWT_CLOCK_SKEW_S" $edge.auth.jwt.clockSkewSeconds
  "AUTH_JWT_JWKS_COOLDOWN_MS" $edge.auth.jwt.jwksCooldownMs
  "AUTH_API_KEYS_RELOAD_MS" $edge.auth.apiKeys.reloadMs
  "HTTP_HEADERS_TIMEOUT_MS" $edge.http.headersTimeoutMs
  "HTTP_REQUEST_TIMEOUT_MS" $edge.http.requestTimeoutMs
  "HTTP_TIMEOUT_CHECK_INTERVAL_MS" $edge.http.timeoutCheckIntervalMs
  "HTTP_KEEP_ALIVE_TIMEOUT_MS" $edge.http.keepAliveTimeoutMs
  "HTTP_MAX_REQUESTS_PER_SOCKET" $edge.http.maxRequestsPerSocket
  "HTTP_BODY_LIMIT_BYTES" $edge.http.bodyLimitBytes
  "CORS_ALLOWED_METHODS" $edge.cors.allowedMethods
  "CORS_ALLOWED_HEADERS" $edge.cors.allowedHeaders
  "CORS_MAX_AGE_S" $edge.cors.maxAgeSeconds
) }}
{{- else if eq .name .root.Values.upstreams.rpc -}}
{{- $grpc := .root.Values.edge.grpc }}
{{- include "gs.optionalEnv" (dict
  "GRPC_MAX_RECEIVE_MESSAGE_BYTES" $grpc.maxReceiveMessageBytes
  "GRPC_MAX_CONCURRENT_STREAMS" $grpc.maxConcurrentStreams
  "GRPC_KEEPALIVE_TIME_MS" $grpc.keepaliveTimeMs
  "GRPC_KEEPALIVE_TIMEOUT_MS" $grpc.keepaliveTimeoutMs
) }}
{{- end -}}
{{- end -}}

{{/* `NAME: "value"` lines of a map of env names to values, for the values that are set (not null); lists comma-joined. */}}
{{- define "gs.optionalEnv" -}}
{{- range $name, $value := . }}
{{- if kindIs "slice" $value }}
{{ $name }}: {{ join "," $value | quote }}
{{- else if not (kindIs "invalid" $value) }}
{{ $name }}: {{ include "gs.envValue" $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
What the gateway would refuse at start-up (checkEdgeConfig in the gateway's env schema), refused
at install time instead: the same cross-variable rules, applied to the env the gateway gets - the
chart-computed variables with `env` on top, and `extraEnv` last (a valueFrom counts as set) - so
that an override through env or extraEnv is judged as the gateway will judge it.
test/k8s/edge-rules.spec.ts feeds the same cases to this and to the gateway's schema.
Args: env (the ConfigMap data, a map), extraEnv (EnvVar list), routes (the route file's routes:
a route without `auth` takes AUTH_DEFAULT, as the gateway resolves it).
*/}}
{{- define "gs.edgeCheck" -}}
{{- $set := dict -}}
{{- range $name, $value := .env }}
{{- if ne (toString $value) "" }}{{ $_ := set $set $name (toString $value) }}{{ end }}
{{- end }}
{{- range .extraEnv }}
{{- if .valueFrom }}{{ $_ := set $set .name "(valueFrom)" }}
{{- else if ne (toString (default "" .value)) "" }}{{ $_ := set $set .name (toString .value) }}
{{- else }}{{ $_ := unset $set .name }}
{{- end }}
{{- end }}
{{- $schemes := list (default "none" (get $set "AUTH_DEFAULT")) -}}
{{- range $route := .routes }}
{{- with $route.auth }}{{ $schemes = append $schemes (toString .scheme) }}{{ end }}
{{- end }}
{{- if and (has "api-key" $schemes) (not (or (hasKey $set "AUTH_API_KEYS_FILE") (hasKey $set "AUTH_API_KEYS"))) }}
{{- fail "edge.auth: api-key authentication needs edge.auth.apiKeys.existingSecret (a Secret with one key per line; AUTH_API_KEYS_FILE), or AUTH_API_KEYS from a Secret in components.gateway.extraEnv" }}
{{- end }}
{{- if has "jwt" $schemes }}
{{- if eq (hasKey $set "AUTH_JWT_JWKS_URL") (hasKey $set "AUTH_JWT_PUBLIC_KEY_FILE") }}
{{- fail "edge.auth: jwt authentication needs exactly one of edge.auth.jwt.jwksUrl and edge.auth.jwt.publicKeySecret (AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY_FILE)" }}
{{- end }}
{{- if not (and (hasKey $set "AUTH_JWT_ISSUER") (hasKey $set "AUTH_JWT_AUDIENCE")) }}
{{- fail "edge.auth: jwt authentication needs edge.auth.jwt.issuer and edge.auth.jwt.audience (AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE)" }}
{{- end }}
{{- end }}
{{- if ne (hasKey $set "TLS_CERT_FILE") (hasKey $set "TLS_KEY_FILE") }}
{{- fail "components.gateway: TLS needs both TLS_CERT_FILE and TLS_KEY_FILE; set edge.tls.existingSecret instead" }}
{{- end }}
{{- end -}}

{{/* Secret volumes of the gateway (list items); empty for other components and without Secrets. */}}
{{- define "gs.edgeVolumes" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
{{- $auth := .root.Values.edge.auth -}}
{{- with .root.Values.edge.tls.existingSecret }}
- name: tls
  secret:
    secretName: {{ . }}
    items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
{{- end }}
{{- with $auth.apiKeys.existingSecret }}
- name: api-keys
  secret:
    secretName: {{ . }}
    items: [{ key: {{ $auth.apiKeys.key | quote }}, path: {{ $auth.apiKeys.key | quote }} }]
{{- end }}
{{- with $auth.jwt.publicKeySecret }}
- name: jwt-key
  secret:
    secretName: {{ . }}
    items: [{ key: {{ $auth.jwt.publicKeyKey | quote }}, path: {{ $auth.jwt.publicKeyKey | quote }} }]
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Their mounts: directories, not subPath files - Kubernetes updates a Secret volume by swapping a
symlink in the directory, which a subPath mount would never see (the keys must rotate live).
*/}}
{{- define "gs.edgeVolumeMounts" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
{{- $auth := .root.Values.edge.auth -}}
{{- if .root.Values.edge.tls.existingSecret }}
- name: tls
  mountPath: /etc/gateway-stack/tls
  readOnly: true
{{- end }}
{{- if $auth.apiKeys.existingSecret }}
- name: api-keys
  mountPath: /etc/gateway-stack/api-keys
  readOnly: true
{{- end }}
{{- if $auth.jwt.publicKeySecret }}
- name: jwt-key
  mountPath: /etc/gateway-stack/jwt-key
  readOnly: true
{{- end }}
{{- end -}}
{{- end -}}

{{/* True (non-empty) when no gateway route needs credentials (the route file's, AUTH_DEFAULT for those without their own). */}}
{{- define "gs.edgeUnauthenticated" -}}
{{- $protected := ne .Values.edge.auth.default "none" -}}
{{- range $route := include "gs.gatewayRoutes" . | fromJsonArray }}
{{- with $route.auth }}{{ if ne (toString .scheme) "none" }}{{ $protected = true }}{{ end }}{{ end }}
{{- end -}}
{{- if not $protected }}true{{ end -}}
{{- end -}}

{{/*
The credentials the helm test pod lacks for the routes it calls (/projects, /verify: the route
file's `projects` and `verify`), as words for NOTES.txt; empty when it has what they need. Judged
from the values (edge.auth, tests.auth) and the route file.
*/}}
{{- define "gs.smokeTestMissing" -}}
{{- $auth := .Values.edge.auth -}}
{{- $missing := list -}}
{{- range $route := include "gs.gatewayRoutes" . | fromJsonArray }}
{{- if has $route.name (list "projects" "verify") }}
{{- $scheme := $auth.default -}}
{{- with $route.auth }}{{ $scheme = toString .scheme }}{{ end }}
{{- if and (eq $scheme "api-key") (not (or $.Values.tests.auth.apiKeySecret $auth.apiKeys.existingSecret)) }}
{{- $missing = append $missing "API key (set tests.auth.apiKeySecret)" }}
{{- else if and (eq $scheme "jwt") (not $.Values.tests.auth.jwtSecret) }}
{{- $missing = append $missing "JWT (set tests.auth.jwtSecret)" }}
{{- end }}
{{- end }}
{{- end }}
{{- $missing | uniq | join " and no " -}}
{{- end -}}
