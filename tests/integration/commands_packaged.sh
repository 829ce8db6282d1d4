#!/usr/bin/env bash
# Every external command the project executes comes from a package scripts/packages.txt installs
# (a host line, or a "cross ARCH" line), or from Debian's Essential set (every Debian has it:
# taken from dpkg-query, Essential: yes, not a hand list). The commands are derived from the
# source, not listed by hand:
#   C (runner/, workloads/, analysis/, common/): execlp/execvp/execl literals, argv arrays
#     initialized with a literal ({ "tar", ...}), popen/system literals and the command strings
#     formatted for them (snprintf(cmd, ..., "gzip -dc ...")), PATH look-ups (find_prog("ssh")),
#     tool lists (tools[] = {...}); the QEMU binaries of kernels/machines.json (each with its
#     qemu_package); the Makefile's $(CC) $(AR) $(MAKE)
#   shell (scripts/, runner/, kernels/, tests/, bench/, run.sh, .ci/run, Makefile recipes):
#     the word in command position of each simple command (after | && || ; $( ` and the
#     keywords and prefixes: exec, nice, timeout, env, command, ...), literal text and
#     single-quoted strings left out; words that are shell builtins, keywords or functions
#     defined in the scanned files are not commands
#   python: modules imported by tests/, bench/, scripts/ and by python3 -c/heredocs in scripts
# runner/targets/guest-init.sh runs in the guest on busybox (its applets), so it is not scanned.
# Each command is resolved with Debian's PATH (/usr/sbin:/usr/bin:/sbin:/bin) and its owner
# found with dpkg -S: the path as found, its /usr-merged twin (/bin <-> /usr/bin), then the
# path its symlinks resolve to. A command Debian's alternatives provide (awk: mawk or gawk)
# is every provider's: it is packaged when one of them is listed, whichever the host selects
# today (installing lava-dispatcher, a slow line, pulls in gawk and moves awk to it).
#   FL_PACKAGES=FILE   check against another list (default scripts/packages.txt)
. "$(dirname "$0")/lib.sh"
cd "$FL_ROOT" || exit 1
list=${FL_PACKAGES:-$FL_ROOT/scripts/packages.txt}

if ! command -v dpkg-query > /dev/null; then
	skip "not a Debian system (no dpkg-query)"
	done_testing
	exit
fi
[ -r "$list" ] || { notok "cannot read the package list $list"; done_testing; exit; }

# One line per use: KIND NAME WHERE (KIND: cmd, or py for a python module).
/usr/bin/python3 - "$FL_ROOT" > "$TMP/uses" <<'PY' || notok "the command scan failed"
import glob, json, os, re, sys

root = sys.argv[1]
os.chdir(root)
uses = []		# (kind, name, where)

def add(kind, name, where):
	uses.append((kind, name, where))

# ---- C
C_PATTERNS = [
	r'\bexecl?p?e?\(\s*"([^"\s]+)"',		# execlp("curl", ...), execl("/bin/x", ...)
	r'\bexecv?p?e?\(\s*"([^"\s]+)"',
	r'\bposix_spawnp?\([^,]*,\s*"([^"\s]+)"',
	# char *tar[] = { "tar", ... } passed to exec*/fl_child_run: below
	r'\b(?:popen|system)\(\s*"([^"\s]+)',		# popen("gzip -dc ...")
	r'\bsnprintf\(\s*cmd\s*,[^"]*"([A-Za-z][\w.+-]*)\s',	# the command line for popen
	r'\bfind_prog\(\s*"([^"\s]+)"',
]
for f in sorted(glob.glob('runner/**/*.c', recursive=True) + glob.glob('workloads/**/*.c', recursive=True) +
		glob.glob('analysis/*.c') + glob.glob('common/*.c')):
	text = open(f, errors='replace').read()
	text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
	for pat in C_PATTERNS:
		if 'snprintf' in pat and not re.search(r'\b(popen|system)\(', text):
			continue
		for m in re.finditer(pat, text):
			line = text.count('\n', 0, m.start()) + 1
			add('cmd', os.path.basename(m.group(1)), f'{f}:{line}')
	for m in re.finditer(r'\*\s*(\w+)\[\w*\]\s*=\s*\{\s*"([^"\s]+)"', text):
		if re.search(r'\b(?:execv[pe]*|fl_child_run|posix_spawnp?|\w*run\w*)\(\s*' + m.group(1) + r'\b', text):
			add('cmd', os.path.basename(m.group(2)), f'{f}:{text.count(chr(10), 0, m.start()) + 1}')
	for m in re.finditer(r'\btools\[\]\s*=\s*\{([^}]*)\}', text):
		line = text.count('\n', 0, m.start()) + 1
		for t in re.findall(r'"([^"]+)"', m.group(1)):
			add('cmd', t, f'{f}:{line}')
