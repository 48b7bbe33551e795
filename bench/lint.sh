#!/usr/bin/env bash
# Benchmark: `dockward lint` over a generated corpus of Dockerfiles, against the floor of reading
# the same files with `cat`. Prints each time (best of several runs), files per second and the
# ratio to the floor, for the whole set and for a 220-file subset; hadolint too when installed.
# Then one generated 20 MB Dockerfile full of findings (tens of thousands of stages, several
# findings per instruction, some suppressed): lint time must stay linear in the input.
#
#   bench/lint.sh [N]
#
# N Dockerfiles (default 1000) are generated from crates/cli/tests/data/corpus: variants with
# renamed stages, other versions, extra RUN steps, and two files combined into one; all distinct
# and all parseable. Target: 220 files in <= 0.30 s; the 20 MB file in <= 1 s.
#
# Then M (default 2000) generated Kubernetes manifests (multi-document YAML with Deployments,
# StatefulSets, DaemonSets, CronJobs, Jobs, Pods and their Services, ConfigMaps, Ingresses, ...;
# some JSON) and compose projects (anchors, `<<`, interpolation), all distinct
# (bench/lib/gen_manifests.py): `dockward lint` of them against merely parsing the same files
# with PyYAML's C loader (yaml.CSafeLoader), side by side in the same run. Target: dockward/PyYAML
# <= 1.0.
#
#   bench/lint.sh [N [M]]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/timing.sh
source bench/timing.sh

count=1000
manifest_count=2000
runs=${RUNS:-5}
target_files=220
target_s=0.30
[ $# -le 2 ] || { echo "usage: bench/lint.sh [N [M]]" >&2; exit 2; }
for arg in "$@"; do
  case $arg in
    ''|*[!0-9]*) echo "usage: bench/lint.sh [N [M]]" >&2; exit 2 ;;
  esac
