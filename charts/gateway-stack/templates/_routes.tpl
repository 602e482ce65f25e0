{{/*
The gateway's route file (ROUTES_FILE; docs/route-file.md, docs/adr/0008-route-model.md): its two
own routes, rendered from the values that used to become WEBAPP_URL, RPC_TARGET, AUTH_ROUTES and
RATE_LIMIT_ROUTES, plus the user's `gateway.routes` and `gateway.upstreams`. It lives in a
ConfigMap mounted as a directory, and no checksum of it is on the pod template: the kubelet swaps
the directory's symlink on an update and the gateway reloads the file, so routes change without
restarting a pod. The `.proto` files of `gateway.protos` get a ConfigMap and directory of their own.
*/}}

{{- define "gs.routesDir" -}}/etc/gateway-stack/routes{{- end -}}
{{- define "gs.protosDir" -}}/etc/gateway-stack/protos{{- end -}}
{{/* rpc-app-1's contract inside the gateway image (the Dockerfile copies proto/ to /app/proto). */}}
{{- define "gs.seedProto" -}}{{ .Values.gateway.imageProtoDir }}/userverify.proto{{- end -}}

{{/* The variables the route file replaces: the gateway refuses them next to ROUTES_FILE. */}}
{{- define "gs.routeFileReplaces" -}}
{{- toJson (list "WEBAPP_URL" "RPC_TARGET" "AUTH_ROUTES" "RATE_LIMIT_ROUTES") -}}
{{- end -}}

{{- define "gs.routesConfigMapName" -}}{{ include "gs.componentName" . }}-routes{{- end -}}
{{- define "gs.protosConfigMapName" -}}{{ include "gs.componentName" . }}-protos{{- end -}}

{{/* A route template as the gateway's AUTH_ROUTES / RATE_LIMIT_ROUTES parsers key it: one trailing slash run dropped. */}}
{{- define "gs.routeKey" -}}
{{- if gt (len .) 1 }}{{ regexReplaceAll "/+$" . "" }}{{ else }}{{ . }}{{ end -}}
{{- end -}}

{{/*
Per-route auth of the gateway's own routes, as JSON {route: {scheme, scopes}}: from
`components.gateway.env.AUTH_ROUTES` when set (it overrode the chart's value before the route
file), else from `edge.auth.routes`. Entries are read as the gateway's AUTH_ROUTES parser reads
them (libs/auth/src/auth-routes.ts); a malformed one, a route listed twice or a route the gateway
does not serve is refused, as the gateway refused them at start-up.
*/}}
{{- define "gs.seedAuth" -}}
{{- $entries := list -}}
{{- $source := "edge.auth.routes" -}}
{{- if hasKey .c.env "AUTH_ROUTES" }}
{{- $source = "components.gateway.env.AUTH_ROUTES" -}}
{{- range $raw := splitList "," (toString .c.env.AUTH_ROUTES) }}
{{- if trim $raw }}{{ $entries = append $entries (trim $raw) }}{{ end }}
{{- end }}
{{- else }}
{{- range $route := keys .root.Values.edge.auth.routes | sortAlpha }}
{{- $entries = append $entries (printf "%s=%s" $route (get $.root.Values.edge.auth.routes $route)) }}
{{- end }}
{{- end }}
{{- $auth := dict -}}
{{- range $entry := $entries }}
{{- /* The values' map is held to its format by values.schema.json, its scopes by the route file's schema. */}}
{{- if and (hasKey $.c.env "AUTH_ROUTES") (not (regexMatch `^/[\w.~:@!$&'()*+;%/-]*?=(none|api-key|jwt)(:[\x21\x23-\x5b\x5d-\x7e]+)?$` $entry)) }}
{{- fail (printf "%s: expected <route>=<none|api-key|jwt>[:<scope>+<scope>...], e.g. /verify=jwt:users.verify (bad entry %q)" $source $entry) }}
{{- end }}
{{- $route := include "gs.routeKey" (regexReplaceAll "=.*$" $entry "") -}}
{{- $policy := regexReplaceAll "^[^=]*=" $entry "" -}}
{{- $scheme := regexReplaceAll ":.*$" $policy "" -}}
{{- $scopes := list -}}
{{- if contains ":" $policy }}
{{- if ne $scheme "jwt" }}{{ fail (printf "%s: scopes only with jwt (bad entry %q)" $source $entry) }}{{ end }}
{{- range $scope := splitList "+" (regexReplaceAll "^[^:]*:" $policy "") }}{{ if $scope }}{{ $scopes = append $scopes $scope }}{{ end }}{{ end }}
{{- end }}
{{- if hasKey $auth $route }}{{ fail (printf "%s: route %s is listed twice" $source $route) }}{{ end }}
{{- if not (has $route (list "/projects" "/verify")) }}
{{- fail (printf "%s: the gateway serves no route %s of its own (only /projects and /verify); give a route of gateway.routes its own auth" $source $route) }}
{{- end }}
{{- $_ := set $auth $route (dict "scheme" $scheme "scopes" $scopes) }}
{{- end }}
{{- toJson $auth -}}
{{- end -}}

