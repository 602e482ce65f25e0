{{/*
Two Services per component:
- `<component>`: the stable virtual IP (type configurable: the gateway's public entry point, and
  what `kubectl port-forward` and the Ingress use). Carries the main port only, never admin.
- `<component>-headless`: no virtual IP, one DNS A record per ready pod. The gateway resolves it
  and balances per request over all records (gRPC `dns:///` + round_robin, HTTP the same way),
  which a ClusterIP cannot do for long-lived HTTP/2 and keep-alive connections. It also carries
  the admin port, so the ServiceMonitor scrapes every pod without exposing admin publicly.
*/}}

{{/* appProtocol of the main port: gRPC is HTTP/2 cleartext, which proxies and meshes must know. */}}
{{- define "gs.appProtocol" -}}
{{- if eq .c.protocol "grpc" }}kubernetes.io/h2c{{ else }}http{{ end -}}
{{- end -}}

{{- define "gs.service" -}}
{{- $c := .c -}}
{{- $svc := $c.service -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "gs.componentName" . }}
  labels:
    {{- include "gs.labels" . | nindent 4 }}
    gateway-stack.io/service: main
  {{- with $svc.annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $svc.type }}
  selector: {{- include "gs.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ include "gs.portName" . }}
      port: {{ include "gs.int" (default $c.containerPort $svc.port) }}
      targetPort: {{ include "gs.portName" . }}
      protocol: TCP
      appProtocol: {{ include "gs.appProtocol" . }}
      {{- if and (ne $svc.type "ClusterIP") (not (kindIs "invalid" $svc.nodePort)) }}
      nodePort: {{ include "gs.int" $svc.nodePort }}
      {{- end }}
    {{- if include "gs.servesGatewayApiHttps" . }}
    # The port the Gateways' HTTPS listeners name, on their status address (this Service's).
    - name: https
      port: {{ include "gs.int" .root.Values.gatewayApi.https.port }}
      targetPort: https
      protocol: TCP
    {{- end }}
  {{- if and (ne $svc.type "ClusterIP") $svc.externalTrafficPolicy }}
  externalTrafficPolicy: {{ $svc.externalTrafficPolicy }}
  {{- end }}
  {{- if and (eq $svc.type "LoadBalancer") $svc.loadBalancerSourceRanges }}
  loadBalancerSourceRanges: {{- toYaml $svc.loadBalancerSourceRanges | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "gs.headlessService" -}}
{{- $c := .c -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "gs.headlessName" . }}
  labels:
    {{- include "gs.labels" . | nindent 4 }}
    gateway-stack.io/service: headless
spec:
  clusterIP: None
  # Only ready pods get an A record: a draining pod (readiness 503) drops out of the gateway's balancing.
  publishNotReadyAddresses: false
  selector: {{- include "gs.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ include "gs.portName" . }}
      port: {{ include "gs.int" $c.containerPort }}
      targetPort: {{ include "gs.portName" . }}
      protocol: TCP
      appProtocol: {{ include "gs.appProtocol" . }}
    - name: admin
      port: {{ include "gs.int" $c.adminPort }}
      targetPort: admin
      protocol: TCP
      appProtocol: http
{{- end -}}
