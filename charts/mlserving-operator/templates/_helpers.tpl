{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "mlserving-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: the release name, plus the chart name unless it already has it. */}}
{{- define "mlserving-operator.fullname" -}}
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

{{- define "mlserving-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The standard app.kubernetes.io labels, on every object of the chart. */}}
{{- define "mlserving-operator.labels" -}}
helm.sh/chart: {{ include "mlserving-operator.chart" . }}
{{ include "mlserving-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mlserving
{{- end }}

{{/* Labels that select the operator's pods; never change them after a release (selectors are immutable). */}}
{{- define "mlserving-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mlserving-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "mlserving-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mlserving-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mlserving-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Namespaces the operator watches, as a list. Namespace scope without a list means the release
namespace: the operator then has permissions there only. Cluster scope without a list means all.
*/}}
{{- define "mlserving-operator.watchNamespaces" -}}
{{- $list := .Values.watchNamespaces | default list }}
{{- if and (eq .Values.rbac.scope "namespace") (empty $list) }}
{{- $list = list .Release.Namespace }}
{{- end }}
{{- toJson (uniq $list) }}
{{- end }}

{{- define "mlserving-operator.leaseNamespace" -}}
{{- .Values.leaderElection.leaseNamespace | default .Release.Namespace }}
{{- end }}

{{/*
Checks the schema also makes, for installs run with --skip-schema-validation.
*/}}
{{- define "mlserving-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicaCount is %d but leaderElection.enabled is false: two operators would reconcile the same resources at once. Set leaderElection.enabled=true, or replicaCount=1." (int .Values.replicaCount)) }}
{{- end }}
{{- if not (has .Values.rbac.scope (list "cluster" "namespace")) }}
{{- fail (printf "rbac.scope must be cluster or namespace, not %q" .Values.rbac.scope) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.service.enabled: the ServiceMonitor scrapes that Service" }}
{{- end }}
{{- if and .Values.mlflow.credentialsSecret (not .Values.mlflow.trackingUri) }}
{{- fail "mlflow.credentialsSecret needs mlflow.trackingUri: the operator sends its MLflow credentials only to that server" }}
{{- end }}
{{- end }}
