#!/usr/bin/env bash
# Checks dockward's Go-semantics JSON decoder (crates/collect/src/parse/gojson.rs) against Go's
# own encoding/json: builds fuzz/go-oracle (mirrors of the types dockerd 20.10 decodes create,
# exec, update, volume and service bodies into; standard library only) with the local Go
# toolchain (Debian: apt-get install golang-go, which is Go 1.19 like dockerd 20.10), then runs
# the ignored differential tests on random bodies. `scripts/gojson-oracle.sh [CASES]` (default
# 20000 create bodies, a quarter of that of each other kind).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if ! command -v go >/dev/null 2>&1; then
  echo "needs the Go toolchain (apt-get install golang-go)" >&2
  exit 2
fi
go version >&2
(cd "$root/fuzz/go-oracle" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$out/go-oracle" .)
cd "$root"
GOJSON_ORACLE="$out/go-oracle" GOJSON_ORACLE_CASES="${1:-20000}" \
  cargo test -p dockward-collect --lib gojson_oracle -- --ignored --nocapture
