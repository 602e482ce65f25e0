{{/*
Names, labels and the merged view of one component. Every other template builds names through
these helpers, so a release name or fullnameOverride change reaches every object and every
address the gateway is given.
*/}}

{{/* Chart name, overridable. */}}
{{- define "gs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object name: the release name, plus the chart name unless it is already in it. */}}
{{- define "gs.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "gs.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
<fullname>-<suffix> within `max` characters. The prefix is cut, never the suffix: cutting the
whole string would give two components of a long release the same name.
*/}}
{{- define "gs.suffixedName" -}}
{{- $room := sub (int .max) (add 1 (len .suffix)) | int -}}
{{- printf "%s-%s" (include "gs.fullname" .root | trunc $room | trimSuffix "-") .suffix -}}
{{- end -}}

{{/* Name of a component's objects: at most 54 characters, so "-headless" still fits a 63-character DNS label. */}}
{{- define "gs.componentName" -}}
{{- include "gs.suffixedName" (dict "root" .root "suffix" .name "max" 54) -}}
{{- end -}}

{{/* The headless Service of a component: one A record per ready pod, for client-side balancing and scraping. */}}
{{- define "gs.headlessName" -}}
{{- printf "%s-headless" (include "gs.componentName" .) -}}
{{- end -}}

{{/* Fully qualified DNS name of a Service of this release: <svc>.<namespace>.svc.<clusterDomain>. */}}
{{- define "gs.serviceFQDN" -}}
{{- printf "%s.%s.svc.%s" .service .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{/* The component that is the public edge; its name is fixed by the apps (nest-cli.json). */}}
{{- define "gs.gatewayComponent" -}}gateway{{- end -}}

{{/* Non-empty when this component (ctx: root, name) terminates TLS for Gateway HTTPS listeners. */}}
{{- define "gs.servesGatewayApiHttps" -}}
{{- if and .root.Values.gatewayApi.enabled .root.Values.gatewayApi.https.enabled (eq .name (include "gs.gatewayComponent" .)) }}true{{ end -}}
{{- end -}}

{{/* The Lease electing the one gateway pod that writes the Gateway API status (gatewayApi). */}}
{{- define "gs.gatewayApiStatusLease" -}}
{{- include "gs.suffixedName" (dict "root" . "suffix" "gateway-api-status" "max" 63) -}}
{{- end -}}

{{/*
gatewayApi.gatewayServices.internalPorts as JSON {"from": n, "to": n}; fails on anything but
`from-to` with 1 <= from <= to <= 65535, as the gateway would (GATEWAY_API_INTERNAL_PORTS,
libs/routes/src/routes-env.ts). Both gs.validate and the NetworkPolicy read it through here, so
whichever renders first gives the same message.
*/}}
{{- define "gs.gatewayInternalPorts" -}}
{{- $value := toString .Values.gatewayApi.gatewayServices.internalPorts -}}
{{- $parts := splitList "-" $value -}}
{{- if not (regexMatch "^[0-9]{1,5}-[0-9]{1,5}$" $value) }}{{ $parts = list "0" "0" }}{{ end -}}
{{- $from := index $parts 0 | atoi -}}
{{- $to := index $parts 1 | atoi -}}
{{- if or (lt $from 1) (gt $to 65535) (gt $from $to) }}
{{- fail (printf "gatewayApi.gatewayServices.internalPorts=%q: give a port range from-to with 1 <= from <= to <= 65535 (e.g. 20000-29999)" $value) }}
{{- end -}}
{{- dict "from" $from "to" $to | toJson -}}
{{- end -}}

{{/* The Role and RoleBinding letting the gateway write the per-Gateway Services (gatewayApi.gatewayServices). */}}
{{- define "gs.gatewayApiServicesRole" -}}
{{- include "gs.suffixedName" (dict "root" . "suffix" "gateway-api-services" "max" 63) -}}
{{- end -}}

{{- define "gs.chartLabel" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (Deployment selectors are immutable). */}}
{{- define "gs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gs.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Labels on every object of a component (`name` may be any role name, e.g. redis). */}}
{{- define "gs.labels" -}}
{{ include "gs.selectorLabels" . }}
{{ include "gs.commonLabels" .root }}
{{- end -}}

{{/* Labels of release-wide objects (ServiceMonitor, dashboard ...). */}}
{{- define "gs.commonLabels" -}}
helm.sh/chart: {{ include "gs.chartLabel" . }}
app.kubernetes.io/part-of: {{ include "gs.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Deep merge: copies `src` into `dst` (a map), recursing into maps. Unlike sprig's merge it lets
`false`, 0 and "" in a component override a default (mergo treats those as "unset").
*/}}
{{- define "gs.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "gs.deepMerge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One component's effective values (componentDefaults with components.<name> on top), as YAML. */}}
{{- define "gs.component" -}}
{{- $merged := deepCopy .root.Values.componentDefaults -}}
{{- /* The Gateway API mode's gateway needs more than the components' default: its resources sit between componentDefaults and components.gateway. */ -}}
{{- if and (eq .name "gateway") .root.Values.gatewayApi.enabled -}}
{{- include "gs.deepMerge" (dict "dst" $merged "src" (dict "resources" (deepCopy .root.Values.gatewayApi.gatewayResources))) -}}
{{- end -}}
{{- include "gs.deepMerge" (dict "dst" $merged "src" (deepCopy (index .root.Values.components .name))) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/*
Image reference: [registry/]repository[:tag][@digest]. The tag falls back to the global tag, then
to the chart's appVersion, so no default ever points at a moving `latest`.
*/}}
{{- define "gs.image" -}}
{{- $image := .image -}}
{{- $registry := default .root.Values.image.registry $image.registry -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $image.tag -}}
{{- /* `--set tag=7589865` (skaffold's git-commit tagger) gives a number: print it as written. */ -}}
{{- if not (kindIs "string" $tag) }}{{ $tag = int64 $tag | toString }}{{ end -}}
{{- $repository := required "image.repository is required for every component" $image.repository -}}
{{- if $registry }}{{ printf "%s/" $registry }}{{ end -}}
{{- $repository -}}{{- printf ":%s" $tag -}}
{{- with $image.digest }}{{ printf "@%s" . }}{{ end -}}
{{- end -}}

{{/* imagePullSecrets of every pod the chart renders (apps, Redis, the helm test pod); empty = none. */}}
{{- define "gs.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* An integer as a plain decimal string (values arrive as float64, which print 1e+06 otherwise). */}}
{{- define "gs.int" -}}
{{- printf "%d" (int64 .) -}}
{{- end -}}

{{/* An env value as a string: integral numbers without exponent, booleans as true/false. */}}
{{- define "gs.envValue" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- printf "%d" (int64 .) -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* Name of the built-in Redis objects. */}}
{{- define "gs.redisName" -}}
{{- include "gs.suffixedName" (dict "root" . "suffix" "redis" "max" 63) -}}
{{- end -}}

{{/* The Secret with the built-in Redis's password: redis.builtin.existingSecret, or the one the chart creates (templates/redis.yaml). */}}
{{- define "gs.builtinRedisSecret" -}}
{{- default (include "gs.redisName" .) .Values.redis.builtin.existingSecret -}}
{{- end -}}

{{/* Egress rule to the cluster DNS (UDP and TCP 53), needed by every app to resolve Services. */}}
{{- define "gs.dnsEgress" -}}
- to: {{- toYaml .Values.networkPolicy.dnsTo | nindent 4 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* The port of a URL (dict "url" "default"): the explicit `:port`, else `default`. */}}
{{- define "gs.urlPort" -}}
{{- $port := regexFind ":[0-9]+$" (urlParse .url).host | trimPrefix ":" -}}
{{- default (toString .default) $port -}}
{{- end -}}

{{/*
Egress port of the OTLP collector: tracing.port when set (only needed when the collector's
Service maps its port to a different pod port: NetworkPolicies see the pod's), else the port of
tracing.endpoint, else the scheme's (80 / 443).
*/}}
{{- define "gs.tracingPort" -}}
{{- $tracing := .Values.tracing -}}
{{- if not (kindIs "invalid" $tracing.port) }}{{ include "gs.int" $tracing.port }}
{{- else }}{{ include "gs.urlPort" (dict "url" $tracing.endpoint "default" (ternary 443 80 (hasPrefix "https:" $tracing.endpoint))) }}
{{- end -}}
{{- end -}}

{{/* Egress port of the external Redis: redis.external.port when set, else the port of redis.external.url (6379 without one). */}}
{{- define "gs.externalRedisPort" -}}
{{- $external := .Values.redis.external -}}
{{- if not (kindIs "invalid" $external.port) }}{{ include "gs.int" $external.port }}
{{- else }}{{ include "gs.urlPort" (dict "url" $external.url "default" 6379) }}
{{- end -}}
{{- end -}}

{{/*
TCP ports of the upstreams the gateway is pointed at outside the release's own Services: the
addresses of components.gateway.env (WEBAPP_URL, RPC_TARGET, read into the route file) and of
gateway.upstreams (`urls`, `target`), as a sorted, de-duplicated list; empty when there are none.
A URL's port (80 without one). A grpc-js target's: each address's port after the
`dns:`/`ipv4:`/`ipv6:` scheme and DNS authority (443, grpc-js's default, without one); unix
sockets need none.
*/}}
{{- define "gs.upstreamOverridePorts" -}}
{{- $env := .c.env -}}
{{- $urls := list -}}
{{- $targets := list -}}
{{- with $env.WEBAPP_URL }}{{ $urls = concat $urls (splitList "," (toString .)) }}{{ end }}
{{- with $env.RPC_TARGET }}{{ $targets = append $targets (toString .) }}{{ end }}
{{- range $name, $upstream := .root.Values.gateway.upstreams }}
{{- with $upstream.urls }}{{ $urls = concat $urls . }}{{ end }}
{{- with $upstream.target }}{{ $targets = append $targets (toString .) }}{{ end }}
{{- end }}
{{- $ports := list -}}
{{- range $url := $urls }}
{{- if trim (toString $url) }}
{{- $ports = append $ports (include "gs.urlPort" (dict "url" (trim (toString $url)) "default" 80)) }}
{{- end }}
{{- end }}
{{- range $target := $targets }}
{{- if not (hasPrefix "unix" $target) }}
{{- range $address := splitList "," (regexReplaceAll "^(dns|ipv4|ipv6):(//[^/]*/)?" $target "") }}
{{- if trim $address }}
{{- $ports = append $ports (default "443" (regexFind ":[0-9]+$" (trim $address) | trimPrefix ":")) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- $ports | uniq | sortAlpha | toJson -}}
{{- end -}}

{{/* Egress every app needs besides DNS: the OTLP collector when tracing is on, and extraEgress. */}}
{{- define "gs.commonEgress" -}}
{{- if .Values.tracing.enabled }}
- ports:
    - port: {{ include "gs.tracingPort" . }}
      protocol: TCP
{{- end }}
{{- with .Values.networkPolicy.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end -}}
