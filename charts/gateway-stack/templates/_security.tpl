{{/*
The security settings of every pod and container this chart renders: the apps, Redis and the
helm test pod all include these two helpers, so hardening is changed in one place.
*/}}

{{/* Pod level: fixed non-root UID/GID (the Dockerfile's USER), fsGroup owning the emptyDirs, seccomp. */}}
{{- define "gs.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ include "gs.int" .Values.podSecurity.runAsUser }}
runAsGroup: {{ include "gs.int" .Values.podSecurity.runAsGroup }}
fsGroup: {{ include "gs.int" .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container level: no privilege escalation, every capability dropped, read-only root filesystem. */}}
{{- define "gs.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ include "gs.int" .Values.podSecurity.runAsUser }}
runAsGroup: {{ include "gs.int" .Values.podSecurity.runAsGroup }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The writable /tmp every container gets, since the root filesystem is read-only. */}}
{{- define "gs.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "gs.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
