#!/usr/bin/env bash
# Builds bin/kube-harness unless a binary built from the same sources exists.
# The cache key is a hash of go.mod, go.sum and the harness's Go files, so a
# Kubernetes bump or a harness change rebuilds; anything else is a no-op.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null 2>&1; then
  echo "test/apiserver: Go is required to build the real kube-apiserver harness (https://go.dev/dl)" >&2
  exit 1
fi
key=$(cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
binary="bin/kube-harness-${key}"
if [ -x "$binary" ]; then
  echo "$binary (cached)"
  exit 0
fi
kubernetes=$(GOFLAGS=-mod=mod go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=$(echo "$kubernetes" | cut -d. -f2)
version_package=k8s.io/component-base/version
mkdir -p bin
started=$(date +%s)
echo "building kube-harness for Kubernetes ${kubernetes} (a cold build takes several minutes)..." >&2
CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X ${version_package}.gitVersion=${kubernetes} -X ${version_package}.gitMajor=1 -X ${version_package}.gitMinor=${minor} -X ${version_package}.gitTreeState=clean" \
  -o "${binary}.partial" .
mv "${binary}.partial" "$binary"
find bin -name 'kube-harness-*' ! -name "$(basename "$binary")" -delete
echo "built $binary in $(( $(date +%s) - started ))s" >&2
echo "$binary"
