#!/bin/sh
# Lint the Dockerfile (no Docker engine is needed): dockerfilelint from the npm registry.
set -eu
cd "$(dirname "$0")/.."
if command -v dockerfilelint >/dev/null 2>&1; then
	out=$(dockerfilelint Dockerfile)
elif command -v npx >/dev/null 2>&1; then
	out=$(npx --yes dockerfilelint@1.8.0 Dockerfile)
else
	echo "SKIP: lint.dockerfile: neither dockerfilelint nor npx is installed"
	exit 77
fi
echo "$out"
echo "$out" | grep -q "Issues: None found" && { echo "1 passed, 0 failed"; exit 0; }
echo "1 passed, 1 failed"
exit 1