machines = json.load(open('kernels/machines.json'))
for arch, m in machines.items():
	if isinstance(m, dict) and 'qemu' in m:
		add('qemu', m['qemu'] + ' ' + m.get('qemu_package', ''), f'kernels/machines.json:{arch}')
	if isinstance(m, dict) and not m.get('sysroot') and m.get('busybox', '').startswith('/'):
		add('cmd', m['busybox'], f'kernels/machines.json:{arch}')	# the host's static busybox

# ---- shell
KEYWORDS = set('if then else elif fi case esac for while until do done in function select '
	       'time coproc { } [[ ]] ! return'.split())
PREFIXES = {'exec', 'command', 'nice', 'timeout', 'env', 'nohup', 'setsid', 'sudo', 'xargs',
	    'chroot', 'unshare', 'stdbuf', 'ionice', 'taskset', 'flock', 'builtin', 'eval',
	    'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', 'time', '{', 'trap'}

def strip_quotes(s):
	"""Single-quoted text goes; double-quoted text keeps only its $(...)."""
	out, i, n = [], 0, len(s)
	while i < n:
		c = s[i]
		if c == '\\' and i + 1 < n:
			out.append('  ')
			i += 2
		elif c == "'":
			j = s.find("'", i + 1)
			j = n if j < 0 else j
			out.append(' @Q ' + '\n' * s.count('\n', i, j))
			i = j + 1
		elif c == '"':
			j, depth, buf = i + 1, 0, []
			while j < n and (s[j] != '"' or depth):
				if s.startswith('$(', j) and not s.startswith('$((', j):
					depth += 1
					buf.append(' $(')
					j += 2
					continue
				if depth and s[j] in '"\'':	# a quoted word inside $(...)
					k = s.find(s[j], j + 1)
					buf.append(' @Q ')
					j = n if k < 0 else k + 1
					continue
				if s[j] == ')' and depth:
					depth -= 1
					buf.append(' ) ')
				elif depth:
					buf.append(s[j])
				elif s[j] == '\\':
					j += 1
				j += 1
			out.append(' @Q' + ''.join(buf) + ' ' + '\n' * s.count('\n', i, j))
			i = j + 1
		elif c == '#' and (i == 0 or s[i - 1] in ' \t\n;'):
			j = s.find('\n', i)
			i = n if j < 0 else j
		else:
			out.append(c)
			i += 1
	return ''.join(out)

def drop_heredocs(text):
	"""Heredoc bodies are data (or another language: python is scanned for imports)."""
	lines, out, end = text.split('\n'), [], None
	for ln in lines:
		if end is not None:
			if ln.strip() == end:
				end = None
			out.append('')
			continue
		m = re.search(r'<<-?\s*[\'"]?(\w+)[\'"]?', ln)
		if m and '<<<' not in ln:
			end = m.group(1)
		out.append(ln)
	return '\n'.join(out)

