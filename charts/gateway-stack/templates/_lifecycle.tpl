{{/*
Health and shutdown of an app container. Termination, in order (docs/operations.md, "Graceful
shutdown"):
1. preStop (`drain`, the default): the kubelet calls GET /_status/drain?wait_ms=<preStopSeconds>
   on the admin port and waits for the answer, which comes after preStopSeconds. The app drains
   from the first moment: readiness 503, `Connection: close` on every answer, GOAWAY on gRPC
   connections; endpoints, kube-proxy, the Ingress controller and the gateway's DNS drop the pod
   meanwhile. Nothing is closed yet.
2. SIGTERM: the app keeps draining for SHUTDOWN_DRAIN_DELAY_MS, then closes its listeners (idle
   keep-alive sockets close now), gives in-flight work SHUTDOWN_TIMEOUT_MS and exits.
So a keep-alive connection that sends anything in the preStopSeconds + drain delay window (6 s by
default) gets its answer with `Connection: close` and is closed cleanly by the client. What still
races: a connection idle through the whole window that sends a request just as the listener
closes its idle socket (the request is lost unanswered, RemoteDisconnected / ECONNRESET); raise
preStopSeconds for clients that keep idle connections longer. With `sleep`, `exec` or `none` the
app learns of termination only at SIGTERM, so the window is the drain delay alone.
The grace period covers preStop + drain delay + timeout, so the kubelet never SIGKILLs a pod
that is still draining.
*/}}

{{/* Seconds the preStop hook takes (0 when there is none). */}}
{{- define "gs.preStopSeconds" -}}
{{- if eq .c.shutdown.preStop "none" }}0{{ else }}{{ include "gs.int" .c.shutdown.preStopSeconds }}{{ end -}}
{{- end -}}

{{/*
SHUTDOWN_DRAIN_DELAY_MS: the explicit value, else 1 s behind a preStop hook and 5 s without one.
Both waits cover the same thing - the time endpoints, kube-proxy, the Ingress controller and the
gateway's DNS take to stop sending new connections - and a deleted pod leaves the endpoints at
once, ready or not, so the readiness 503 of the app's drain adds nothing behind a preStop pause.
What is left for the drain is a short spell of `Connection: close` answers, so keep-alive peers
move on after a response instead of finding their idle socket closed (README, "Health, shutdown");
with the `drain` hook that spell began at preStop already.
*/}}
{{- define "gs.drainDelayMs" -}}
{{- $explicit := .c.shutdown.drainDelayMs -}}
{{- if not (kindIs "invalid" $explicit) }}{{ include "gs.int" $explicit }}
{{- else if eq .c.shutdown.preStop "none" }}5000
{{- else }}1000
{{- end -}}
{{- end -}}

{{/* Smallest safe grace period: preStop + drain delay + shutdown timeout, rounded up, + 5 s margin. */}}
{{- define "gs.minGracePeriod" -}}
{{- $ms := add (include "gs.drainDelayMs" . | int64) (int64 .c.shutdown.timeoutMs) -}}
{{- add (include "gs.preStopSeconds" . | int64) (div (add $ms 999) 1000) 5 -}}
{{- end -}}

{{/* The grace period used: the explicit value (validated not to be smaller) or the computed one. */}}
{{- define "gs.gracePeriod" -}}
{{- $min := include "gs.minGracePeriod" . | int64 -}}
{{- $explicit := .c.shutdown.terminationGracePeriodSeconds -}}
{{- if kindIs "invalid" $explicit -}}
{{- $min -}}
{{- else if lt (int64 $explicit) $min -}}
{{- fail (printf "components.%s.shutdown.terminationGracePeriodSeconds=%d is shorter than preStop + drain delay + shutdown timeout + 5 s = %d s: pods would be killed mid-drain" .name (int64 $explicit) $min) -}}
{{- else -}}
{{- int64 $explicit -}}
{{- end -}}
{{- end -}}

{{/*
preStop: `drain` holds on the app's drain endpoint (any K8s version; the app drains through the
pause), or just pauses: the native sleep action (K8s >= 1.30) or `sleep` run in the container
(Debian slim has it).
*/}}
{{- define "gs.lifecycle" -}}
{{- $shutdown := .c.shutdown -}}
{{- if ne $shutdown.preStop "none" }}
preStop:
  {{- if eq $shutdown.preStop "drain" }}
  httpGet:
    path: {{ printf "/_status/drain?wait_ms=%d" (mul (include "gs.int" $shutdown.preStopSeconds | int64) 1000) }}
    port: admin
  {{- else if eq $shutdown.preStop "sleep" }}
  sleep:
    seconds: {{ include "gs.int" $shutdown.preStopSeconds }}
  {{- else }}
  exec:
    command: ["sleep", {{ include "gs.int" $shutdown.preStopSeconds | quote }}]
  {{- end }}
{{- end }}
{{- end -}}

{{/* Readiness, liveness and startup probes; all on the admin port except the optional native gRPC readiness probe. */}}
{{- define "gs.probes" -}}
{{- $probes := .c.probes -}}
readinessProbe:
  {{- if eq $probes.readinessType "grpc" }}
  grpc:
    port: {{ include "gs.int" .c.containerPort }}
  {{- else }}
  httpGet:
    path: /_status/healthcheck
    port: admin
  {{- end }}
  periodSeconds: {{ include "gs.int" $probes.readiness.periodSeconds }}
  timeoutSeconds: {{ include "gs.int" $probes.readiness.timeoutSeconds }}
  failureThreshold: {{ include "gs.int" $probes.readiness.failureThreshold }}
  successThreshold: 1
livenessProbe:
  httpGet:
    path: /_status/liveness
    port: admin
  periodSeconds: {{ include "gs.int" $probes.liveness.periodSeconds }}
  timeoutSeconds: {{ include "gs.int" $probes.liveness.timeoutSeconds }}
  failureThreshold: {{ include "gs.int" $probes.liveness.failureThreshold }}
startupProbe:
  httpGet:
    path: /_status/liveness
    port: admin
  periodSeconds: {{ include "gs.int" $probes.startup.periodSeconds }}
  timeoutSeconds: {{ include "gs.int" $probes.startup.timeoutSeconds }}
  failureThreshold: {{ include "gs.int" $probes.startup.failureThreshold }}
{{- end -}}

{{/* Spread replicas across nodes and zones: soft by default, so a one-node dev cluster still schedules. */}}
{{- define "gs.scheduling" -}}
{{- $c := .c -}}
{{- $selector := include "gs.selectorLabels" . -}}
{{- if ne $c.podAntiAffinity "none" }}
affinity:
  podAntiAffinity:
    {{- if eq $c.podAntiAffinity "hard" }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels: {{- $selector | nindent 12 }}
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels: {{- $selector | nindent 14 }}
    {{- end }}
{{- end }}
{{- with $c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  - {{ toYaml . | nindent 4 | trim }}
    labelSelector:
      matchLabels: {{- $selector | nindent 8 }}
    matchLabelKeys: ["pod-template-hash"]
  {{- end }}
{{- end }}
{{- with $c.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}
