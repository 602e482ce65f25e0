{{/*
The environment of a component, following the apps' env contract (libs/config/src/env-schema.ts).
Plain values go into the component's ConfigMap (its checksum rolls the pods when they change);
values that need the downward API or a Secret are rendered as EnvVar objects.
*/}}

{{/*
Variables the chart sets from a dedicated value, as name: what to do instead (`%s` = the
component). values.schema.json refuses them in `env`, gs.validate in `extraEnv`: a second source
would override the first silently, and for some the chart computes more from the value (the grace
period from the shutdown timings, the tracing egress from the endpoint).
*/}}
{{- define "gs.chartOwnedEnv" -}}
HOST: the chart binds every listener to 0.0.0.0, there is nothing to set
PORT: set components.%s.containerPort instead
ADMIN_PORT: set components.%s.adminPort instead
LOG_LEVEL: set components.%s.logLevel instead
NODE_OPTIONS: set components.%s.nodeOptions instead
SHUTDOWN_DRAIN_DELAY_MS: set components.%s.shutdown.drainDelayMs instead
SHUTDOWN_TIMEOUT_MS: set components.%s.shutdown.timeoutMs instead
OTEL_SERVICE_NAME: it is the component name (as is the app label of the metrics), there is nothing to set
OTEL_EXPORTER_OTLP_ENDPOINT: set tracing.enabled and tracing.endpoint instead
OTEL_EXPORTER_OTLP_PROTOCOL: set tracing.protocol instead
OTEL_TRACES_SAMPLER: set tracing.sampler instead
OTEL_TRACES_SAMPLER_ARG: set tracing.samplerArg instead
OTEL_RESOURCE_ATTRIBUTES: set tracing.resourceAttributes instead
K8S_POD_NAME: the chart takes it from the downward API for OTEL_RESOURCE_ATTRIBUTES, there is nothing to set
ROUTES_FILE: the chart renders the gateway's route file from gateway.routes, gateway.upstreams and gateway.protos, set those instead
{{- end -}}

{{/*
Addresses of the gateway's own upstreams, built from the rendered headless Services (no IP
literals), as WEBAPP_URL / RPC_TARGET used to carry them; they now go into the route file
(gs.routeFile).
*/}}
{{- define "gs.upstreamAddresses" -}}
{{- $root := . -}}
{{- $webapp := dict "root" $root "name" $root.Values.upstreams.webapp -}}
{{- $rpc := dict "root" $root "name" $root.Values.upstreams.rpc -}}
{{- $webappC := include "gs.component" $webapp | fromYaml -}}
{{- $rpcC := include "gs.component" $rpc | fromYaml -}}
WEBAPP_URL: {{ printf "http://%s:%s" (include "gs.serviceFQDN" (dict "root" $root "service" (include "gs.headlessName" $webapp))) (include "gs.int" $webappC.containerPort) | quote }}
RPC_TARGET: {{ printf "dns:///%s:%s" (include "gs.serviceFQDN" (dict "root" $root "service" (include "gs.headlessName" $rpc))) (include "gs.int" $rpcC.containerPort) | quote }}
{{- end -}}

{{/* The gateway's routes - its route file, or the Gateway API objects (gatewayApi) - and its Redis. */}}
{{- define "gs.upstreamEnv" -}}
{{- $root := .root -}}
{{- if $root.Values.gatewayApi.enabled }}
{{- $gateway := include "gs.componentName" (dict "root" $root "name" (include "gs.gatewayComponent" $root)) }}
GATEWAY_API_CONTROLLER_NAME: {{ $root.Values.gatewayApi.controllerName | quote }}
GATEWAY_API_SERVICE: {{ printf "%s/%s" $root.Release.Namespace $gateway | quote }}
GATEWAY_API_STATUS_LEASE: {{ printf "%s/%s" $root.Release.Namespace (include "gs.gatewayApiStatusLease" $root) | quote }}
{{- if $root.Values.gatewayApi.https.enabled }}
GATEWAY_API_HTTPS_PORT: {{ include "gs.int" $root.Values.gatewayApi.https.containerPort | quote }}
{{- end }}
{{- if $root.Values.gatewayApi.gatewayServices.enabled }}
GATEWAY_API_INTERNAL_PORTS: {{ $root.Values.gatewayApi.gatewayServices.internalPorts | quote }}
{{- end }}
{{- else }}
ROUTES_FILE: {{ printf "%s/routes.yaml" (include "gs.routesDir" $root) | quote }}
{{- end }}
{{- if eq $root.Values.redis.mode "builtin" }}
REDIS_URL: {{ printf "redis://%s:6379" (include "gs.serviceFQDN" (dict "root" $root "service" (include "gs.redisName" $root))) | quote }}
{{- else if eq $root.Values.redis.mode "external" }}
REDIS_URL: {{ $root.Values.redis.external.url | quote }}
{{- end }}
{{- end -}}

