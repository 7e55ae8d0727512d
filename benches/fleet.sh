#!/usr/bin/env bash
# Fleet benchmark: builds a fleet of N product homes (round robin over the homes in SOURCE),
# then times `check`, `diff` and `fix --yes` over it against `cat` of every file of the fleet,
# side by side in one run, and reports medians, their ratio to `cat` and each command's peak
# resident memory. `fix` runs on a fresh copy of the fleet each time (copied and synced
# before the clock starts).
#
#   benches/fleet.sh [N=1000] [SOURCE=fixtures] [RUNS=5]
#   benches/fleet.sh 1000 ../shared/fixtures-real      # real-size homes
#   benches/fleet.sh 1000,5000 ../shared/fixtures-real # several sizes, one report each
#   benches/fleet.sh 1000 installed                    # installed-like deployment.toml homes
#   benches/fleet.sh 1000 five                         # five full real homes of five kinds
#
# SOURCE=installed builds homes the way a product is installed: the real APIM 4.5, APIM 3.2,
# IS 7.0 and MI 4.2 homes of ../shared/fixtures-real with their mapper inputs merged from
# ../shared/product-models as that folder's README says (product JSON first, the kernel's
# top-level keys where the product lacks them, unit-resolve.json merged by children; the
# product's templates over the kernel's), plus bin/version.txt; needs python3. Every node then
# computes its effective configuration (map, render, prove). UNIQUE=1 (the default) gives each
# node its own host name in deployment.toml, so no two nodes share an analysis; UNIQUE=0 keeps
# the copies identical (a fleet of one configuration: one analysis for all).
#
# Environment: BIN=path (the binary to measure; default: cargo build --release),
# COMMANDS="check diff fix" (a subset), KEEP=dir (build the fleets there and keep them for
# the next run: one SOURCE per KEEP directory).
# Timing: hyperfine when installed (medians, `--prepare` for fix's fresh copy), otherwise the
# script's own loop. Peak RSS: GNU time (`/usr/bin/time`, Debian package `time`); without it
# RSS is reported as n/a. The page cache is warmed first: these are warm-cache figures.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-1000}
SOURCE=${2:-fixtures}
RUNS=${3:-5}
COMMANDS=${COMMANDS:-check diff fix}

GNU_TIME=""
if [ -x /usr/bin/time ] && /usr/bin/time --version 2>&1 | grep -q GNU; then
    GNU_TIME=/usr/bin/time
fi
HYPERFINE=$(command -v hyperfine || true)
TIMER=${HYPERFINE:+hyperfine}
TIMER=${TIMER:-the script}

if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=target/release/wso2-harden
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "fleet.sh: $BIN is not executable" >&2; exit 2; }

if [ -n "${KEEP:-}" ]; then
    WORK=$KEEP
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi

LABEL=$SOURCE
if [ "$SOURCE" = five ]; then
    # Five full homes of five kinds (XML generation and deployment.toml): 10.8 files and
    # about 205 KiB a home, where the round robin over all of ../shared/fixtures-real averages
    # 5.9 files and 113 KiB (it holds many one-file deployment.toml copies).
    REAL=../shared/fixtures-real
    SRC=$WORK/five
    mkdir -p "$SRC"
    for name in apim-2.6.0 apim-4.5.0 ei-6.6.0 esb-4.9.0 is-5.5.0; do
        [ -d "$REAL/$name" ] || { echo "needs $REAL/$name" >&2; exit 2; }
        [ -d "$SRC/$name" ] || cp -r "$REAL/$name" "$SRC/$name"
    done
    SOURCE=$SRC
elif [ "$SOURCE" = installed ]; then
    command -v python3 >/dev/null || { echo "SOURCE=installed needs python3" >&2; exit 2; }
    REAL=../shared/fixtures-real MODELS=../shared/product-models
    [ -d "$REAL" ] && [ -d "$MODELS" ] || { echo "needs $REAL and $MODELS" >&2; exit 2; }
    SRC=$WORK/installed
    for spec in "apim-4.5.0 kernel-4.9.28 WSO2_API_Manager_v4.5.0" \
                "apim-3.2.0 kernel-4.5.1 WSO2_API_Manager_v3.2.0" \
                "is-7.0.0 kernel-4.10.42 WSO2_Identity_Server_v7.0.0" \
                "mi-4.2.0 - WSO2_Micro_Integrator_v4.2.0"; do
        read -r name kernel version <<< "$spec"
        mkdir -p "$SRC"
        rm -rf "${SRC:?}/$name"
        cp -r "$REAL/$name" "$SRC/$name"
        mkdir -p "$SRC/$name/bin"
        echo "${version//_/ }" > "$SRC/$name/bin/version.txt"
        python3 - "$MODELS" "$name" "$kernel" "$SRC/$name" <<'PY'
import json, os, shutil, sys
models, product, kernel, home = sys.argv[1:5]
kernel = None if kernel == "-" else kernel
conf = os.path.join(home, "repository/resources/conf")
os.makedirs(conf, exist_ok=True)
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}
def merge(base, include, children):
    for k, v in include.items():
        if base.get(k) is None:
            base[k] = v
        elif children and isinstance(base[k], dict) and isinstance(v, dict):
            merge(base[k], v, True)
for name in ["default.json", "infer.json", "key-mappings.json", "validator.json", "unit-resolve.json"]:
    base = load(os.path.join(models, product, name))
    if kernel:
        merge(base, load(os.path.join(models, kernel, name)), name == "unit-resolve.json")
    with open(os.path.join(conf, name), "w") as f:
        json.dump(base, f, indent=1)
