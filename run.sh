#!/usr/bin/env bash
# faultline for a newcomer: install what is missing, build, run the quick suite on this
# machine's kernel, print the table and where the JSON is.
#   ./run.sh                 quick suite
#   ./run.sh SUITE.json      another suite
set -euo pipefail
cd "$(dirname "$0")"
suite=${1:-configs/suites/quick.json}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: note: not root; tracepoints will be 'unsupported' and missing packages cannot be installed" >&2
fi
scripts/deps.sh
echo "run.sh: building"
make -s all
echo "run.sh: running $suite on $(uname -r)"
exec bin/faultline run "$suite"