def shell_commands(text, where_file, first_line=1):
	text = drop_heredocs(text)
	# line continuations join; case labels ("foo|bar)", "*.xz)", "insmod\\ *)") are not
	# commands: at a line's start, after "in" or after ";;"
	text = text.replace('\\\n', ' \x01')
	label = r"\(?(?:[^\s()|;]|\\ )+(?:\|(?:[^\s()|;]|\\ )+)*\)(?!\s*\{)"
	text = re.sub(r'(?m)(^\s*|\bin\s+|;;\s*)' + label, r'\1 ', text)
	text = strip_quotes(text)
	text = re.sub(r'\[\[.*?\]\]', ' ', text)			# [[ tests ]], their regexes
	text = re.sub(r'\(\(.*?\)\)', ' ', text)			# arithmetic, for ((...))
	text = re.sub(r'\b\w+\+?=\([^)]*\)', ' ', text)		# array assignments NAME=(...)
	text = re.sub(r'\$\{[^}]*\}', 'V', text)
	lineno = first_line - 1
	for line in text.split('\n'):
		lineno += 1 + line.count('\x01')
		line = line.replace('\x01', ' ')
		for seg in re.split(r'\|\||&&|[|;&`(){}]|\$\(', line):
			words = seg.split()
			while words:
				w = words[0]
				if re.match(r'^[A-Za-z_]\w*(\[.*\])?\+?=', w) or re.match(r'^\d*[<>]', w) \
						or w in ('-n', '-k', '-s') or re.match(r'^-?\d+(\.\d+)?[smh]?$', w):
					words.pop(0)		# assignment, redirection, prefix options
					continue
				if w in PREFIXES:
					words.pop(0)
					if w in ('command',) and words and words[0].startswith('-'):
						break		# command -v X: a look-up, not a run
					continue
				break
			if not words:
				continue
			w = words[0]
			if not re.match(r'^[A-Za-z][\w.+-]*$', w) and not re.match(r'^/(usr/)?s?bin/[\w.+-]+$', w):
				continue
			yield os.path.basename(w), f'{where_file}:{lineno}'

SHELL_FILES = (glob.glob('scripts/*.sh') + glob.glob('runner/**/*.sh', recursive=True) + glob.glob('kernels/*.sh') +
	       glob.glob('tests/*.sh') + glob.glob('tests/integration/*.sh') +
	       glob.glob('tests/slow/*.sh') + glob.glob('tests/slow/*/*.sh') + glob.glob('bench/*.sh') + ['run.sh', '.ci/run'])
SHELL_FILES = [f for f in sorted(set(SHELL_FILES)) if f != 'runner/targets/guest-init.sh']
functions = set()
for f in SHELL_FILES:
	functions |= set(re.findall(r'(?m)^\s*(?:function\s+)?([\w-]+)\s*\(\)', open(f).read()))
for f in SHELL_FILES:
	text = open(f, errors='replace').read()
	for name, where in shell_commands(text, f):
		if name not in functions and name not in KEYWORDS:
			add('cmd', name, where)
	for m in re.finditer(r'python3\s+(?:-c\s*)?[\'"]?[^\n]*?\bimport\s+([\w., ]+(?:\s+as\s+\w+)?)', text):
		line = text.count('\n', 0, m.start()) + 1
		for mod in re.split(r'\s*,\s*', m.group(1)):
			add('py', mod.split()[0].split('.')[0], f'{f}:{line}')
	for m in re.finditer(r"python3 - [^\n]*<<-?\s*'?(\w+)'?\n(.*?)\n\1\n", text, re.S):
		for mod in re.findall(r'(?m)^\s*(?:import|from)\s+([\w.]+)', m.group(2)):
			add('py', mod.split('.')[0], f'{f}:heredoc')

# Makefile recipes (tab-indented lines) and its tools
mk = open('Makefile').read()
recipes = '\n'.join(l[1:].lstrip('@-') if l.startswith('\t') else '' for l in mk.split('\n'))
tools = {'AR': 'ar', 'MAKE': 'make'}		# make's own defaults; the Makefile's word-valued
tools.update(re.findall(r'(?m)^(\w+)\s*[?:]?=\s*([A-Za-z][\w.+-]*)\s*$', mk))	# ones
recipes = re.sub(r'\$\((\w+)\)', lambda m: tools.get(m.group(1), m.group(0)), recipes).replace('$$', '$')
for _ in range(3):					# make's $(VAR) and $(func ...), inside out
	recipes = re.sub(r'\$[({][^(){}]*[)}]', '@V', recipes)