{{/*
The Secret the gateway's REDIS_PASSWORD comes from, as a secretKeyRef (name, key) in YAML; empty
for other components and without one: the built-in Redis's (gs.builtinRedisSecret), or
redis.external.existingSecret.
*/}}
{{- define "gs.redisPasswordRef" -}}
{{- $redis := .root.Values.redis -}}
{{- if eq .name (include "gs.gatewayComponent" .) -}}
{{- if eq $redis.mode "builtin" }}
name: {{ include "gs.builtinRedisSecret" .root }}
key: {{ $redis.builtin.passwordKey }}
{{- else if and (eq $redis.mode "external") $redis.external.existingSecret }}
name: {{ $redis.external.existingSecret }}
key: {{ $redis.external.passwordKey }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* ConfigMap data: chart-computed variables, then the component's `env` map on top. */}}
{{- define "gs.envData" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $env := dict
  "HOST" "0.0.0.0"
  "PORT" (include "gs.int" $c.containerPort)
  "ADMIN_PORT" (include "gs.int" $c.adminPort)
  "LOG_LEVEL" $c.logLevel
  "NODE_OPTIONS" $c.nodeOptions
  "SHUTDOWN_DRAIN_DELAY_MS" (include "gs.drainDelayMs" .)
  "SHUTDOWN_TIMEOUT_MS" (include "gs.int" $c.shutdown.timeoutMs)
  "OTEL_SERVICE_NAME" .name
-}}
{{- if $root.Values.tracing.enabled }}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $root.Values.tracing.endpoint }}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_PROTOCOL" $root.Values.tracing.protocol }}
{{- $_ := set $env "OTEL_TRACES_SAMPLER" $root.Values.tracing.sampler }}
{{- $_ := set $env "OTEL_TRACES_SAMPLER_ARG" (include "gs.envValue" $root.Values.tracing.samplerArg) }}
{{- end }}
{{- /* Edge security (values `edge`, _edge.tpl): the gateway's and the gRPC upstream's. */}}
{{- $env = merge (include "gs.edgeEnv" . | fromYaml) $env }}
{{- if eq .name (include "gs.gatewayComponent" .) }}
{{- $env = merge (include "gs.upstreamEnv" . | fromYaml) $env }}
{{- if $root.Values.ingress.enabled }}
{{- /* The Ingress controller connects, and appends the client's address to X-Forwarded-For: limit on that, not on the controller. */}}
{{- $_ := set $env "RATE_LIMIT_TRUSTED_PROXY_HOPS" "1" }}
{{- end }}
{{- end }}
{{- range $key, $value := $c.env }}
{{- $_ := set $env $key (include "gs.envValue" $value) }}
{{- end }}
{{- if eq .name (include "gs.gatewayComponent" .) }}
{{- /* The route file carries these now (gs.routeFile reads their `env` values into it), and the gateway refuses them beside ROUTES_FILE. */}}
{{- range $key := include "gs.routeFileReplaces" $root | fromJsonArray }}{{ $_ := unset $env $key }}{{ end }}
{{- end }}
{{- /* Unset and empty values are left out: the apps read an empty variable as unset anyway (libs/config). */}}
{{- range $key := keys $env | sortAlpha }}
{{- $value := get $env $key }}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* EnvVar objects: pod identity for trace resources, the Redis password, then extraEnv. */}}
{{- define "gs.envVars" -}}
{{- $root := .root -}}
{{- if $root.Values.tracing.enabled }}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: OTEL_RESOURCE_ATTRIBUTES
  {{- $attrs := list (printf "k8s.namespace.name=%s" $root.Release.Namespace) "k8s.pod.name=$(K8S_POD_NAME)" (printf "k8s.deployment.name=%s" (include "gs.componentName" .)) }}
  {{- range $key, $value := $root.Values.tracing.resourceAttributes }}
  {{- $attrs = append $attrs (printf "%s=%s" $key (include "gs.envValue" $value)) }}
  {{- end }}
  value: {{ join "," $attrs | quote }}
{{- end }}
{{- with (include "gs.redisPasswordRef" . | trim) }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef: {{- . | nindent 6 }}
{{- end }}
{{- with .c.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
