#!/usr/bin/env bash
# Fails when a binary needs a glibc newer than MAX (default 2.17, RHEL/CentOS 7): the highest
# GLIBC_x.y version among the symbols it imports (objdump -T, else readelf -V).
#   dist/check-glibc.sh [--max 2.17] BINARY...
set -euo pipefail
max=2.17
if [ "${1:-}" = --max ]; then
    max=$2
    shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [--max X.Y] BINARY..." >&2; exit 2; }
status=0
for bin in "$@"; do
    if command -v objdump >/dev/null 2>&1; then
        versions=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' || true)
    else
        versions=$(readelf -V --wide "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' || true)
    fi
    need=$(printf '%s\n' "$versions" | sed 's/GLIBC_//' | sort -uV | tail -n 1)
    if [ -z "$need" ]; then
        echo "$bin: needs no versioned glibc symbol (static)"
    elif [ "$(printf '%s\n%s\n' "$need" "$max" | sort -V | tail -n 1)" = "$max" ]; then
        echo "$bin: needs glibc $need (<= $max)"
    else
        echo "$bin: needs glibc $need, newer than $max; symbol versions above $max:" >&2
        printf '%s\n' "$versions" | sed 's/GLIBC_//' | sort -uV |
            while read -r v; do
                [ "$(printf '%s\n%s\n' "$v" "$max" | sort -V | tail -n 1)" = "$max" ] || echo "    GLIBC_$v"
            done >&2
        status=1
    fi
done
exit $status