done
[ $# -ge 1 ] && count=$((10#$1))
[ $# -ge 2 ] && manifest_count=$((10#$2))
[ "$count" -gt 0 ] && [ "$manifest_count" -gt 0 ] || { echo "usage: bench/lint.sh [N [M]], N, M > 0" >&2; exit 2; }
subset=$(( count < target_files ? count : target_files ))
corpus=crates/cli/tests/data/corpus

cargo build --release --quiet -p dockward
bin=$PWD/target/release/dockward

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-lint-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
all=$work/all
sub=$work/subset

echo "generating $count Dockerfiles from $corpus..." >&2
# Deterministic: variant k depends only on k and the corpus. The first $subset variants are also
# written to the subset directory.
python3 - "$corpus" "$all" "$sub" "$count" "$subset" <<'PY'
import hashlib
import os
import random
import re
import sys

corpus, all_dir, sub_dir, count, subset = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

NAME = re.compile(r"^(Dockerfile|Containerfile|Dockerfile\..+|.+\.[Dd]ockerfile)$")
sources = []
for root, dirs, files in os.walk(corpus):
    dirs.sort()
    for f in sorted(files):
        if NAME.match(f):
            path = os.path.join(root, f)
            rel = os.path.relpath(path, corpus)
            with open(path, encoding="utf-8") as fh:
                sources.append((rel, fh.read()))
if not sources:
    sys.exit(f"no Dockerfiles in {corpus}")


def stem(rel):
    base = os.path.basename(rel)
    if base in ("Dockerfile", "Containerfile"):
        return os.path.basename(os.path.dirname(rel)) or "root"
    if base.startswith("Dockerfile."):
        return base[len("Dockerfile."):]
    return base.rsplit(".", 1)[0]


def is_windows(text):
    return re.search(r"(?mi)^#\s*escape\s*=\s*`", text) is not None


DIRECTIVE = re.compile(r"^#\s*(syntax|escape|check)\s*=", re.I)
STAGE = re.compile(r"(?im)^(\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+)([A-Za-z0-9_.-]+)(\s*)$")


def rename_stages(text, suffix):
    """Gives every named stage a new name, and follows it in FROM, --from=/from= and ARG defaults."""
    for name in [m.group(2) for m in STAGE.finditer(text)]:
        new = f"{name.lower()}-{suffix}"
        n = re.escape(name)
        text = re.sub(rf"(?im)^(\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+){n}(\s*)$", rf"\g<1>{new}\g<2>", text)
        text = re.sub(rf"(?im)^(\s*FROM\s+(?:--\S+\s+)*){n}(\s|$)", rf"\g<1>{new}\g<2>", text)
        text = re.sub(rf"(?i)(\bfrom=){n}(?=[\s,]|$)", rf"\g<1>{new}", text, flags=re.M)
        text = re.sub(rf"(?im)^(\s*ARG\s+\w+=){n}(\s*)$", rf"\g<1>{new}\g<2>", text)
    return text


VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def bump_versions(text, rng):
    """Moves the first dotted version of FROM lines and of version/tag ARG defaults."""
    def bump(m):
        major, minor, patch = m.group(1), int(m.group(2)), m.group(3)
        if patch is None:
            return f"{major}.{rng.randrange(max(0, minor - 2), minor + 3)}"
        return f"{major}.{minor}.{rng.randrange(0, 20)}"

    out = []
    for line in text.split("\n"):
        if re.match(r"(?i)\s*FROM\s", line) or re.match(r"(?i)\s*ARG\s+\w*(VERSION|TAG|RELEASE)\w*=", line):
            line = VERSION.sub(bump, line, count=1)
        out.append(line)
    return "\n".join(out)


def combine(a, b, suffix):
    """b's stages after a's, b's global ARGs moved to the top so its FROM lines still see them."""
    b = rename_stages(b, suffix)
    lines = b.split("\n")
    first_from = next(i for i, l in enumerate(lines) if re.match(r"(?i)\s*FROM\s", l))
    hoisted = [l for l in lines[:first_from] if re.match(r"(?i)\s*ARG\s", l)]
    rest = [l for l in lines[:first_from] if not re.match(r"(?i)\s*ARG\s", l)] + lines[first_from:]
    a_lines = a.rstrip("\n").split("\n")
    top = 0
    while top < len(a_lines) and DIRECTIVE.match(a_lines[top]):
        top += 1
    merged = a_lines[:top] + hoisted + a_lines[top:]
    return "\n".join(merged) + "\n\n# ---- second image, built on the first file's stages ----\n" + "\n".join(rest)


POSIX_STEPS = [
    "RUN set -eux; \\\n    mkdir -p /opt/bench/{k}; \\\n    echo 'variant {k}' > /opt/bench/{k}/id",
    "RUN apt-get update && apt-get install -y --no-install-recommends jq=1.6-2.1 && rm -rf /var/lib/apt/lists/*",
    "RUN apk add --no-cache tini=0.19.0-r{r}",
    "RUN <<EOF\nset -eu\necho \"build {k}\" > /etc/build-info\n# a comment inside the script\ntouch /etc/build-info.{r}\nEOF",
    "RUN --mount=type=cache,target=/var/cache/bench-{r} \\\n    ls -la /var/cache/bench-{r} > /dev/null",
    "RUN curl -fsSL https://tools.example.com/bootstrap-{r}.sh | sh",
    "RUN chmod 0755 /usr/local/bin/* 2>/dev/null || true",
    "RUN chmod 777 /tmp/cache-{k} 2>/dev/null || mkdir -m 755 /tmp/cache-{k}",
    "COPY <<EOF /etc/bench-{k}.conf\nvariant={k}\nseed={r}\nEOF",
    "ENV BENCH_VARIANT={k} \\\n    BENCH_SEED={r}",
    "ENV BENCH_API_TOKEN=tok{r}x{k}y0123456789abcdef",
    "RUN wget --no-check-certificate -qO /tmp/f{r} https://mirror.example.net/f{r}",
    "LABEL org.opencontainers.image.revision=\"{k}{r}\" org.opencontainers.image.version=\"1.{r}.{k}\"",
    "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/bin/true\"]",
]
WINDOWS_STEPS = [
    "RUN New-Item -ItemType Directory -Force -Path C:\\bench\\{k} | Out-Null",
    "RUN Write-Host ('variant {{0}}' -f {k}); `\n    Set-Content -Path C:\\bench-{r}.txt -Value {k}",
    "ENV BENCH_VARIANT={k}",
]

windows = {rel for rel, text in sources if is_windows(text)}
combinable = [s for s in sources if s[0] not in windows]
seen = set()
for k in range(count):
    rng = random.Random(k)
    rel, text = sources[k % len(sources)]
    win = rel in windows
    if not win and k % 5 == 4 and len(combinable) > 1:
        others = [s for s in combinable if s[0] != rel]
        other_rel, other = others[(k * 7 + 3) % len(others)]
        text = combine(text, other, f"b{k}")
    if rng.random() < 0.6:
        text = rename_stages(text, f"v{k}")
    text = bump_versions(text, rng)
    steps = WINDOWS_STEPS if win else POSIX_STEPS
    extra = [rng.choice(steps).format(k=k, r=rng.randrange(1000)) for _ in range(rng.randrange(0, 5))]
    text = text.rstrip("\n") + "\n\n# bench variant %d of %s\n" % (k, rel)
    text += "".join(step + "\n" for step in extra)
    text += 'LABEL com.example.bench.variant="%d"\n' % k

    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest in seen:
        sys.exit(f"variant {k} is not distinct")
    seen.add(digest)

    s = stem(rel)
    kind = k % 10
    if kind == 0:
        name = f"svc-{k:04d}/Dockerfile"
    elif kind == 5:
        name = f"svc-{k:04d}/Containerfile"
    elif kind == 3:
        name = f"Dockerfile.{s}-{k:04d}"
    elif kind == 7:
        name = f"{k:04d}-{s}.dockerfile"
    else:
        name = f"{k:04d}-{s}.Dockerfile"
    for base in [all_dir] + ([sub_dir] if k < subset else []):
        path = os.path.join(base, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
PY

# check SET N: dockward finds N Dockerfiles in SET and parses every one; prints the result count.
check() {
  "$bin" lint "$1" --format json --fail-on none | python3 -c '
import json, sys
report = json.load(sys.stdin)
want = int(sys.argv[1])
found = report["source"]["dockerfiles"]
errors = [r for r in report["results"] if r["status"] == "error"]
for r in errors[:5]:
    print("parse error:", r["target"]["name"], r["message"], file=sys.stderr)
if found != want or errors:
    sys.exit(f"expected {want} parseable Dockerfiles, found {found} with {len(errors)} errors")
print(len(report["results"]))' "$2"
}
results=$(check "$all" "$count")
check "$sub" "$subset" >/dev/null

# best_seconds CMD...: the shortest wall time of $runs runs, after one warm-up run.
best_seconds() {
  run_times_ns "$runs" "$@" | awk 'NR == 1 {printf "%.4f", $1 / 1e9}'
}

lint_args=(--format json --fail-on none)
cat_all_s=$(best_seconds find "$all" -type f -exec cat {} +)
cat_sub_s=$(best_seconds find "$sub" -type f -exec cat {} +)
lint_all_s=$(best_seconds "$bin" lint "$all" "${lint_args[@]}")
lint_sub_s=$(best_seconds "$bin" lint "$sub" "${lint_args[@]}")

per_s() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "n/a"}'; }
verdict() { awk -v v="$1" -v max="$2" 'BEGIN {print (v <= max) ? "PASS" : "MISS"}'; }

if [ "$subset" -eq "$target_files" ]; then
  target="$(verdict "$lint_sub_s" "$target_s") (${lint_sub_s} s)"
else
  target="n/a (only $subset files generated)"
fi

# hadolint takes files, not directories; it exits non-zero on findings, which is not a failure here.
run_hadolint() { find "$1" -type f -print0 | xargs -0 hadolint --no-fail >/dev/null 2>&1 || true; }
if command -v hadolint >/dev/null 2>&1; then
  hadolint_s=$(best_seconds run_hadolint "$sub")
  hadolint_line="hadolint: $subset files in ${hadolint_s} s, $(per_s "$subset" "$hadolint_s") files/s; ratio dockward/hadolint: $(ratio "$lint_sub_s" "$hadolint_s")"
else
  hadolint_line="hadolint: not installed"
fi

row() { printf '%8s %12s %9s %9s %13s\n' "$@"; }
echo "files:    $count generated (subset: $subset), $results results, 0 parse errors"
echo "dockward lint --format json --fail-on none, best of $runs (seconds, wall clock):"
row files dockward files/s cat dockward/cat
row "$count" "$lint_all_s" "$(per_s "$count" "$lint_all_s")" "$cat_all_s" "$(ratio "$lint_all_s" "$cat_all_s")"
row "$subset" "$lint_sub_s" "$(per_s "$subset" "$lint_sub_s")" "$cat_sub_s" "$(ratio "$lint_sub_s" "$cat_sub_s")"
echo "target: $target_files files <= $target_s s   $target"
echo "$hadolint_line"

# One big Dockerfile full of findings: stages with unpinned bases, sudo (suppressed by an ignore
# comment), downloads piped into shells (also inside $(…)), chmod 777, TLS checks off, a token in
# ENV, remote ADD. Deterministic.
big_bytes=20000000
big_target_s=1.0
big=$work/big.Dockerfile
big_stages=$(python3 - "$big" "$big_bytes" <<'PY'
import sys

path, size = sys.argv[1], int(sys.argv[2])
parts = ["# syntax=docker/dockerfile:1\n"]
total = len(parts[0])
k = 0
while total < size:
    block = (
        f"FROM ubuntu:22.04 AS s{k}\n"
        f"# dockward ignore=DF0009 bench suppression {k}\n"
        "RUN sudo apt-get update && apt-get install -y curl\n"
        f"RUN curl -fsSL https://get.example.com/{k}.sh | sh && X=$(wget -qO- https://y.example.com/{k} | bash)\n"
        f"RUN chmod 777 /tmp/c{k} && wget --no-check-certificate -qO /tmp/f{k} https://m.example.com/f{k}\n"
        f"ENV API_TOKEN_{k}=tok{k}x0123456789abcdef\n"
        f"ADD https://downloads.example.com/{k}.tar.gz /opt/\n"
    )
    parts.append(block)
    total += len(block)
    k += 1
with open(path, "w", encoding="utf-8") as fh:
    fh.write("".join(parts))
print(k)
PY
)
big_results=$(check "$big" 1)
big_runs=${BIG_RUNS:-3}
big_s=$(runs=$big_runs best_seconds "$bin" lint "$big" "${lint_args[@]}")
big_cat_s=$(runs=$big_runs best_seconds cat "$big")
big_mb=$(awk -v b="$(stat -c %s "$big")" 'BEGIN {printf "%.1f", b / 1e6}')
echo "big file: $big_mb MB, $big_stages stages, $big_results results, best of $big_runs:" \
  "dockward ${big_s} s, cat ${big_cat_s} s"
echo "target: 20 MB <= $big_target_s s   $(verdict "$big_s" "$big_target_s") (${big_s} s)"

# The manifest corpus against PyYAML's C loader. The interpreter on PATH if its PyYAML has the C
# loader, else Debian's python3 with python3-yaml (installed when missing); run directly, not
# through a shim (pyenv's would add its own start-up to every run).
pyyaml_ok() { "$1" -c 'import yaml; yaml.CSafeLoader' >/dev/null 2>&1; }
py=$(command -v python3)
if ! pyyaml_ok "$py"; then
  py=/usr/bin/python3
  if ! pyyaml_ok "$py"; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "need PyYAML with its C loader (apt-get install -y python3-yaml)" >&2
      exit 1
    fi
    echo "installing python3-yaml" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >&2
  fi
fi
py=$("$py" -c 'import sys; print(sys.executable)')

manifests=$work/manifests
manifest_list=$work/manifest-files.txt
echo "generating $manifest_count Kubernetes manifests and compose files..." >&2
"$py" bench/lib/gen_manifests.py "$manifests" "$manifest_count" >"$manifest_list"
manifest_mb=$(xargs cat <"$manifest_list" | wc -c | awk '{printf "%.1f", $1 / 1e6}')

# dockward judges every generated file (each holds at least one container or service) without an
# error; prints the number of targets and of results.
manifest_check=$("$bin" lint "$manifests" --format json --fail-on none | "$py" -c '
import json, sys
report = json.load(sys.stdin)
want = int(sys.argv[1])
results = report["results"]
errors = [r for r in results if r["status"] == "error"]
for r in errors[:5]:
    print("error:", r["target"]["name"], r["message"], file=sys.stderr)
paths = {r["location"]["path"] for r in results if r.get("location")}
targets = {(r["target"]["kind"], r["target"]["name"], (r.get("location") or {}).get("path")) for r in results}
if len(paths) != want or errors:
    sys.exit(f"expected {want} judged files, found {len(paths)} with {len(errors)} errors")
print(len(targets), len(results))' "$manifest_count")
read -r manifest_targets manifest_results <<<"$manifest_check"

# parse_pyyaml LIST: every document of every file in LIST, with yaml.CSafeLoader.
parse_pyyaml() {
  "$py" -c '
import sys, yaml
for f in open(sys.argv[1]).read().split("\n"):
    if f:
        with open(f, encoding="utf-8") as fh:
            list(yaml.load_all(fh, Loader=yaml.CSafeLoader))' "$1"
}
manifest_docs=$("$py" -c '
import sys, yaml
print(sum(len(list(yaml.load_all(open(f, encoding="utf-8"), Loader=yaml.CSafeLoader)))
          for f in open(sys.argv[1]).read().split("\n") if f))' "$manifest_list")

manifest_runs=${MANIFEST_RUNS:-$runs}
pyyaml_s=$(runs=$manifest_runs best_seconds parse_pyyaml "$manifest_list")
lint_json_s=$(runs=$manifest_runs best_seconds "$bin" lint "$manifests" "${lint_args[@]}")
lint_text_s=$(runs=$manifest_runs best_seconds "$bin" lint "$manifests" --fail-on none --color never)
echo "manifests: $manifest_count files ($manifest_mb MB, $manifest_docs YAML documents), $manifest_targets containers and services, $manifest_results results, 0 errors"
echo "best of $manifest_runs (seconds, wall clock):"
printf '%-44s %9s %9s %14s\n' run seconds files/s ratio/PyYAML
printf '%-44s %9s %9s %14s\n' "PyYAML CSafeLoader, parse only" "$pyyaml_s" "$(per_s "$manifest_count" "$pyyaml_s")" 1.0
printf '%-44s %9s %9s %14s\n' "dockward lint --format json" "$lint_json_s" "$(per_s "$manifest_count" "$lint_json_s")" \
  "$(awk -v a="$lint_json_s" -v b="$pyyaml_s" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')"
printf '%-44s %9s %9s %14s\n' "dockward lint (text)" "$lint_text_s" "$(per_s "$manifest_count" "$lint_text_s")" \
  "$(awk -v a="$lint_text_s" -v b="$pyyaml_s" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')"
echo "target: dockward lint --format json <= 1.0 x PyYAML   $(verdict "$lint_json_s" "$pyyaml_s")"