{{/*
Per-route rate limits of the gateway's own routes from `components.gateway.env.RATE_LIMIT_ROUTES`
(the chart had no value of its own for it), as JSON {route: {limit, windowMs}}; read as the
gateway's parser reads it (libs/ratelimit/src/route-limits.ts).
*/}}
{{- define "gs.seedRateLimits" -}}
{{- $limits := dict -}}
{{- $source := "components.gateway.env.RATE_LIMIT_ROUTES" -}}
{{- range $raw := splitList "," (toString (default "" .c.env.RATE_LIMIT_ROUTES)) }}
{{- $entry := trim $raw -}}
{{- if $entry }}
{{- if not (regexMatch `^/[\w.~:@!$&'()*+;%/-]*=[0-9]+(/[0-9]+)?$` $entry) }}
{{- fail (printf "%s: expected <route>=<limit>[/<window ms>], e.g. /verify=20/1000 (bad entry %q)" $source $entry) }}
{{- end }}
{{- $route := include "gs.routeKey" (regexReplaceAll "=.*$" $entry "") -}}
{{- $parts := splitList "/" (regexReplaceAll "^[^=]*=" $entry "") -}}
{{- $limit := dict "limit" (atoi (index $parts 0)) -}}
{{- if gt (len $parts) 1 }}{{ $_ := set $limit "windowMs" (atoi (index $parts 1)) }}{{ end }}
{{- if or (lt (int $limit.limit) 1) (eq (toString (get $limit "windowMs")) "0") }}
{{- fail (printf "%s: a limit and a window must be at least 1 (bad entry %q)" $source $entry) }}
{{- end }}
{{- if hasKey $limits $route }}{{ fail (printf "%s: route %s is listed twice" $source $route) }}{{ end }}
{{- if not (has $route (list "/projects" "/verify")) }}
{{- fail (printf "%s: the gateway serves no route %s of its own (only /projects and /verify); give a route of gateway.routes its own rateLimit" $source $route) }}
{{- end }}
{{- $_ := set $limits $route $limit }}
{{- end }}
{{- end }}
{{- toJson $limits -}}
{{- end -}}

{{/* A comma-separated list as the gateway's commaSeparated reads it: trimmed, empty entries dropped. */}}
{{- define "gs.commaList" -}}
{{- $items := list -}}
{{- range $raw := splitList "," (toString .) }}{{ if trim $raw }}{{ $items = append $items (trim $raw) }}{{ end }}{{ end -}}
{{- toJson $items -}}
{{- end -}}

