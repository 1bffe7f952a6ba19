{{/* Names, labels and the shape of the Deployments. Guards live in _guards.tpl. */}}

{{- define "gatehouse.fullname" -}}
{{- if contains "gatehouse" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-gatehouse" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: gatehouse
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gatehouse.labels" -}}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.keysSecretName" -}}
{{- default (printf "%s-keys" (include "gatehouse.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* An image reference, pinned by digest when one is given. Argument: the image values. */}}
{{- define "gatehouse.imageRef" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* The roles every pod runs when they are not split. */}}
{{- define "gatehouse.allRoles" -}}
{{- if .Values.sandbox.enabled -}}auth,gateway,sandbox,byos{{- else -}}auth,gateway,byos{{- end -}}
{{- end -}}

{{/*
The Deployments to render, as YAML `groups: [{name, component, roles, replicas, resources}]`:
one running every role, or one per role when roles.split. `name` is the suffix of the
Deployment's (and Service's) name.
*/}}
{{- define "gatehouse.groups" -}}
groups:
{{- if .Values.roles.split }}
{{- range $role := list "auth" "gateway" "sandbox" "byos" }}
{{- if or (ne $role "sandbox") $.Values.sandbox.enabled }}
{{- $settings := index $.Values.roles $role }}
  - name: {{ printf "-%s" $role }}
    component: {{ $role }}
    roles: {{ $role }}
    replicas: {{ $settings.replicas }}
    resources: {{ toJson (default $.Values.resources $settings.resources) }}
{{- end }}
{{- end }}
{{- else }}
  - name: ""
    component: all
    roles: {{ include "gatehouse.allRoles" . }}
    replicas: {{ .Values.roles.replicas }}
    resources: {{ toJson .Values.resources }}
{{- end }}
{{- end -}}

{{/* The component whose Deployment the HPA scales and whose Service serves /v1. */}}
{{- define "gatehouse.gatewayComponent" -}}
{{- if .Values.roles.split -}}gateway{{- else -}}all{{- end -}}
{{- end -}}

{{- define "gatehouse.serviceName" -}}
{{- $root := index . 0 -}}{{- $component := index . 1 -}}
{{- if eq $component "all" -}}
{{- include "gatehouse.fullname" $root -}}
{{- else -}}
{{- printf "%s-%s" (include "gatehouse.fullname" $root) $component -}}
{{- end -}}
{{- end -}}

{{/* True when more than one Gatehouse pod may run at once. */}}
{{- define "gatehouse.multiPod" -}}
{{- if or .Values.roles.split .Values.autoscaling.enabled (gt (int .Values.roles.replicas) 1) -}}true{{- end -}}
{{- end -}}

{{- define "gatehouse.gatewayUrl" -}}
{{- if .Values.sandbox.gatewayUrl -}}
{{- .Values.sandbox.gatewayUrl -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%d/v1" (include "gatehouse.serviceName" (list . (include "gatehouse.gatewayComponent" .))) .Release.Namespace (int .Values.service.port) -}}
{{- end -}}
{{- end -}}
