#!/usr/bin/env bash
# Fleet benchmark: builds N product homes (round robin over the homes in SOURCE), then times
# `wso2-harden check` over the fleet against `cat` of every file of the fleet, and reports
# medians, their ratio and the peak resident memory of check.
#
#   benches/fleet.sh [N=1000] [SOURCE=fixtures] [RUNS=7]
#   benches/fleet.sh 1000 ../shared/fixtures-real     # real-size homes
#
# Uses GNU time (/usr/bin/time) for wall time and peak RSS; page cache is warmed first.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
SOURCE=${2:-fixtures}
RUNS=${3:-7}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "fleet.sh needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet
BIN=target/release/wso2-harden
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FLEET=$WORK/fleet
mkdir -p "$FLEET"

mapfile -t HOMES < <(find "$SOURCE" -mindepth 1 -maxdepth 1 -type d \
    \( -exec test -d '{}/repository/conf' \; -o -exec test -d '{}/conf' \; \) -print | sort)
[ ${#HOMES[@]} -gt 0 ] || { echo "no product homes in $SOURCE" >&2; exit 2; }
for ((i = 0; i < N; i++)); do
    cp -r "${HOMES[i % ${#HOMES[@]}]}" "$FLEET/node-$i"
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

echo "fleet:      $N homes from $SOURCE ($FILES files, $((BYTES / 1024 / 1024)) MiB), $(nproc) cores, $RUNS runs"
echo "check wall: ${CHECK_WALL} s (median)"
echo "cat wall:   ${CAT_WALL} s (median)"
awk -v a="$CHECK_WALL" -v b="$CAT_WALL" 'BEGIN { printf "ratio:      %.1f (target <= 5)\n", (b > 0 ? a / b : 0) }'
awk -v k="$PEAK_KB" 'BEGIN { printf "peak RSS:   %.1f MiB (target <= 64)\n", k / 1024 }'