{{/*
The route file as YAML (args: root, c = the gateway's merged component values). The gateway's own
two routes mean what WEBAPP_URL, RPC_TARGET, AUTH_ROUTES and RATE_LIMIT_ROUTES meant - the same
table as libs/routes/src/default-route-table.ts builds from them (test/k8s/routes.spec.ts holds the
two equal); an address set in components.gateway.env still overrides the computed one. A
`gateway.upstreams` entry named as one of the two (`webapp-1`, `rpc-app-1`) is merged over it.
*/}}
{{- define "gs.routeFile" -}}
{{- $root := .root -}}
{{- $env := .c.env -}}
{{- $computed := include "gs.upstreamAddresses" $root | fromYaml -}}
{{- $auth := include "gs.seedAuth" . | fromJson -}}
{{- $limits := include "gs.seedRateLimits" . | fromJson -}}
{{- $webapp := dict "kind" "http"
  "urls" (include "gs.commaList" (ternary $env.WEBAPP_URL $computed.WEBAPP_URL (hasKey $env "WEBAPP_URL")) | fromJsonArray)
  "rewrite" (dict "prefix" "/projects" "replacement" "/create") -}}
{{- $rpc := dict "kind" "grpc"
  "target" (toString (ternary $env.RPC_TARGET $computed.RPC_TARGET (hasKey $env "RPC_TARGET")))
  "protos" (list (include "gs.seedProto" $root)) -}}
{{- $upstreams := dict "webapp-1" $webapp "rpc-app-1" $rpc -}}
{{- range $name, $upstream := $root.Values.gateway.upstreams }}
{{- if hasKey $upstreams $name }}
{{- include "gs.deepMerge" (dict "dst" (get $upstreams $name) "src" (deepCopy $upstream)) }}
{{- else }}
{{- $_ := set $upstreams $name (deepCopy $upstream) }}
{{- end }}
{{- end }}
{{- $routes := list -}}
{{- /* The seed's request contracts (libs/contracts), as the gateway's default table has them: test/k8s/routes.spec.ts keeps this copy equal. */ -}}
{{- $bodySchemas := $root.Files.Get "files/seed-body-schemas.json" | fromJson -}}
{{- range $seed := list
  (dict "name" "projects" "path" "/projects" "upstream" "webapp-1" "retry" (dict "idempotent" false))
  (dict "name" "verify" "path" "/verify" "upstream" "rpc-app-1" "retry" (dict "idempotent" true)
    "grpc" (dict "service" "userverify.UserVerify" "method" "VerifyUser")) }}
{{- $route := dict "name" $seed.name "upstream" $seed.upstream "retry" $seed.retry
  "match" (dict "methods" (list "POST") "path" (dict "exact" $seed.path))
  "bodySchema" (get $bodySchemas $seed.name) -}}
{{- with $seed.grpc }}{{ $_ := set $route "grpc" . }}{{ end }}
{{- with get $auth $seed.path }}
{{- $_ := set $route "auth" (dict "scheme" .scheme) }}
{{- if .scopes }}{{ $_ := set $route.auth "scopes" .scopes }}{{ end }}
{{- end }}
{{- with get $limits $seed.path }}{{ $_ := set $route "rateLimit" . }}{{ end }}
{{- $routes = append $routes $route }}
{{- end }}
{{- range $i, $route := $root.Values.gateway.routes }}
{{- if has $route.name (list "projects" "verify") }}
{{- fail (printf "gateway.routes[%d]: %q is the name of one of the gateway's own routes (projects, verify); choose another" $i $route.name) }}
{{- end }}
{{- $routes = append $routes (deepCopy $route) }}
{{- end }}
{{- toYaml (dict "formatVersion" 1 "upstreams" $upstreams "routes" $routes) -}}
{{- end -}}

{{/* The route file's routes as a JSON list, for the checks that read their auth (gs.edgeCheck, NOTES.txt). */}}
{{- define "gs.gatewayRoutes" -}}
{{- $gateway := dict "root" . "name" (include "gs.gatewayComponent" .) -}}
{{- $_ := set $gateway "c" (include "gs.component" $gateway | fromYaml) -}}
{{- toJson (include "gs.routeFile" $gateway | fromYaml).routes -}}
{{- end -}}

{{/* The ConfigMaps of the route file and of gateway.protos (the latter only when there are any). */}}
{{- define "gs.routesConfigMaps" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "gs.routesConfigMapName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
data:
  routes.yaml: |
    # The gateway's routes (docs/route-file.md), rendered by the chart from its values: the
    # gateway's own two routes, then gateway.routes and gateway.upstreams. Edit the values, not this.
    {{- include "gs.routeFile" . | nindent 4 }}
{{- with .root.Values.gateway.protos }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "gs.protosConfigMapName" $ }}
  labels: {{- include "gs.labels" $ | nindent 4 }}
data: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Volumes of the gateway (list items): the route file and the protos; empty for other components.
The protos volume is there with or without gateway.protos - optional, an empty directory while its
ConfigMap is not rendered - so that the upgrade adding the first .proto leaves the pod template
as it is and restarts no gateway (the kubelet fills the directory when the ConfigMap appears).
*/}}
{{- define "gs.routesVolumes" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
- name: routes
  configMap:
    name: {{ include "gs.routesConfigMapName" . }}
- name: protos
  configMap:
    name: {{ include "gs.protosConfigMapName" . }}
    optional: true
{{- end -}}
{{- end -}}

{{/*
Their mounts: directories, never subPath - the kubelet updates a ConfigMap volume by swapping a
symlink in the directory, which a subPath mount would never see (the routes must reload live).
*/}}
{{- define "gs.routesVolumeMounts" -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
- name: routes
  mountPath: {{ include "gs.routesDir" . }}
  readOnly: true
- name: protos
  mountPath: {{ include "gs.protosDir" . }}
  readOnly: true
{{- end -}}
{{- end -}}
