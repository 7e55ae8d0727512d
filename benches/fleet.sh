#!/usr/bin/env bash
# Fleet benchmark: builds N product homes (round robin over the homes in SOURCE), then times
# `wso2-harden check` over the fleet against `cat` of every file of the fleet, and reports
# medians, their ratio and the peak resident memory of check.
#
#   benches/fleet.sh [N=1000] [SOURCE=fixtures] [RUNS=7]
#   benches/fleet.sh 1000 ../shared/fixtures-real     # real-size homes
#   benches/fleet.sh 1000 installed                   # installed-like deployment.toml homes
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
# Uses GNU time (/usr/bin/time) for wall time and peak RSS; page cache is warmed first.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
SOURCE=${2:-fixtures}
RUNS=${3:-7}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "fleet.sh needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

# BIN=path/to/wso2-harden measures another build (e.g. the previous release) on the same fleet
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=target/release/wso2-harden
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FLEET=$WORK/fleet
mkdir -p "$FLEET"

UNIQUE=${UNIQUE:-1}
LABEL=$SOURCE
if [ "$SOURCE" = installed ]; then
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
[ ${#HOMES[@]} -gt 0 ] || { echo "no product homes in $SOURCE" >&2; exit 2; }
for ((i = 0; i < N; i++)); do
    cp -r "${HOMES[i % ${#HOMES[@]}]}" "$FLEET/node-$i"
    if [ "$UNIQUE" = 1 ]; then
        for t in "$FLEET/node-$i/repository/conf/deployment.toml" "$FLEET/node-$i/conf/deployment.toml"; do
            [ -f "$t" ] && sed -i "0,/^hostname *=.*/s//hostname = \"node-$i.example.com\"/" "$t"
        done
    fi
done
FILES=$(find "$FLEET" -type f | wc -l)
BYTES=$(du -sb "$FLEET" | cut -f1)

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
measure() { # prints "wall_seconds peak_kb" per run
    for ((r = 0; r < RUNS; r++)); do
        "$TIME" -f '%e %M' -o "$WORK/t" "$@" > /dev/null 2>&1 || true
        grep -E '^[0-9.]+ [0-9]+$' "$WORK/t"   # GNU time adds a line for a non-zero exit
    done
}

"$BIN" check "$FLEET" > /dev/null 2>&1 || true            # warm the page cache
find "$FLEET" -type f -exec cat {} + > /dev/null

CHECK=$(measure "$BIN" check "$FLEET")
CAT=$(measure sh -c "find '$FLEET' -type f -exec cat {} + > /dev/null")
CHECK_WALL=$(echo "$CHECK" | cut -d' ' -f1 | median)
CAT_WALL=$(echo "$CAT" | cut -d' ' -f1 | median)
PEAK_KB=$(echo "$CHECK" | cut -d' ' -f2 | sort -n | tail -1)

echo "fleet:      $N homes from $LABEL ($FILES files, $((BYTES / 1024 / 1024)) MiB, UNIQUE=$UNIQUE), $(nproc) cores, $RUNS runs"
echo "check wall: ${CHECK_WALL} s (median)"
echo "cat wall:   ${CAT_WALL} s (median)"
awk -v a="$CHECK_WALL" -v b="$CAT_WALL" 'BEGIN { printf "ratio:      %.1f (target <= 5)\n", (b > 0 ? a / b : 0) }'
awk -v k="$PEAK_KB" 'BEGIN { printf "peak RSS:   %.1f MiB (target <= 64)\n", k / 1024 }'
