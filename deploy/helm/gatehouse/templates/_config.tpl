{{/* gatehouse.yaml: the operator's `config`, then every key the chart owns on top of it. */}}
{{- define "gatehouse.config" -}}
{{- $v := .Values -}}
{{- $owned := dict
  "production" $v.production
  "dataDir" "/var/lib/gatehouse"
  "server" (dict "host" "0.0.0.0" "port" 8080 "managementPort" (int $v.service.managementPort) "publicUrl" $v.publicUrl)
  "tokens" (dict "issuer" $v.publicUrl)
-}}
{{- if $v.postgresql.url -}}
{{- $store := dict "url" $v.postgresql.url "username" $v.postgresql.username "maxPoolSize" (int $v.postgresql.maxPoolSize) -}}
{{- if $v.postgresql.schema -}}{{- $_ := set $store "schema" $v.postgresql.schema -}}{{- end -}}
{{- $_ := set $owned "store" $store -}}
{{- end -}}
{{- if $v.redis.url -}}
{{- $redis := dict "url" $v.redis.url -}}
{{- if $v.redis.username -}}{{- $_ := set $redis "username" $v.redis.username -}}{{- end -}}
{{- $_ := set $owned "gateway" (dict "limits" (dict "store" "redis" "onRedisUnavailable" $v.redis.onUnavailable "redis" $redis)) -}}
{{- end -}}
{{- if $v.sandbox.enabled -}}
{{- $labels := dict "app.kubernetes.io/name" "gatehouse" "app.kubernetes.io/instance" .Release.Name -}}
{{- $_ := set $owned "sandbox" (dict
  "backend" "kubernetes"
  "gatewayUrl" (include "gatehouse.gatewayUrl" .)
  "kubernetes" (dict
    "namespace" $v.sandbox.namespace
    "image" (include "gatehouse.imageRef" $v.sandbox.runtimeImage)
    "gatewayNamespace" .Release.Namespace
    "gatewayPodLabels" $labels
    "gatewayPort" 8080
    "gatehouseNamespace" .Release.Namespace
    "gatehousePodLabels" $labels)) -}}
{{- end -}}
{{- toYaml (mustMergeOverwrite (deepCopy $v.config) $owned) -}}
{{- end -}}
