#!/bin/sh
# See bench/compare-stats.py: false-positive and detection rates of faultline compare.
exec python3 "$(dirname "$0")/compare-stats.py" "$@"