recipes = re.sub(r'\$[@<^*?]', '@V', recipes)
for name, where in shell_commands(recipes, 'Makefile'):
	if name not in functions and name not in KEYWORDS:
		add('cmd', name, where)
for var in ('CC', 'AR', 'MAKE'):
	if f'$({var})' in mk and var in tools:
		add('cmd', tools[var], f'Makefile:$({var})')

# python files
for f in sorted(glob.glob('tests/**/*.py', recursive=True) + glob.glob('bench/*.py') +
		glob.glob('scripts/*.py') + ['scripts/machine-field']):
	text = open(f).read()
	for mod in re.findall(r'(?m)^\s*(?:import|from)\s+([\w.]+)', text):
		add('py', mod.split('.')[0], f)
	for a in re.findall(r'(?m)^\s*import\s+([\w., ]+)$', text):
		for mod in a.split(','):
			add('py', mod.strip().split('.')[0], f)
	for m in re.finditer(r'subprocess\.\w+\(\s*\[\s*["\']([A-Za-z][\w.+-]*)["\']', text):
		add('cmd', m.group(1), f)
for kind, name, where in uses:
	print(kind, name, where)
PY

# Debian's Essential set, the host package lines and the cross lines.
dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' |
	awk '$2 == "yes" || $3 == "required" { print $1 }' | sort -u > "$TMP/essential"
awk '!/^#/ && NF == 1 { print $1 }' "$list" | sort -u > "$TMP/host"
awk '!/^#/ && ($2 == "cross" || $2 == "slow") { print $1 }' "$list" | sort -u > "$TMP/cross"
check "Debian's Essential set is known ($(wc -l < "$TMP/essential") packages)" test -s "$TMP/essential"

debian_path=/usr/sbin:/usr/bin:/sbin:/bin
owner() {	# PATH: the packages owning it (comma-separated), or nothing
	awk -v p="$1" '$2 == p { print $1; exit }' "$TMP/owners" 2>/dev/null
}
twin() {	# the /usr-merged other name of a path
	case "$1" in
	/usr/bin/*|/usr/sbin/*|/usr/lib/*) echo "${1#/usr}" ;;
	/bin/*|/sbin/*|/lib/*) echo "/usr$1" ;;
	esac
}
owner1() { dpkg-query -S "$1" 2>/dev/null | grep -v '^diversion by' | sed -n 's/, /,/g; s/: \/.*//p' | head -1; }
alt_owners() {	# PATH: the packages of every provider of its alternative (comma-separated)
	local a c
	a=$(readlink "$1") || return
	case "$a" in /etc/alternatives/*) ;; *) return ;; esac
	update-alternatives --list "${a##*/}" 2>/dev/null |
		while read -r c; do owner1 "$c"; done | paste -sd,
}
package_of() {	# CMD: its package(s), or a reason it has none (exit 1)
	local p o r
	p=$(PATH=$debian_path type -P "$1") || { echo "not installed on this host"; return 1; }
	o=$(alt_owners "$p")
	[ -n "$o" ] && { echo "$o"; return 0; }
	for r in "$p" "$(twin "$p")" "$(readlink -f "$p")" "$(twin "$(readlink -f "$p")")"; do
		[ -n "$r" ] || continue
		o=$(owner "$r")
		[ -n "$o" ] && { echo "$o"; return 0; }
	done
	echo "$p belongs to no Debian package"
	return 1
}
# A listed package's split-off part (python3 -> python3-minimal, which owns /usr/bin/python3):
# same source package, and a dependency of the listed one.
while read -r p; do
	dpkg-query -W -f='${source:Package} ${Depends} ${Pre-Depends}\n' "$p" 2>/dev/null |
		awk -v p="$p" '{ gsub(/\([^)]*\)|,|\|/, " "); for (i = 2; i <= NF; i++) print $i, $1, p }'
