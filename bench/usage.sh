# shellcheck shell=bash
# Sourced by each bench script before it reads its arguments: -h or --help as the first one
# prints the comment at the top of the script (what it measures, its usage) and exits 0.
case ${1:-} in
-h | --help)
	sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0
	;;
esac
