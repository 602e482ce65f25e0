{{/*
Edge security of the gateway (values `edge`): its env, and the read-only Secret volumes its TLS
certificate, the API keys and a static JWT key are read from. Only the gateway component gets any of it.
*/}}

{{- define "gs.edgeApiKeysPath" -}}/etc/gateway-stack/api-keys/{{ .Values.edge.auth.apiKeys.key }}{{- end -}}
{{- define "gs.edgeJwtKeyPath" -}}/etc/gateway-stack/jwt-key/{{ .Values.edge.auth.jwt.publicKeyKey }}{{- end -}}

{{/* The edge variables of the gateway and of the gRPC upstream (YAML map); empty for others. */}}
{{- define "gs.edgeEnv" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
{{- $edge := .root.Values.edge -}}
{{- $routes := list -}}
{{- $schemes := list $edge.auth.default -}}
{{- range $route := keys $edge.auth.routes | sortAlpha }}
{{- $policy := get $edge.auth.routes $route }}
{{- $routes = append $routes (printf "%s=%s" $route $policy) }}
{{- $schemes = append $schemes (regexReplaceAll ":.*" $policy "") }}
{{- end }}
{{- /* What the gateway would refuse at start-up, refused at install time instead. */}}
{{- if and (has "api-key" $schemes) (not $edge.auth.apiKeys.existingSecret) }}
{{- fail "edge.auth: api-key authentication needs edge.auth.apiKeys.existingSecret (a Secret with one key per line)" }}
{{- end }}
{{- if has "jwt" $schemes }}
{{- if eq (empty $edge.auth.jwt.jwksUrl) (empty $edge.auth.jwt.publicKeySecret) }}
{{- fail "edge.auth: jwt authentication needs exactly one of edge.auth.jwt.jwksUrl and edge.auth.jwt.publicKeySecret" }}
{{- end }}
{{- if or (not $edge.auth.jwt.issuer) (not $edge.auth.jwt.audience) }}
{{- fail "edge.auth: jwt authentication needs edge.auth.jwt.issuer and edge.auth.jwt.audience" }}
{{- end }}
{{- end }}
AUTH_DEFAULT: {{ $edge.auth.default | quote }}
AUTH_ROUTES: {{ join "," $routes | quote }}
{{- with $edge.auth.apiKeys.existingSecret }}
AUTH_API_KEYS_FILE: {{ include "gs.edgeApiKeysPath" $.root | quote }}
{{- end }}
{{- with $edge.auth.jwt.publicKeySecret }}
AUTH_JWT_PUBLIC_KEY_FILE: {{ include "gs.edgeJwtKeyPath" $.root | quote }}
{{- end }}
AUTH_JWT_JWKS_URL: {{ $edge.auth.jwt.jwksUrl | quote }}
AUTH_JWT_ISSUER: {{ $edge.auth.jwt.issuer | quote }}
AUTH_JWT_AUDIENCE: {{ $edge.auth.jwt.audience | quote }}
AUTH_JWT_CLOCK_SKEW_S: {{ include "gs.int" $edge.auth.jwt.clockSkewSeconds | quote }}
AUTH_JWT_JWKS_COOLDOWN_MS: {{ include "gs.int" $edge.auth.jwt.jwksCooldownMs | quote }}
AUTH_API_KEYS_RELOAD_MS: {{ include "gs.int" $edge.auth.apiKeys.reloadMs | quote }}
{{- if $edge.tls.existingSecret }}
TLS_CERT_FILE: "/etc/gateway-stack/tls/tls.crt"
TLS_KEY_FILE: "/etc/gateway-stack/tls/tls.key"
TLS_RELOAD_MS: {{ include "gs.int" $edge.tls.reloadMs | quote }}
{{- end }}
HTTP_HEADERS_TIMEOUT_MS: {{ include "gs.int" $edge.http.headersTimeoutMs | quote }}
HTTP_REQUEST_TIMEOUT_MS: {{ include "gs.int" $edge.http.requestTimeoutMs | quote }}
HTTP_TIMEOUT_CHECK_INTERVAL_MS: {{ include "gs.int" $edge.http.timeoutCheckIntervalMs | quote }}
HTTP_KEEP_ALIVE_TIMEOUT_MS: {{ include "gs.int" $edge.http.keepAliveTimeoutMs | quote }}
HTTP_MAX_REQUESTS_PER_SOCKET: {{ include "gs.int" $edge.http.maxRequestsPerSocket | quote }}
HTTP_BODY_LIMIT_BYTES: {{ include "gs.int" $edge.http.bodyLimitBytes | quote }}
CORS_ALLOWED_ORIGINS: {{ join "," $edge.cors.allowedOrigins | quote }}
CORS_ALLOWED_METHODS: {{ join "," $edge.cors.allowedMethods | quote }}
CORS_ALLOWED_HEADERS: {{ join "," $edge.cors.allowedHeaders | quote }}
CORS_MAX_AGE_S: {{ include "gs.int" $edge.cors.maxAgeSeconds | quote }}
{{- else if eq .name .root.Values.upstreams.rpc -}}
{{- $grpc := .root.Values.edge.grpc }}
GRPC_MAX_RECEIVE_MESSAGE_BYTES: {{ include "gs.int" $grpc.maxReceiveMessageBytes | quote }}
GRPC_MAX_CONCURRENT_STREAMS: {{ include "gs.int" $grpc.maxConcurrentStreams | quote }}
GRPC_KEEPALIVE_TIME_MS: {{ include "gs.int" $grpc.keepaliveTimeMs | quote }}
GRPC_KEEPALIVE_TIMEOUT_MS: {{ include "gs.int" $grpc.keepaliveTimeoutMs | quote }}
{{- end -}}
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

{{/* True (non-empty) when no gateway route needs credentials. */}}
{{- define "gs.edgeUnauthenticated" -}}
{{- $auth := .Values.edge.auth -}}
{{- $protected := ne $auth.default "none" -}}
{{- range $route, $scheme := $auth.routes }}{{ if ne $scheme "none" }}{{ $protected = true }}{{ end }}{{ end -}}
{{- if not $protected }}true{{ end -}}
{{- end -}}