done < "$TMP/host" > "$TMP/splits"
listed() {	# PKGS (comma-separated): one is a host line, a cross line or Essential
	local p src
	for p in ${1//,/ }; do
		p=${p%%:*}
		grep -qxF "$p" "$TMP/host" "$TMP/cross" "$TMP/essential" && return 0
		src=$(dpkg-query -W -f='${source:Package}' "$p" 2>/dev/null)
		awk -v p="$p" -v s="$src" '($1 == p || $1 == p ":any") && $2 == s { f = 1 } END { exit !f }' \
			"$TMP/splits" && return 0
	done
	return 1
}

cmds=$(awk '$1 == "cmd" { print $2 }' "$TMP/uses" | sort -u)
# Every path a command could be owned as, asked of dpkg in one call: PACKAGES PATH lines.
for c in $cmds; do
	p=$(PATH=$debian_path type -P "$c") || continue
	printf '%s\n' "$p" "$(twin "$p")" "$(readlink -f "$p")" "$(twin "$(readlink -f "$p")")"
done | sort -u | grep . > "$TMP/paths"
dpkg-query -S $(cat "$TMP/paths") 2>/dev/null | grep -v '^diversion by' |
	sed -n 's/, /,/g; s/^\(.*\): \(\/.*\)$/\1 \2/p' > "$TMP/owners"
check "commands were found in the source ($(echo "$cmds" | wc -w))" test "$(echo "$cmds" | wc -w)" -gt 20
for need in modinfo depmod zstd xz readelf cpio gzip curl gnuplot git ssh; do
	check "the scan finds $need" grep -qx "$need" <<< "$cmds"
done
for c in $cmds; do
	case "$(type -t "$c")" in builtin|keyword) continue ;; esac
	where=$(awk -v c="$c" '$1 == "cmd" && $2 == c { print $3 }' "$TMP/uses" | head -3 | paste -sd' ')
	if ! PATH=$debian_path type -P "$c" > /dev/null && [ -z "$(grep -v '^tests/slow/' <<< "${where// /$'\n'}")" ]; then
		skip "$c ($where): only a slow test runs it and installs its package itself; not here"
		continue
	fi
	if pkg=$(package_of "$c"); then
		if listed "$pkg"; then
			ok "$c: $pkg"
		else
			notok "$c ($where) comes from $pkg, which is not in $list nor Essential"
		fi
	else
		notok "$c ($where): $pkg"
	fi
done

# QEMU binaries of other arches are not on every host: their machines.json package must be a
# cross line (or, for the host's arch, a host line).
while read -r _ bin pkg where; do
	if grep -qxF "$pkg" "$TMP/host" "$TMP/cross"; then
		ok "$bin ($where): $pkg is in the list"
	else
		notok "$bin ($where): its package $pkg is not in $list"
	fi
done < <(awk '$1 == "qemu"' "$TMP/uses")

# Python modules: the file each imports from, and its package.
stdlib_pkg() { grep -qE '^(lib)?python3(\.[0-9]+)?(-minimal|-stdlib)?(:.*)?$' <<< "$1"; }
for mod in $(awk '$1 == "py" { print $2 }' "$TMP/uses" | sort -u); do
	where=$(awk -v c="$mod" '$1 == "py" && $2 == c { print $3 }' "$TMP/uses" | head -2 | paste -sd' ')
	file=$(/usr/bin/python3 -c 'import importlib.util,sys; s=importlib.util.find_spec(sys.argv[1]); print(s.origin if s and s.origin not in (None, "built-in", "frozen") else "builtin")' "$mod" 2>/dev/null)
	if [ -z "$file" ]; then
		notok "python module $mod ($where) is not installed for /usr/bin/python3"
	elif [ "$file" = builtin ]; then
		ok "python module $mod: built into python3"
	elif pkg=$(owner1 "$file") && [ -n "$pkg" ] || pkg=$(owner1 "$(twin "$file")") && [ -n "$pkg" ]; then
		# the standard library comes with python3 (libpython3.N-stdlib, python3.N-minimal)
		if listed "$pkg" || { grep -qx python3 "$TMP/host" && stdlib_pkg "$pkg"; }; then
			ok "python module $mod: $pkg"
		else
			notok "python module $mod ($where) comes from $pkg, which is not in $list"
		fi
	else
		notok "python module $mod ($where): $file belongs to no Debian package"
	fi
done
done_testing
