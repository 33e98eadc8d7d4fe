#!/usr/bin/env bash
# The proto is a contract other teams generate clients from: lint it with buf's STANDARD and
# COMMENTS rules, and check it for breaking changes against the previous commit's proto.
# buf comes from the npm package @bufbuild/buf, which carries its binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
buf="$root/target/buf/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  npm install --silent --no-audit --no-fund --prefix "$root/target/buf" @bufbuild/buf@1.75.0
fi
"$buf" lint proto
echo "buf lint: clean"
if git rev-parse --verify -q HEAD~1 >/dev/null && git cat-file -e HEAD~1:proto/gazette/v1/service.proto 2>/dev/null; then
  "$buf" breaking proto --against ".git#ref=HEAD~1,subdir=proto"
  echo "buf breaking: no incompatible change against HEAD~1"
else
  echo "buf breaking: no earlier proto to compare with"
fi
