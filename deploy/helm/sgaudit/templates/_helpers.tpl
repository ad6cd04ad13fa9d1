{{/* Object name prefix: "<release>-sgaudit", or the release name alone when it already says sgaudit. */}}
{{- define "sgaudit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else if contains "sgaudit" .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-sgaudit" .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* 52, not 63: "-probe-agent" still fits a label value. */}}
{{- define "sgaudit.agentName" -}}
{{- printf "%s-probe-agent" (include "sgaudit.fullname" .) -}}
{{- end -}}

{{- define "sgaudit.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: sgaudit
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* What a workload is, without the release: for objects that already carry sgaudit.labels. */}}
{{- define "sgaudit.serverIdentity" -}}
app.kubernetes.io/name: sgaudit
app.kubernetes.io/component: server
{{- end -}}

{{- define "sgaudit.agentIdentity" -}}
app.kubernetes.io/name: sgaudit
app.kubernetes.io/component: probe-agent
{{- end -}}

{{/* Selectors include the release, so two releases in one namespace never select each other's pods. */}}
{{- define "sgaudit.serverSelector" -}}
{{ include "sgaudit.serverIdentity" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sgaudit.agentSelector" -}}
{{ include "sgaudit.agentIdentity" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sgaudit.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The environment variable a token is read from: SGAUDIT_TOKEN_<NAME>, upper case, non-alphanumerics as _. */}}
{{- define "sgaudit.tokenEnv" -}}
{{- printf "SGAUDIT_TOKEN_%s" (regexReplaceAll "[^A-Z0-9]" (upper .) "_") -}}
{{- end -}}

{{/*
Every check of the values that the server would otherwise only report at start, or that no
manifest would show: refused at render time, with the value path, the value and the reason.
*/}}
{{- define "sgaudit.validate" -}}
{{- $v := .Values -}}
{{- if not (regexMatch "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$" (toString $v.cluster.name)) -}}
{{- fail (printf "cluster.name %q: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ (the name callers use in /v1/clusters/{name})" (toString $v.cluster.name)) -}}
{{- end -}}
{{- if hasKey $v.extraClusters $v.cluster.name -}}
{{- fail (printf "extraClusters.%s: the name is already cluster.name, the in-cluster target" $v.cluster.name) -}}
{{- end -}}
{{- if empty $v.tokens -}}
{{- fail "tokens: empty; the server refuses to start without an API token (list one with existingSecret+secretKey or sha256)" -}}
{{- end -}}
{{- range $i, $t := $v.tokens -}}
{{- if and $t.existingSecret $t.sha256 -}}
{{- fail (printf "tokens[%d] (%s): give existingSecret or sha256, not both" $i (toString $t.name)) -}}
{{- end -}}
{{- if not (or $t.existingSecret $t.sha256) -}}
{{- fail (printf "tokens[%d] (%s): needs existingSecret (with secretKey) or sha256" $i (toString $t.name)) -}}
{{- end -}}
{{- if and $t.existingSecret (not $t.secretKey) -}}
{{- fail (printf "tokens[%d] (%s): existingSecret %q needs secretKey, the key of the token in it" $i (toString $t.name) $t.existingSecret) -}}
{{- end -}}
{{- if empty $t.scopes -}}
{{- fail (printf "tokens[%d] (%s): scopes is empty; give some of read, audit, admin, probe" $i (toString $t.name)) -}}
{{- end -}}
{{- end -}}
{{- if le (int $v.server.terminationGracePeriodSeconds) (int $v.server.shutdownGrace) -}}
{{- fail (printf "server.terminationGracePeriodSeconds %v: must exceed server.shutdownGrace %v, or the kubelet kills the server before its drain ends" $v.server.terminationGracePeriodSeconds $v.server.shutdownGrace) -}}
{{- end -}}
{{- if and (gt (int $v.server.replicaCount) 1) (not $v.database.existingSecret) -}}
{{- fail (printf "server.replicaCount %v: more than one replica needs database.existingSecret (PostgreSQL); with SQLite each replica would keep its own audits" $v.server.replicaCount) -}}
{{- end -}}
{{- if and (not $v.probe.enabled) (empty $v.cluster.cloud) -}}
{{- fail "cluster.cloud: empty while probe.enabled is false; the in-cluster target needs a cloud to audit, probes to probe, or both" -}}
{{- end -}}
{{- if and $v.probe.enabled (not $v.probe.existingSecret) -}}
{{- fail "probe.existingSecret: empty while probe.enabled; name the Secret holding the agents' shared secret" -}}
{{- end -}}
{{- if and $v.probe.enabled (not (regexMatch "^[A-Za-z_][A-Za-z0-9_]*$" (toString $v.probe.secretEnv))) -}}
{{- fail (printf "probe.secretEnv %q: must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)" (toString $v.probe.secretEnv)) -}}
{{- end -}}
{{- if or (lt (int $v.probe.port) 1024) (gt (int $v.probe.port) 65535) -}}
{{- fail (printf "probe.port %v: must be 1024-65535; the agent runs without privileges and cannot bind a lower port" $v.probe.port) -}}
{{- end -}}
{{- if or (lt (int $v.probe.ratePerSecond) 1) (ne (toString (int $v.probe.ratePerSecond)) (toString $v.probe.ratePerSecond)) -}}
{{- fail (printf "probe.ratePerSecond %v: must be a whole number of datagrams per second, at least 1" $v.probe.ratePerSecond) -}}
{{- end -}}
{{- if and $v.probe.enabled (not (regexMatch "^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$" (toString $v.agent.overlayDevice))) -}}
{{- fail (printf "agent.overlayDevice %q: must be a network device name (1-15 characters: letters, digits, . _ -), the VXLAN device the CNI creates: flannel.<VNI> for flannel, Canal, k3s and RKE2, vxlan.calico for Calico" (toString $v.agent.overlayDevice)) -}}
{{- end -}}
{{- if and $v.serviceMonitor.enabled (not $v.serviceMonitor.tokenSecret.name) -}}
{{- fail "serviceMonitor.tokenSecret.name: empty while serviceMonitor.enabled; /metrics needs a token with the read scope" -}}
{{- end -}}
{{- end -}}

{{/* The sgaudit configuration file (docs/rest.md "Configuration file"), built as data and printed once. */}}
{{- define "sgaudit.configFile" -}}
{{- $v := .Values -}}
{{- $tokens := list -}}
{{- range $v.tokens -}}
{{- if .sha256 -}}
{{- $tokens = append $tokens (dict "name" .name "sha256" .sha256 "scopes" .scopes) -}}
{{- else -}}
{{- $tokens = append $tokens (dict "name" .name "tokenEnv" (include "sgaudit.tokenEnv" .name) "scopes" .scopes) -}}
{{- end -}}
{{- end -}}
{{- $self := dict "kubernetes" (dict "inCluster" true) -}}
{{- if $v.cluster.cloud -}}
{{- $_ := set $self "cloud" $v.cluster.cloud -}}
{{- end -}}
{{- if not (kindIs "invalid" $v.cluster.requestTimeout) -}}
{{- $_ := set $self "requestTimeout" $v.cluster.requestTimeout -}}
{{- end -}}
{{- if not (kindIs "invalid" $v.cluster.deadline) -}}
{{- $_ := set $self "deadline" $v.cluster.deadline -}}
{{- end -}}
{{- if $v.probe.enabled -}}
{{- $probe := dict "agentPort" (int $v.probe.port) "secretEnv" $v.probe.secretEnv "ratePerSecond" (int $v.probe.ratePerSecond) -}}
{{- if not (kindIs "invalid" $v.probe.timeoutSeconds) -}}
{{- $_ := set $probe "timeoutSeconds" $v.probe.timeoutSeconds -}}
{{- end -}}
{{- $_ := set $self "probe" $probe -}}
{{- end -}}
{{- $clusters := merge (dict $v.cluster.name $self) (deepCopy $v.extraClusters) -}}
{{- $config := dict "tokens" $tokens "clusters" $clusters -}}
{{- if $v.defaults -}}
{{- $_ := set $config "defaults" $v.defaults -}}
{{- end -}}
{{- if $v.retention -}}
{{- $_ := set $config "retention" $v.retention -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
