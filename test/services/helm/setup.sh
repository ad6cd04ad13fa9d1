#!/usr/bin/env bash
# Installs the helm CLI that the `helm` test tier (test/deploy/helm-chart.test.ts) runs: built
# from the Go module proxy at a pinned version, as no apt repository here carries it.
# Idempotent: when the binary already reports the pinned version and its Kubernetes default,
# nothing is built.
#   HELM_VERSION  the version to build (default v3.22.0)
#   HELM_BIN_DIR  where the binary goes (default /usr/local/bin; the test also looks there)
set -euo pipefail

start=$(date +%s)
version="${HELM_VERSION:-v3.22.0}"
bin_dir="${HELM_BIN_DIR:-/usr/local/bin}"
target="$bin_dir/helm"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

# The Kubernetes version `helm template` and `helm lint` assume without --kube-version: helm's
# Makefile sets it from the k8s.io modules it builds against; a plain `go install` would leave
# it at v1.20 and every chart with a newer kubeVersion would fail to render.
kube_default() {
  local chart
  chart=$(mktemp -d)
  mkdir -p "$chart/templates"
  printf 'apiVersion: v2\nname: probe\nversion: 0.0.1\n' >"$chart/Chart.yaml"
  printf 'kubeVersion: {{ .Capabilities.KubeVersion.Version }}\n' >"$chart/templates/v.yaml"
  "$target" template probe "$chart" 2>/dev/null | sed -n 's/^kubeVersion: //p' || true
  rm -rf "$chart"
}

if [ -x "$target" ] && [ "$("$target" version --template '{{.Version}}' 2>/dev/null || true)" = "$version" ] \
  && [ "$(kube_default)" != "v1.20.0" ] && [ -n "$(kube_default)" ]; then
  echo "helm $version already at $target, Kubernetes default $(kube_default) ($(( $(date +%s) - start ))s)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "helm setup needs Go (https://go.dev/dl/) to build helm $version from the module proxy" >&2
  exit 1
fi

gomod=$(go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
client_go=$(awk '$1 == "k8s.io/client-go" { print $2 }' "$gomod")
k8s_minor=$(echo "$client_go" | sed -n 's/^v0\.\([0-9][0-9]*\)\..*/\1/p')
if [ -z "$k8s_minor" ]; then
  echo "cannot read the k8s.io/client-go version from $gomod (got '$client_go')" >&2
  exit 1
fi

mkdir -p "$bin_dir"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
for pkg in pkg/lint/rules pkg/chartutil; do
  ldflags="$ldflags -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
done
GOBIN="$bin_dir" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version"

got="$("$target" version --template '{{.Version}}')"
if [ "$got" != "$version" ]; then
  echo "built $target but it reports version '$got', expected $version" >&2
  exit 1
fi
echo "helm $version installed at $target, Kubernetes default $(kube_default) ($(( $(date +%s) - start ))s)"
