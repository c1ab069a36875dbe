#!/usr/bin/env bash
# Regenerates go.mod for a Kubernetes version: k8s.io/kubernetes requires each
# of its staging modules at v0.0.0 and points them at ./staging with replace
# directives, which Go ignores in a dependency, so this module must replace
# every one of them with the published v0.<minor>.<patch> tag itself.
# Usage: ./gen-replaces.sh v1.35.4
set -euo pipefail
cd "$(dirname "$0")"
version="${1:?usage: $0 v1.35.N}"
staging_version="v0.${version#v1.}"
mod=$(go mod download -json "k8s.io/kubernetes@${version}" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
[ -f "$mod" ] || { echo "could not download k8s.io/kubernetes@${version}" >&2; exit 1; }
go_version=$(sed -n 's/^go \(.*\)$/\1/p' "$mod")
{
  echo "// The real kube-apiserver harness: its own module, because it replaces"
  echo "// Kubernetes' staging modules (see gen-replaces.sh, which writes this file)."
  echo "module effect-kube/test/apiserver"
  echo
  echo "go ${go_version}"
  echo
  echo "require k8s.io/kubernetes ${version}"
  echo
  echo "replace ("
  grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/' "$mod" | awk -v v="$staging_version" '{ printf "\t%s => %s %s\n", $1, $1, v }'
  echo ")"
} > go.mod
echo "go.mod: k8s.io/kubernetes ${version}, staging modules at ${staging_version}"
