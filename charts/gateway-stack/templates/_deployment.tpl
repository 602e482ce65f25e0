{{/*
The workload of one component. Rendered once per entry of `components` by component.yaml; every
app gets the same shape, only values differ.
*/}}

{{/* True (non-empty) when an HPA or KEDA owns the replica count, so the Deployment must not set it. */}}
{{- define "gs.externallyScaled" -}}
{{- if or .c.autoscaling.enabled .c.keda.enabled }}true{{ end -}}
{{- end -}}

{{/* The main port's name: the protocol (http or grpc); probes, Services and policies refer to it. */}}
{{- define "gs.portName" -}}
{{- .c.protocol -}}
{{- end -}}

{{- define "gs.envConfigMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "gs.componentName" . }}-env
  labels: {{- include "gs.labels" . | nindent 4 }}
data: {{- include "gs.envData" . | trim | nindent 2 }}
{{- end -}}

{{- define "gs.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "gs.componentName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
  {{- with .c.serviceAccount.annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end -}}

{{- define "gs.deployment" -}}
{{- $root := .root -}}
{{- $c := .c -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "gs.componentName" . }}
  labels: {{- include "gs.labels" . | nindent 4 }}
spec:
  {{- if not (include "gs.externallyScaled" .) }}
  replicas: {{ include "gs.int" $c.replicas }}
  {{- end }}
  revisionHistoryLimit: {{ include "gs.int" $c.revisionHistoryLimit }}
  minReadySeconds: {{ include "gs.int" $c.minReadySeconds }}
  selector:
    matchLabels: {{- include "gs.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # 0 by default: never remove a ready pod before its replacement is ready, capacity stays whole.
      maxUnavailable: {{ include "gs.envValue" $c.maxUnavailable }}
      maxSurge: {{ include "gs.envValue" $c.maxSurge }}
  template:
    metadata:
      labels:
        {{- include "gs.labels" . | nindent 8 }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # Env lives in a ConfigMap: its hash here rolls the pods when any value changes. The
        # gateway's route file has no such hash on purpose: it is reloaded live (_routes.tpl).
        checksum/env: {{ include "gs.envData" . | trim | sha256sum }}
        {{- if $root.Values.metrics.scrapeAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ include "gs.int" $c.adminPort | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "gs.componentName" . }}
      {{- /* Only a gateway that watches the Gateway API talks to the API server (templates/gateway-api.yaml). */}}
      automountServiceAccountToken: {{ and $root.Values.gatewayApi.enabled (eq .name (include "gs.gatewayComponent" .)) }}
      # Service links would add <SVC>_PORT-style variables that nobody reads and that can clash.
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ include "gs.gracePeriod" . }}
      securityContext: {{- include "gs.podSecurityContext" $root | nindent 8 }}
      {{- with (include "gs.imagePullSecrets" $root | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- include "gs.scheduling" . | trim | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "gs.image" (dict "root" $root "image" $c.image) | quote }}
          imagePullPolicy: {{ default $root.Values.image.pullPolicy $c.image.pullPolicy }}
          ports:
            - name: {{ include "gs.portName" . }}
              containerPort: {{ include "gs.int" $c.containerPort }}
              protocol: TCP
            {{- if include "gs.servesGatewayApiHttps" . }}
            - name: https
              containerPort: {{ include "gs.int" $root.Values.gatewayApi.https.containerPort }}
              protocol: TCP
            {{- end }}
            - name: admin
              containerPort: {{ include "gs.int" $c.adminPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "gs.componentName" . }}-env
          {{- with (include "gs.envVars" .) }}
          env: {{- . | trim | nindent 12 }}
          {{- end }}
          {{- include "gs.probes" . | nindent 10 }}
          {{- with (include "gs.lifecycle" .) }}
          lifecycle: {{- . | trim | nindent 12 }}
          {{- end }}
          resources: {{- toYaml $c.resources | nindent 12 }}
          securityContext: {{- include "gs.containerSecurityContext" $root | nindent 12 }}
          volumeMounts: {{- include "gs.tmpVolumeMount" . | nindent 12 }}
            {{- with (include "gs.edgeVolumeMounts" . | trim) }}{{ . | nindent 12 }}{{ end }}
            {{- with (include "gs.routesVolumeMounts" . | trim) }}{{ . | nindent 12 }}{{ end }}
      volumes: {{- include "gs.tmpVolume" . | nindent 8 }}
        {{- with (include "gs.edgeVolumes" . | trim) }}{{ . | nindent 8 }}{{ end }}
        {{- with (include "gs.routesVolumes" . | trim) }}{{ . | nindent 8 }}{{ end }}
{{- end -}}
