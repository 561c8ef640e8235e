{{/*
Relabelings shared by the ServiceMonitor and the PodMonitor: job="herald-<target>" whatever
the release is called (the alert rules in deploy/prometheus match job=~".*herald.*"), and the
target as a label of its own.
*/}}
{{- define "herald.scrapeRelabelings" -}}
- sourceLabels: [__meta_kubernetes_pod_label_app_kubernetes_io_component]
  targetLabel: target
- sourceLabels: [__meta_kubernetes_pod_label_app_kubernetes_io_component]
  targetLabel: job
  replacement: herald-$1
{{- end }}
