// SPDX-License-Identifier: GPL-2.0
/* Kernel identity texts: config symbols (.config), the "uname -a" line and a sysfs
 * "[choice]" selector (procparse_kernel.h). Pure: the text is passed in. */
#include "probes/procparse_kernel.h"
#include "probes/procparse_line.h"

#include <ctype.h>
#include <string.h>

const char *const fl_mechanism_symbols[] = {
	"PER_VMA_LOCK", "PER_VMA_LOCK_STATS", "SPECULATIVE_PAGE_FAULT",
	"TRANSPARENT_HUGEPAGE", "READ_ONLY_THP_FOR_FS", "MMU_GATHER_RCU_TABLE_FREE",
	"SWAP", "ZRAM", "MEMCG", "DEBUG_TLBFLUSH", "PROVE_LOCKING", "DEBUG_VM", "KASAN",
	NULL,
};

/* Does [p, end) read "CONFIG_<sym>" followed by term (a string)? Returns past it or NULL. */
static const char *config_match(const char *p, const char *end, const char *sym,
				const char *term)
{
	size_t sl = strlen(sym), tl = strlen(term);

	if ((size_t)(end - p) < 7 + sl + tl || strncmp(p, "CONFIG_", 7) ||
	    strncmp(p + 7, sym, sl) || strncmp(p + 7 + sl, term, tl))
		return NULL;
	return p + 7 + sl + tl;
}

char fl_config_lookup(const char *config_text, const char *sym)
{
	const char *p = config_text, *end, *next, *v;

	while (p && *p) {
		next = fl_line_next(p, &end);
		v = config_match(p, end, sym, "=");
		if (v) {
			if (end - v == 1 && (*v == 'y' || *v == 'm'))
				return *v;
			return end - v == 1 && *v == 'n' ? 'n' : 'v';
		}
		if (!strncmp(p, "# ", 2) && config_match(p + 2, end, sym, " is not set"))
			return 'n';
		p = next;
	}
	return 0;
}

/*
 * Per-arch symbols, reported only on that arch: the page-table mechanisms the seed threads
 * turn on there. powerpc book3s64 builds both MMUs (radix, hash) and allocates page tables
 * as fragments of a 64K page; arm64 and s390 free page tables through RCU (in the common
 * list) and have no arch symbol to add.
 */
static const char *const mechanism_symbols_ppc64[] = {
	"PPC_RADIX_MMU", "PPC_64S_HASH_MMU", "PPC_64K_PAGES", NULL,
};

const char *const *fl_mechanism_arch_symbols(const char *machine)
{
	static const char *const none[] = { NULL };

	if (machine && !strncmp(machine, "ppc64", 5))
		return mechanism_symbols_ppc64;
	return none;
}

static void config_flags(json_t *obj, const char *config_text, const char *const *sym)
{
	char c;

	for (; *sym; sym++) {
		c = config_text ? fl_config_lookup(config_text, *sym) : 0;
		json_object_set_new(obj, *sym, config_text ? json_boolean(c == 'y' || c == 'm') :
				    json_null());
	}
}

json_t *fl_config_mechanisms(const char *config_text, const char *machine)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	config_flags(obj, config_text, fl_mechanism_symbols);
	config_flags(obj, config_text, fl_mechanism_arch_symbols(machine));
	return obj;
}

static int copy_span(char *out, size_t len, const char *p, const char *end)
{
	if ((size_t)(end - p) >= len)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

#define UNAME_MAX_TOKENS 64

/*
 * "uname -a" is "sysname nodename release version... machine [processor] [platform] os";
 * the version has blanks in it, so the machine is found from the end: drop the OS
 * ("GNU/Linux"), "unknown" fields, and processor/platform words equal to the machine.
 */
int fl_parse_uname_a(const char *line, char *release, size_t rlen, char *version, size_t vlen,
		     char *machine, size_t mlen)
{
	const char *beg[UNAME_MAX_TOKENS], *fin[UNAME_MAX_TOKENS], *p = line;
	int n = 0, last;

	while (*p && *p != '\n' && n < UNAME_MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		beg[n] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		fin[n++] = p;
	}
	last = n - 1;
	if (last >= 0 && (memchr(beg[last], '/', (size_t)(fin[last] - beg[last])) ||
			  !strncmp(beg[last], "Linux", 5)))
		last--;
	while (last > 3 && fin[last] - beg[last] == 7 && !strncmp(beg[last], "unknown", 7))
		last--;
	while (last > 4 && fin[last] - beg[last] == fin[last - 1] - beg[last - 1] &&
	       !strncmp(beg[last], beg[last - 1], (size_t)(fin[last] - beg[last])))
		last--;
	if (last < 4)
		return -1;
	if (copy_span(release, rlen, beg[2], fin[2]) ||
	    copy_span(version, vlen, beg[3], fin[last - 1]) ||
	    copy_span(machine, mlen, beg[last], fin[last]))
		return -1;
	return 0;
}

int fl_sysfs_selected(const char *text, char *out, size_t len)
{
	const char *open = strchr(text, '['), *close;

	if (!open)
		return -1;
	close = strchr(open, ']');
	if (!close || close == open + 1)
		return -1;
	return copy_span(out, len, open + 1, close);
}

