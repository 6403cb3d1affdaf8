#!/usr/bin/env bash
# Checks (and where possible installs) every tool `make test` needs, and says how to get
# the ones it cannot install. Idempotent; prints one line per tool.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail=0

# pip_install PACKAGE COMMAND: tries to install a missing Python tool (quickly: a machine
# without PyPI access fails in seconds) and reports whether COMMAND is now present.
pip_install() {
  command -v python3 >/dev/null || return 1
  echo "check: $2 not found; trying: python3 -m pip install --user '$1'"
  python3 -m pip install --quiet --user --timeout 15 --retries 1 "$1" >/dev/null 2>&1 || return 1
  PATH="$(python3 -m site --user-base)/bin:$PATH"
  hash -r
  command -v "$2" >/dev/null
}

# Go toolchain.
if ! command -v go >/dev/null; then echo "check: go not found; install Go 1.26 (https://go.dev/dl/)"; exit 1; fi
echo "check: $(go version)"

# moto_server: DynamoDB, DynamoDB Streams and Secrets Manager for the AWS-side tests.
if command -v moto_server >/dev/null || pip_install 'moto[server]>=5,<6' moto_server; then
  echo "check: moto_server $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo present)"
else
  echo "check: moto_server not found; install it with: pip install 'moto[server]' (moto 5)"; fail=1
fi

# cfn-lint: validates template.yaml (with the SAM transform).
if command -v cfn-lint >/dev/null || pip_install 'cfn-lint>=1,<2' cfn-lint; then
  echo "check: $(cfn-lint --version)"
else
  echo "check: cfn-lint not found; install it with: pip install cfn-lint"; fail=1
fi

# aws-lambda-rie: the Lambda runtime interface emulator, a Go program: installed into bin/.
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
if [ -x bin/aws-lambda-rie ] && [ "$(cat bin/.rie-version 2>/dev/null)" = "$RIE_VERSION" ]; then
  echo "check: aws-lambda-rie $RIE_VERSION (bin/)"
else
  echo "check: installing aws-lambda-rie $RIE_VERSION into bin/"
  mkdir -p bin
  GOBIN="$PWD/bin" go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$RIE_VERSION"
  echo "$RIE_VERSION" > bin/.rie-version
fi

exit $fail
