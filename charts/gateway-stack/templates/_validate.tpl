{{/*
Rules that span several values and so cannot live in values.schema.json. Each failure names the
value to change; rendering stops before anything reaches the cluster.
*/}}
{{- define "gs.validate" -}}
{{- $root := . -}}
{{- if and .Values.gatewayApi.enabled (or .Values.gateway.routes .Values.gateway.upstreams) }}
{{- fail "gateway.routes and gateway.upstreams make a route file, which the gateway does not serve with gatewayApi.enabled (its routes are the HTTPRoutes then): set one or the other" }}
{{- end }}
{{- if and .Values.gatewayApi.enabled .Values.gatewayApi.gatewayServices.enabled (hasKey .Values.components (include "gs.gatewayComponent" .)) }}
{{- $range := include "gs.gatewayInternalPorts" $root | fromJson -}}
{{- $gatewayC := include "gs.component" (dict "root" $root "name" (include "gs.gatewayComponent" .)) | fromYaml -}}
{{- /* The ports the gateway opens besides the range (PORT, ADMIN_PORT, GATEWAY_API_HTTPS_PORT): it refuses a range holding one. */ -}}
{{- $taken := list (list "components.gateway.containerPort" $gatewayC.containerPort) (list "components.gateway.adminPort" $gatewayC.adminPort) -}}
{{- if .Values.gatewayApi.https.enabled }}{{ $taken = append $taken (list "gatewayApi.https.containerPort" .Values.gatewayApi.https.containerPort) }}{{ end -}}
{{- range $taken }}
{{- $port := index . 1 | int64 -}}
{{- if and (ge $port (int64 $range.from)) (le $port (int64 $range.to)) }}
{{- fail (printf "gatewayApi.gatewayServices.internalPorts=%q holds %s (%d), which the gateway listens on already: choose a range without it" (toString $root.Values.gatewayApi.gatewayServices.internalPorts) (index . 0) $port) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $name := keys .Values.components | sortAlpha }}
{{- $ctx := dict "root" $root "name" $name -}}
{{- $c := include "gs.component" $ctx | fromYaml -}}
{{- $_ := set $ctx "c" $c -}}
{{- if and $c.autoscaling.enabled $c.keda.enabled }}
{{- fail (printf "components.%s: autoscaling.enabled and keda.enabled are mutually exclusive (both would own the replica count)" $name) }}
{{- end }}
{{- if and $c.autoscaling.enabled (gt (int64 $c.autoscaling.minReplicas) (int64 $c.autoscaling.maxReplicas)) }}
{{- fail (printf "components.%s.autoscaling: minReplicas (%d) is greater than maxReplicas (%d)" $name (int64 $c.autoscaling.minReplicas) (int64 $c.autoscaling.maxReplicas)) }}
{{- end }}
{{- if and $c.keda.enabled (gt (int64 $c.keda.minReplicas) (int64 $c.keda.maxReplicas)) }}
{{- fail (printf "components.%s.keda: minReplicas (%d) is greater than maxReplicas (%d)" $name (int64 $c.keda.minReplicas) (int64 $c.keda.maxReplicas)) }}
{{- end }}
{{- if and $c.autoscaling.enabled (kindIs "invalid" $c.autoscaling.targetCPUUtilizationPercentage) (not $c.autoscaling.requestRate.enabled) }}
{{- fail (printf "components.%s.autoscaling: no metric left (targetCPUUtilizationPercentage is null and requestRate is off)" $name) }}
{{- end }}
{{- if and $c.autoscaling.enabled $c.autoscaling.requestRate.enabled }}
{{- $metric := include "gs.requestRateMetric" $ctx -}}
{{- $foreign := ternary "http_" "grpc_" (eq $c.protocol "grpc") -}}
{{- if hasPrefix $foreign $metric }}
{{- fail (printf "components.%s.autoscaling.requestRate.metricName=%s: %s speaks %s and exports no %s* request metrics; leave metricName empty for its own (README, \"Scaling\")" $name $metric $name $c.protocol $foreign) }}
{{- end }}
{{- end }}
{{- if and (has (toString $c.maxSurge) (list "0" "0%")) (has (toString $c.maxUnavailable) (list "0" "0%")) }}
{{- fail (printf "components.%s: maxSurge=%v and maxUnavailable=%v; a rollout needs one of them above 0" $name $c.maxSurge $c.maxUnavailable) }}
{{- end }}
{{- if and (eq $c.probes.readinessType "grpc") (ne $c.protocol "grpc") }}
{{- fail (printf "components.%s.probes.readinessType=grpc needs a gRPC component (protocol is %s)" $name $c.protocol) }}
{{- end }}
{{- if eq (int64 $c.containerPort) (int64 $c.adminPort) }}
{{- fail (printf "components.%s: containerPort and adminPort must differ (both %d)" $name (int64 $c.adminPort)) }}
{{- end }}
{{- if and (eq $c.service.type "ClusterIP") (not (kindIs "invalid" $c.service.nodePort)) }}
{{- fail (printf "components.%s.service.nodePort is set but service.type is ClusterIP" $name) }}
{{- end }}
{{- if and $root.Values.metrics.serviceMonitor.enabled (not $c.service.headless) }}
{{- fail (printf "components.%s.service.headless=false: the ServiceMonitor scrapes the headless Service's admin port" $name) }}
{{- end }}
{{- $owned := include "gs.chartOwnedEnv" $root | fromYaml -}}
{{- range $i, $var := $c.extraEnv }}
{{- if hasKey $owned $var.name }}
{{- fail (printf "components.%s.extraEnv[%d] sets %s, which the chart owns: %s" $name $i $var.name (replace "%s" $name (get $owned $var.name))) }}
{{- end }}
{{- if and (eq $var.name "REDIS_PASSWORD") (include "gs.redisPasswordRef" $ctx) }}
{{- fail (printf "components.%s.extraEnv[%d] sets REDIS_PASSWORD, which the chart sets from the Secret %s: use redis.%s.existingSecret / passwordKey instead" $name $i (include "gs.redisPasswordRef" $ctx | fromYaml).name $root.Values.redis.mode) }}
{{- end }}
{{- end }}
{{- if hasKey $c.env "REDIS_PASSWORD" }}
{{- fail (printf "components.%s.env.REDIS_PASSWORD: a password does not belong in a ConfigMap; put it in a Secret and name it in redis.external.existingSecret (or redis.builtin.existingSecret)" $name) }}
{{- end }}
{{- $_ := include "gs.gracePeriod" $ctx }}
{{- end }}
{{- if not (hasKey .Values.components (include "gs.gatewayComponent" .)) }}
{{- fail "components.gateway is required: it is the public edge" }}
{{- end }}
{{- $gateway := dict "root" $root "name" (include "gs.gatewayComponent" .) -}}
{{- $_ := set $gateway "c" (include "gs.component" $gateway | fromYaml) -}}
{{- range $i, $var := $gateway.c.extraEnv }}
{{- if has $var.name (include "gs.routeFileReplaces" $root | fromJsonArray) }}
{{- fail (printf "components.gateway.extraEnv[%d] sets %s, which the gateway's route file replaces: give it in components.gateway.env (the chart reads it into the file), or use gateway.routes / gateway.upstreams" $i $var.name) }}
{{- end }}
{{- end }}
{{- include "gs.edgeCheck" (dict "env" (include "gs.envData" $gateway | fromYaml) "extraEnv" $gateway.c.extraEnv "routes" (include "gs.gatewayRoutes" $root | fromJsonArray)) }}
{{- range $role, $name := dict "webapp" .Values.upstreams.webapp "rpc" .Values.upstreams.rpc }}
{{- if not (hasKey $root.Values.components $name) }}
{{- fail (printf "upstreams.%s=%s names no entry of components" $role $name) }}
{{- end }}
{{- $c := include "gs.component" (dict "root" $root "name" $name) | fromYaml -}}
{{- if not $c.service.headless }}
{{- fail (printf "components.%s.service.headless=false: the gateway balances over its headless Service (upstreams.%s)" $name $role) }}
{{- end }}
{{- end }}
{{- if and (eq .Values.redis.mode "external") (not .Values.redis.external.url) }}
{{- fail "redis.mode=external needs redis.external.url" }}
{{- end }}
{{- if and .Values.tracing.enabled (not .Values.tracing.endpoint) }}
{{- fail "tracing.enabled needs tracing.endpoint (OTEL_EXPORTER_OTLP_ENDPOINT)" }}
{{- end }}
{{- if and .Values.tracing.enabled (eq .Values.tracing.protocol "grpc") (kindIs "invalid" .Values.tracing.port) (not (regexMatch ":[0-9]+$" (urlParse .Values.tracing.endpoint).host)) }}
{{- fail (printf "tracing.endpoint=%s: give the collector's port (e.g. :4317) with tracing.protocol=grpc" .Values.tracing.endpoint) }}
{{- end }}
{{- end -}}
