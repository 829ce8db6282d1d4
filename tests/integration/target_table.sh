#!/usr/bin/env bash
# The target table (runner/targets/target.c fl_targets[]) is the one list of target kinds:
# every kind in it is in `faultline run --help` and in the unknown-target message, and the
# commands ask a target's capabilities (FL_TGT_*), never compare its kind with a name.
. "$(dirname "$0")/lib.sh"
cd "$FL_ROOT" || exit 1
F="$FL_BIN/faultline"

"$F" run --help > "$TMP/help" 2>&1
"$F" run --target no-such-kind configs/suites/quick.json > /dev/null 2> "$TMP/unknown"
ops=$(sed -n '/fl_targets\[\] = {/,/NULL/p' runner/targets/target.c | grep -o 'fl_target_[a-z_]*_ops')
check "the target table lists targets" test -n "$ops"
for o in $ops; do
	file=$(grep -l "^const struct fl_target_ops $o = {" runner/targets/*.c)
	body=$(sed -n "/^const struct fl_target_ops $o = {/,/^};/p" $file)
	kind=$(echo "$body" | sed -n 's/.*\.kind = "\([^"]*\)".*/\1/p')
	spec=$(echo "$body" | sed -n 's/.*\.spec = "\([^"]*\)".*/\1/p')
	spec=${spec:-$kind}
	check "$o has a kind ($file)" test -n "$kind"
	check "run --help lists target $spec" grep -qxF -- "    $spec" <(cut -c1-$((4 + ${#spec})) "$TMP/help")
	check "the unknown-target message lists $spec" grep -qF -- "$spec" "$TMP/unknown"
done
hits=$(grep -nE 'kind *= *"(local|qemu|ssh)"|(strcmp|strncmp)\([^)]*kind' runner/cmd_run.c \
	runner/cmd_hunt.c runner/run/run_multi.c || true)
check "run, hunt and the multi-kernel run name no target kind${hits:+: $hits}" test -z "$hits"
done_testing