for src in ([os.path.join(models, kernel, "templates")] if kernel else []) + [os.path.join(models, product, "templates")]:
    if os.path.isdir(src):
        shutil.copytree(src, os.path.join(conf, "templates"), dirs_exist_ok=True)
PY
    done
    # the modelled kernel 4.5.1 validator predates APIM 3.2's unique-id user store (3.2 runs 4.6.0)
    sed -i 's/database_unique_id/database/' "$SRC/apim-3.2.0/repository/conf/deployment.toml"
    SOURCE=$SRC
fi
mapfile -t HOMES < <(find "$SOURCE" -mindepth 1 -maxdepth 1 -type d \
    \( -exec test -d '{}/repository/conf' \; -o -exec test -d '{}/conf' \; \) -print | sort)
[ ${#HOMES[@]} -gt 0 ] || { echo "fleet.sh: no product homes in $SOURCE" >&2; exit 2; }
UNIQUE=${UNIQUE:-1}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Wall seconds of one run of "$@" (output discarded, exit code ignored); with GNU time the
# run's peak RSS in KiB is appended to $WORK/rss.
timed_once() {
    if [ -n "$GNU_TIME" ]; then
        "$GNU_TIME" -f '%e %M' -o "$WORK/t" "$@" > /dev/null 2>&1 || true
        local line
        line=$(grep -E '^[0-9.]+ [0-9]+$' "$WORK/t" | tail -1) # GNU time adds a line on exit != 0
        echo "${line#* }" >> "$WORK/rss"
        echo "${line%% *}"
    else
        local start end
        start=$(date +%s.%N)
        "$@" > /dev/null 2>&1 || true
        end=$(date +%s.%N)
        awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
    fi
}

# measure NAME PREPARE COMMAND: prints the median wall seconds of RUNS runs; PREPARE (a shell
# command, may be empty) runs before each, outside the clock. Peak RSS goes to $WORK/rss.
measure() {
    local name=$1 prepare=$2 cmd=$3
    : > "$WORK/rss"
    if [ -n "$HYPERFINE" ]; then
        local args=(--runs "$RUNS" --ignore-failure --style none --export-csv "$WORK/$name.csv")
        if [ -n "$prepare" ]; then args+=(--prepare "$prepare"); fi
        "$HYPERFINE" "${args[@]}" "$cmd" > /dev/null 2>&1
        # command,mean,stddev,median,user,system,min,max: the median is the 4th field from the end.
        tail -1 "$WORK/$name.csv" | awk -F, '{print $(NF-4)}'
        # One more run for the peak RSS.
        if [ -n "$prepare" ]; then sh -c "$prepare"; fi
        if [ -n "$GNU_TIME" ]; then timed_once sh -c "$cmd" > /dev/null; fi
    else
        for ((r = 0; r < RUNS; r++)); do
            if [ -n "$prepare" ]; then sh -c "$prepare"; fi
            timed_once sh -c "$cmd"
        done | median
    fi
}

peak_mib() {
    if [ -s "$WORK/rss" ]; then
        sort -n "$WORK/rss" | tail -1 | awk '{ printf "%.1f MiB", $1 / 1024 }'
    else
        echo "n/a"
    fi
}

for N in ${SIZES//,/ }; do
    FLEET=$WORK/fleet-$N
    if [ ! -d "$FLEET" ]; then
        mkdir -p "$FLEET"
        for ((i = 0; i < N; i++)); do
            cp -r "${HOMES[i % ${#HOMES[@]}]}" "$FLEET/node-$i"
            if [ "$UNIQUE" = 1 ]; then
                for t in "$FLEET/node-$i/repository/conf/deployment.toml" "$FLEET/node-$i/conf/deployment.toml"; do
                    if [ -f "$t" ]; then sed -i "0,/^hostname *=.*/s//hostname = \"node-$i.example.com\"/" "$t"; fi
                done
            fi
        done
    fi
    FILES=$(find "$FLEET" -type f | wc -l)
    BYTES=$(du -sb "$FLEET" | cut -f1)
    COPY=$WORK/copy-$N

    # Warm the page cache.
    "$BIN" check "$FLEET" > /dev/null 2>&1 || true
    find "$FLEET" -type f -exec cat {} + > /dev/null

    echo "fleet:  $N homes from $LABEL ($FILES files, $((BYTES / 1024 / 1024)) MiB, UNIQUE=$UNIQUE), $(nproc) cores, $RUNS runs, timing by $TIMER"
    CAT=$(measure cat "" "find '$FLEET' -type f -exec cat {} + > /dev/null")
    printf '  %-9s %7.3f s\n' cat "$CAT"
    for c in $COMMANDS; do
        case $c in
            check | diff)
                # diff's paths must lie below the current directory (git apply's rule).
                WALL=$(cd "$WORK" && measure "$c" "" "'$BIN' $c 'fleet-$N'")
                ;;
            fix)
                WALL=$(measure fix "rm -rf '$COPY' && cp -r '$FLEET' '$COPY' && sync" \
                    "'$BIN' fix --yes '$COPY'")
                ;;
            *) echo "fleet.sh: unknown command $c" >&2; exit 2 ;;
        esac
        RSS=$(peak_mib)
        awk -v c="$c" -v a="$WALL" -v b="$CAT" -v m="$RSS" \
            'BEGIN { printf "  %-9s %7.3f s  %5.1f x cat  peak RSS %s\n", (c == "fix" ? "fix --yes" : c), a, (b > 0 ? a / b : 0), m }'
    done
    rm -rf "$COPY"
done
