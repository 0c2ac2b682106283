#!/usr/bin/env bash
# The run step of the composite action in action.yml, kept as a file so it is tested as it is
# (tests/test_ci_integrations.py). Reads its inputs from the environment:
#
#   PYTHON                interpreter with the suite installed (default: python)
#   WBIMAGE_IMPL          --impl (empty: the pyproject.toml section's, else the reference)
#   WBIMAGE_EXPECTATIONS  --expectations (empty: none, or the section's)
#   WBIMAGE_CASES         case files or directories, one per line (empty: the shipped cases)
#   WBIMAGE_ARGS          more arguments for `run` (or `docs check`), split on whitespace
#   WBIMAGE_DOCS          documentation trees or pages, one per line: `docs check` them instead
#   WBIMAGE_DOCS_CHANGED_SINCE  with WBIMAGE_DOCS: a git ref; only the pages under WBIMAGE_DOCS
#                         changed since it, with their translations
#   WBIMAGE_REPORT_DIR    where report.html, report.json and junit.xml go (docs check:
#                         docs-report.json, docs-report.md, junit.xml; default: wbimage-conformance)
#
# The command appends its Markdown summary to $GITHUB_STEP_SUMMARY itself. This script adds
# exit-code and report-dir to $GITHUB_OUTPUT and exits with the run's exit code.
set -uo pipefail

python="${PYTHON:-python}"
report_dir="${WBIMAGE_REPORT_DIR:-wbimage-conformance}"

finish() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        {
            echo "exit-code=$1"
            echo "report-dir=$report_dir"
        } >> "$GITHUB_OUTPUT"
    fi
    exit "$1"
}

read_lines() {  # the non-empty lines of $1 into the array _lines
    _lines=()
    while IFS= read -r line; do
        if [ -n "$line" ]; then
            _lines+=("$line")
        fi
    done <<< "$1"
}

read_lines "${WBIMAGE_DOCS:-}"
docs=(${_lines[@]+"${_lines[@]}"})
if [ "${#docs[@]}" -gt 0 ]; then
    if [ -n "${WBIMAGE_EXPECTATIONS:-}" ]; then
        echo "wbimage-conformance action: expectations apply to runs of the cases, not to docs" >&2
        finish 2
    fi
    command=("$python" -m wbimage_conformance docs check
             --report "json=$report_dir/docs-report.json"
             --report "markdown=$report_dir/docs-report.md"
             --report "junit=$report_dir/junit.xml")
    if [ -n "${WBIMAGE_DOCS_CHANGED_SINCE:-}" ]; then
        if ! changed_list="$(git -c core.quotePath=false diff --name-only --relative --diff-filter=d \
                             "$WBIMAGE_DOCS_CHANGED_SINCE...HEAD" -- "${docs[@]}")"; then
            echo "wbimage-conformance action: cannot list the pages changed since $WBIMAGE_DOCS_CHANGED_SINCE" \
                 "(does the checkout hold it? actions/checkout: fetch-depth: 0)" >&2
            finish 2
        fi
        read_lines "$changed_list"
        pages=()
        for path in ${_lines[@]+"${_lines[@]}"}; do
            case "$path" in
                *.md|*.mdx|*.markdown) pages+=("$path") ;;
            esac
        done
        if [ "${#pages[@]}" -eq 0 ]; then
            echo "wbimage-conformance action: no documentation page changed since $WBIMAGE_DOCS_CHANGED_SINCE"
            finish 0
        fi
        command+=(--with-translations --filter "${pages[@]}")
    else
        command+=("${docs[@]}")
    fi
else
    command=("$python" -m wbimage_conformance run
             --report "html=$report_dir/report.html"
             --report "json=$report_dir/report.json"
             --report "junit=$report_dir/junit.xml")
    if [ -n "${WBIMAGE_EXPECTATIONS:-}" ]; then
        command+=(--expectations "$WBIMAGE_EXPECTATIONS")
    fi
fi
if [ -n "${WBIMAGE_IMPL:-}" ]; then
    command+=(--impl "$WBIMAGE_IMPL")
fi
read_lines "${WBIMAGE_CASES:-}"
cases=(${_lines[@]+"${_lines[@]}"})
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
finish "$status"
