# Shared by wl_thp_munmap.sh and wl_pt_retract.sh: the THP settings (not counters) as text.
# shellcheck shell=bash
thp_snapshot() {
	( cd /sys/kernel/mm/transparent_hugepage 2>/dev/null && grep -r . . 2>/dev/null |
		grep -v -e '/stats/' -e 'full_scans' -e 'pages_collapsed' | sort )
}
