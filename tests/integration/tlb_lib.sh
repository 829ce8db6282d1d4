# Sourced (not a test): does this machine send remote TLB flushes without an IPI, so the
# TLB-shootdown row of /proc/interrupts undercounts? tlb_ipi_less prints 1 or 0.
# KVM's paravirtual flush is on when CPUID says PV_TLB_FLUSH and STEAL_TIME, no REALTIME hint,
# no MWAIT and more than one CPU (arch/x86/kernel/kvm.c pv_tlb_flush_supported), read from
# /dev/cpu/0/cpuid (the kernel's view: a PVM guest's kernel reads KVM's leaves with
# PV_TLB_FLUSH, and flushes by PVM's hypercall instead, without an IPI too); else the boot line
# in the kernel log (Hyper-V's, a PVM guest's, or KVM's while the ring buffer still holds it: a
# busy log drops the boot lines).
tlb_ipi_less() {
	python3 - <<'PY' 2>/dev/null && return
import os, struct, sys
def leaf(f, n):
    f.seek(n)
    return struct.unpack("<4I", f.read(16))
with open("/dev/cpu/0/cpuid", "rb", buffering=0) as f:
    a, b, c, d = leaf(f, 0x40000000)
    if struct.pack("<3I", b, c, d) != b"KVMKVMKVM\0\0\0":
        sys.exit(1)
    feat, _, _, hints = leaf(f, 0x40000001)
    mwait = leaf(f, 1)[2] >> 3 & 1
pv = feat >> 9 & 1 and feat >> 5 & 1 and not hints & 1 and not mwait and os.cpu_count() > 1
print(1 if pv else 0)
PY
	[ "$(dmesg 2>/dev/null | grep -cE 'KVM setup pv remote TLB flush|Using hypercall for remote TLB flush|remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI')" -gt 0 ] && echo 1 || echo 0
}
