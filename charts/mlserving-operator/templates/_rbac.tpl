{{/*
What the operator does in the namespaces it watches, and nothing more. No wildcards and no
Secrets: a model's credentialsSecret is only named in the loader's envFrom, the kubelet reads it.
*/}}
{{- define "mlserving-operator.rules" -}}
# The five kinds: read them; write only their status (their spec and metadata belong to GitOps).
- apiGroups: ["mlserving.io"]
  resources: ["inferenceservices", "abtests", "shadowtests", "circuitbreakers", "canaries"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["mlserving.io"]
  resources: ["inferenceservices/status", "abtests/status", "shadowtests/status", "circuitbreakers/status",
      "canaries/status"]
  verbs: ["get", "update", "patch"]
# What it generates.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["networking.istio.io"]
  resources: ["virtualservices", "destinationrules"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Pods: read only, to report a failing model loader in the Ready condition.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
