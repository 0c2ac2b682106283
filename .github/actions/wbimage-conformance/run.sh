#!/usr/bin/env bash
# The run step of the composite action in action.yml, kept as a file so it is tested as it is
# (tests/test_ci_integrations.py). Reads its inputs from the environment:
#
#   PYTHON                interpreter with the suite installed (default: python)
#   WBIMAGE_IMPL          --impl (empty: the pyproject.toml section's, else the reference)
#   WBIMAGE_EXPECTATIONS  --expectations (empty: none, or the section's)
#   WBIMAGE_CASES         case files or directories, one per line (empty: the shipped cases)
#   WBIMAGE_ARGS          more arguments for `run`, split on whitespace
#   WBIMAGE_REPORT_DIR    where report.html, report.json and junit.xml go (default: wbimage-conformance)
#
# The command appends its Markdown summary to $GITHUB_STEP_SUMMARY itself. This script adds
# exit-code and report-dir to $GITHUB_OUTPUT and exits with the run's exit code.
set -uo pipefail

python="${PYTHON:-python}"
report_dir="${WBIMAGE_REPORT_DIR:-wbimage-conformance}"
command=("$python" -m wbimage_conformance run
         --report "html=$report_dir/report.html"
         --report "json=$report_dir/report.json"
         --report "junit=$report_dir/junit.xml")
if [ -n "${WBIMAGE_IMPL:-}" ]; then
    command+=(--impl "$WBIMAGE_IMPL")
fi
if [ -n "${WBIMAGE_EXPECTATIONS:-}" ]; then
    command+=(--expectations "$WBIMAGE_EXPECTATIONS")
fi
cases=()
while IFS= read -r line; do
    if [ -n "$line" ]; then
        cases+=("$line")
    fi
done <<< "${WBIMAGE_CASES:-}"
if [ "${#cases[@]}" -gt 0 ]; then
    command+=(--cases "${cases[@]}")
fi
read -r -d '' -a extra <<< "${WBIMAGE_ARGS:-}"
if [ "${#extra[@]}" -gt 0 ]; then
    command+=("${extra[@]}")
fi

echo "+ ${command[*]}"
status=0
"${command[@]}" || status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "exit-code=$status"
        echo "report-dir=$report_dir"
    } >> "$GITHUB_OUTPUT"
fi
exit "$status"
