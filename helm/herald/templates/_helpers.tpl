{{/* Names are cut to 63 characters: Kubernetes label values and DNS names allow no more. */}}
{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "herald.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of a per-target resource; the suffix is kept whole so targets never collide. */}}
{{- define "herald.targetName" -}}
{{- $root := index . 0 }}
{{- $suffix := index . 1 }}
{{- printf "%s-%s" (include "herald.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "herald.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "herald.labels" -}}
helm.sh/chart: {{ include "herald.chart" . }}
{{ include "herald.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: herald
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of one component (a target, or "migrate"); called with (list $ "dispatcher"). */}}
{{- define "herald.componentLabels" -}}
{{ include "herald.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "herald.componentSelectorLabels" -}}
{{ include "herald.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "herald.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "herald.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "herald.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret every target reads: the user's, or the one the chart makes. */}}
{{- define "herald.secretName" -}}
{{- default (include "herald.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Where the bundled charts' objects are, named as those charts name them. */}}
{{- define "herald.natsFullname" -}}
{{- if .Values.nats.fullnameOverride }}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains "nats" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "herald.postgresqlFullname" -}}
{{- if .Values.postgresql.fullnameOverride }}
{{- .Values.postgresql.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains "postgresql" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-postgresql" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "herald.natsUrl" -}}
{{- if .Values.config.natsUrl }}
{{- .Values.config.natsUrl }}
{{- else if .Values.nats.enabled }}
{{- printf "nats://%s.%s.svc:4222" (include "herald.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- fail "config.natsUrl is required (e.g. nats://nats.nats.svc:4222), or set nats.enabled=true for a bundled NATS" }}
{{- end }}
{{- end }}

{{/* The dispatcher's stream, named as herald-bus names it: {PREFIX}_DELIVERIES, upper case. */}}
{{- define "herald.deliveriesStream" -}}
{{- printf "%s_DELIVERIES" (.Values.config.subjectPrefix | upper | replace "-" "_") }}
{{- end }}

{{- define "herald.natsMonitoringEndpoint" -}}
{{- $keda := .Values.targets.dispatcher.keda }}
{{- if $keda.natsServerMonitoringEndpoint }}
{{- $keda.natsServerMonitoringEndpoint }}
{{- else if .Values.nats.enabled }}
{{- printf "%s-headless.%s.svc:8222" (include "herald.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- fail "targets.dispatcher.keda.natsServerMonitoringEndpoint is required (NATS monitoring host:port, e.g. nats-headless.nats.svc:8222)" }}
{{- end }}
{{- end }}

{{/*
Checks that cannot be said in values.schema.json because they join several keys. Every
template that needs the secrets includes this, so a missing one fails the render at once.
*/}}
{{- define "herald.validate" -}}
{{- $s := .Values.secrets }}
{{- if $s.existingSecret }}
{{- if or $s.adminToken $s.encryptionKey $s.oldEncryptionKeys $s.databaseUrl $s.smtpPassword }}
{{- fail "secrets.existingSecret is set: leave secrets.adminToken, encryptionKey, oldEncryptionKeys, databaseUrl and smtpPassword empty (they belong in that Secret)" }}
{{- end }}
{{- else }}
{{- if not $s.adminToken }}
{{- fail "secrets.adminToken is required (e.g. `openssl rand -hex 32`), or name a Secret in secrets.existingSecret" }}
{{- end }}
{{- if not $s.encryptionKey }}
{{- fail "secrets.encryptionKey is required (`openssl rand -hex 32`; keep it safe), or name a Secret in secrets.existingSecret" }}
{{- end }}
{{- if and (not $s.databaseUrl) (not .Values.postgresql.enabled) }}
{{- fail "secrets.databaseUrl is required (postgres://user:password@host:5432/herald), or set postgresql.enabled=true, or name a Secret in secrets.existingSecret" }}
{{- end }}
{{- end }}
{{- if and .Values.postgresql.enabled $s.databaseUrl }}
{{- fail "postgresql.enabled and secrets.databaseUrl are both set: choose the bundled Postgres or your own" }}
{{- end }}
{{- if and .Values.config.smtp.host (not .Values.config.smtp.from) }}
{{- fail "config.smtp.from is required when config.smtp.host is set" }}
{{- end }}
{{- $any := false }}
{{- range $name, $t := .Values.targets }}
{{- if $t.enabled }}{{ $any = true }}{{ end }}
{{- end }}
{{- if not $any }}
{{- fail "every target is disabled: enable at least one of targets.ingest, dispatcher, digest, api" }}
{{- end }}
{{- $_ := include "herald.natsUrl" . }}
{{- end }}

{{/*
HERALD_DATABASE_URL from the bundled Postgres: CloudNativePG keeps the application user's URL
under `uri` in the `<cluster>-app` Secret. Rendered as an env entry, which wins over envFrom.
*/}}
{{- define "herald.bundledDatabaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: HERALD_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "herald.postgresqlFullname" . }}-app
      key: uri
{{- end }}
{{- end }}

{{/* Environment variables from a NAME: value map, in name order so renders are stable. */}}
{{- define "herald.envMap" -}}
{{- range $name := keys . | sortAlpha }}
- name: {{ $name }}
  value: {{ index $ $name | toString | quote }}
{{- end }}
{{- end }}

{{/*
The Secret's data. With (list $ true) only what `herald migrate` needs: the migration hook's
own copy holds no more than that.
*/}}
{{- define "herald.secretData" -}}
{{- $root := . }}
{{- $migrateOnly := false }}
{{- if kindIs "slice" . }}
{{- $root = index . 0 }}
{{- $migrateOnly = index . 1 }}
{{- end }}
{{- $s := $root.Values.secrets }}
HERALD_ENCRYPTION_KEY: {{ $s.encryptionKey | b64enc | quote }}
{{- with $s.databaseUrl }}
HERALD_DATABASE_URL: {{ . | b64enc | quote }}
{{- end }}
{{- if not $migrateOnly }}
HERALD_ADMIN_TOKEN: {{ $s.adminToken | b64enc | quote }}
{{- with $s.oldEncryptionKeys }}
HERALD_ENCRYPTION_KEYS: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.smtpPassword }}
HERALD_SMTP_PASSWORD: {{ . | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}
