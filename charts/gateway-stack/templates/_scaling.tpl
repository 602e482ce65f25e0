{{/*
Availability and scaling of one component: a PodDisruptionBudget, and either an HPA (CPU, plus an
optional request-rate Pods metric from prometheus-adapter) or a KEDA ScaledObject on the
Prometheus request rate. Never both: two controllers fighting over one Deployment's replicas.
*/}}

{{- define "gs.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "gs.componentName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ include "gs.envValue" .c.pdb.maxUnavailable }}
  # Pods that are not ready yet may be evicted anyway: they serve nothing, and a stuck rollout must not block node drains.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels: {{- include "gs.selectorLabels" . | nindent 6 }}
{{- end -}}

{{- define "gs.hpa" -}}
{{- $scaling := .c.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "gs.componentName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "gs.componentName" . }}
  minReplicas: {{ include "gs.int" $scaling.minReplicas }}
  maxReplicas: {{ include "gs.int" $scaling.maxReplicas }}
  metrics:
    {{- if not (kindIs "invalid" $scaling.targetCPUUtilizationPercentage) }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ include "gs.int" $scaling.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if $scaling.requestRate.enabled }}
    - type: Pods
      pods:
        metric:
          name: {{ include "gs.requestRateMetric" . }}
        target:
          type: AverageValue
          averageValue: {{ include "gs.envValue" $scaling.requestRate.targetAverageValue | quote }}
    {{- end }}
  {{- with $scaling.behavior }}
  behavior: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
The per-pod request-rate metric the HPA asks the custom metrics API for: requestRate.metricName,
else by protocol what the README's prometheus-adapter rules serve - http_server_requests_per_second
from http_server_request_duration_seconds_count, grpc_server_handled_per_second from
grpc_server_handled_total (a gRPC app exports no HTTP request metrics). Same sources as
gs.requestRateQuery below, so the HPA and KEDA scale on the same numbers.
*/}}
{{- define "gs.requestRateMetric" -}}
{{- default (ternary "grpc_server_handled_per_second" "http_server_requests_per_second" (eq .c.protocol "grpc")) .c.autoscaling.requestRate.metricName -}}
{{- end -}}

{{/*
Requests per second over all pods of a component, as Prometheus sees it. HTTP apps count
http_server_request_duration_seconds observations, rpc-app-1 counts gRPC calls handled. The `app`
label is set by the apps themselves, so the query works with ServiceMonitor or annotation scraping.
*/}}
{{- define "gs.requestRateQuery" -}}
{{- $metric := ternary "grpc_server_handled_total" "http_server_request_duration_seconds_count" (eq .c.protocol "grpc") -}}
{{- printf "sum(rate(%s{namespace=%q, app=%q}[1m]))" $metric .root.Release.Namespace .name -}}
{{- end -}}

{{- define "gs.scaledObject" -}}
{{- $keda := .c.keda -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "gs.componentName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "gs.componentName" . }}
  minReplicaCount: {{ include "gs.int" $keda.minReplicas }}
  maxReplicaCount: {{ include "gs.int" $keda.maxReplicas }}
  pollingInterval: {{ include "gs.int" $keda.pollingInterval }}
  cooldownPeriod: {{ include "gs.int" $keda.cooldownPeriod }}
  {{- with $keda.behavior }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior: {{- toYaml . | nindent 8 }}
  {{- end }}
  triggers:
    - type: prometheus
      metricType: AverageValue
      metadata:
        serverAddress: {{ $keda.serverAddress | quote }}
        query: {{ default (include "gs.requestRateQuery" .) $keda.query | quote }}
        threshold: {{ include "gs.envValue" $keda.threshold | quote }}
{{- end -}}
