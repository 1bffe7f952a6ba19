{{/*
Render-time guards: a required value that is missing, or a placeholder left from an example,
fails the render with the value's name and an example. Called once, from configmap.yaml.
Order matters: a render with no values at all names publicUrl first.
*/}}

{{- define "gatehouse.placeholderPattern" -}}
(?i)(change-?me|replace-?me|todo|<[^>]*>|\.\.\.|…|^sha256:0{64}$)
{{- end -}}

{{/* Fails when a value is empty or a placeholder. Argument: (list name value example). */}}
{{- define "gatehouse.require" -}}
{{- $name := index . 0 -}}{{- $value := toString (index . 1) -}}{{- $example := index . 2 -}}
{{- if not $value -}}
{{- fail (printf "\n%s is required: %s" $name $example) -}}
{{- end -}}
{{- if regexMatch (include "gatehouse.placeholderPattern" dict) $value -}}
{{- fail (printf "\n%s: %q looks like a placeholder left from an example; set the real value: %s" $name $value $example) -}}
{{- end -}}
{{- end -}}

{{/* A pinned image. Argument: (list valuePrefix imageValues example). */}}
{{- define "gatehouse.requirePinnedImage" -}}
{{- $prefix := index . 0 -}}{{- $image := index . 1 -}}{{- $example := index . 2 -}}
{{- include "gatehouse.require" (list (printf "%s.repository" $prefix) $image.repository (printf "the image repository, e.g. --set %s.repository=%s" $prefix $example)) -}}
{{- if $image.digest -}}
{{- include "gatehouse.require" (list (printf "%s.digest" $prefix) $image.digest (printf "a real digest, e.g. --set %s.digest=sha256:<64 hex digits from your registry>" $prefix)) -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" $image.digest) -}}
{{- fail (printf "\n%s.digest: %q (expected: sha256: and 64 hex digits, e.g. sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08)" $prefix $image.digest) -}}
{{- end -}}
{{- else if $image.tag -}}
{{- if not (regexMatch "^(sha-)?[0-9a-f]{7,40}$" (toString $image.tag)) -}}
{{- fail (printf "\n%s.tag: %q is not pinned (expected: a commit-SHA tag such as 3f2c1ab or sha-3f2c1ab, or set %s.digest=sha256:...)" $prefix (toString $image.tag) $prefix) -}}
{{- end -}}
{{- else -}}
{{- fail (printf "\n%s.digest or %s.tag is required: pin the image, e.g. --set %s.digest=sha256:<64 hex> or --set %s.tag=3f2c1ab (a commit SHA)" $prefix $prefix $prefix $prefix) -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.guards" -}}
{{- $v := .Values -}}
{{- include "gatehouse.require" (list "publicUrl" $v.publicUrl "the externally visible https URL, also the token issuer, e.g. --set publicUrl=https://gatehouse.acme.test") -}}
{{- if and $v.production (not (hasPrefix "https://" $v.publicUrl)) -}}
{{- fail (printf "\npublicUrl: %q (expected: an https:// URL while production is true, e.g. https://gatehouse.acme.test)" $v.publicUrl) -}}
{{- end -}}
{{- include "gatehouse.requirePinnedImage" (list "image" $v.image "ghcr.io/acme/gatehouse") -}}
{{- if or $v.production (include "gatehouse.multiPod" .) -}}
{{- $why := ternary "more than one pod runs (roles.replicas > 1, roles.split or autoscaling.enabled)" "production is true (SQLite is refused)" (eq (include "gatehouse.multiPod" .) "true") -}}
{{- include "gatehouse.require" (list "postgresql.url" $v.postgresql.url (printf "PostgreSQL is needed because %s, e.g. --set postgresql.url=jdbc:postgresql://postgres.db.svc:5432/gatehouse" $why)) -}}
{{- end -}}
{{- if $v.postgresql.url -}}
{{- if not (hasPrefix "jdbc:postgresql://" $v.postgresql.url) -}}
{{- fail (printf "\npostgresql.url: %q (expected: jdbc:postgresql://host:port/database)" $v.postgresql.url) -}}
{{- end -}}
{{- include "gatehouse.require" (list "postgresql.existingSecret" $v.postgresql.existingSecret "the Secret holding the database password, e.g. kubectl create secret generic gatehouse-db --from-literal=password=... then --set postgresql.existingSecret=gatehouse-db") -}}
{{- end -}}
{{- if $v.redis.url -}}
{{- include "gatehouse.require" (list "redis.url" $v.redis.url "e.g. redis://redis.cache.svc:6379/0") -}}
{{- end -}}
{{- if $v.sandbox.enabled -}}
{{- include "gatehouse.require" (list "sandbox.namespace" $v.sandbox.namespace "the existing namespace sandboxes run in, e.g. --set sandbox.namespace=gatehouse-sandboxes") -}}
{{- if eq $v.sandbox.namespace .Release.Namespace -}}
{{- fail (printf "\nsandbox.namespace: %q is the release namespace (expected: a namespace of its own, so the controller's Role covers sandboxes only)" $v.sandbox.namespace) -}}
{{- end -}}
{{- include "gatehouse.requirePinnedImage" (list "sandbox.runtimeImage" $v.sandbox.runtimeImage "ghcr.io/acme/gatehouse-runtime") -}}
{{- end -}}
{{- if eq (int $v.service.managementPort) 8080 -}}
{{- fail "\nservice.managementPort: 8080 is the pods' API port (expected: a port of its own, e.g. 9464: /metrics stays off the API port)" -}}
{{- end -}}
{{- if eq (int $v.service.managementPort) (int $v.service.port) -}}
{{- fail (printf "\nservice.managementPort: %d is service.port (expected: a port of its own: the Service cannot have one port twice)" (int $v.service.port)) -}}
{{- end -}}
{{- if $v.ingress.enabled -}}
{{- include "gatehouse.require" (list "ingress.host" $v.ingress.host "the host name of publicUrl, e.g. --set ingress.host=gatehouse.acme.test") -}}
{{- end -}}
{{- range $key := list "server" "store" "dataDir" "roles" "production" -}}
{{- if hasKey $v.config $key -}}
{{- if or (ne $key "server") (hasKey (index $v.config "server") "publicUrl") (hasKey (index $v.config "server") "port") (hasKey (index $v.config "server") "host") (hasKey (index $v.config "server") "managementPort") -}}
{{- fail (printf "\nconfig.%s: set by the chart (expected: the chart's own value instead, see docs/deploy.md#values)" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
