#!/usr/bin/env bash
# The check step of action.yml: `wso2-harden check --format sarif` into INPUT_SARIF_FILE, its
# exit code and the report's path as step outputs ($GITHUB_OUTPUT), the Markdown summary
# ($GITHUB_STEP_SUMMARY, written by wso2-harden itself) and, with INPUT_ANNOTATIONS=true,
# workflow annotations. It always exits 0 so that the upload step runs; the action's last
# step fails the job from the recorded exit code.
# Inputs (environment): INPUT_PATHS (space-separated, default .), INPUT_POLICY, INPUT_ARGS,
# INPUT_SARIF_FILE (default wso2-harden.sarif), INPUT_ANNOTATIONS; WSO2_HARDEN (the binary,
# default wso2-harden from PATH).
set -uo pipefail

bin=${WSO2_HARDEN:-wso2-harden}
sarif=${INPUT_SARIF_FILE:-wso2-harden.sarif}
outputs=${GITHUB_OUTPUT:-/dev/null}
read -r -a paths <<<"${INPUT_PATHS:-.}"
read -r -a extra <<<"${INPUT_ARGS:-}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
args=(check)
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
args+=("${extra[@]}")

"$bin" "${args[@]}" --format sarif "${paths[@]}" >"$sarif"
code=$?
echo "exit-code=$code" >>"$outputs"
if [ -s "$sarif" ]; then
    echo "sarif-file=$sarif" >>"$outputs"
else
    rm -f "$sarif"
fi
if [ "${INPUT_ANNOTATIONS:-false}" = true ]; then
    # The summary was appended once already.
    GITHUB_STEP_SUMMARY='' "$bin" "${args[@]}" --format github "${paths[@]}" || true
fi
case $code in
0) echo "wso2-harden: nothing fails the run" ;;
1) echo "wso2-harden: findings fail the run (report: $sarif)" ;;
*) echo "wso2-harden: check failed with exit code $code" ;;
esac
exit 0
