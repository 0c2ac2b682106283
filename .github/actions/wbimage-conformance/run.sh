#!/usr/bin/env bash
# The run step of the composite action in action.yml, kept as a file so it is tested as it is
# (tests/project/test_ci_integrations.py). Reads its inputs from the environment:
#
#   PYTHON                interpreter with the suite installed (default: python)
#   WBIMAGE_WORKING_DIRECTORY  where to run (default: here); the reports, the pyproject.toml
#                         searched and relative paths start there
#   WBIMAGE_IMPL          --impl (empty: the pyproject.toml section's, else the reference)
#   WBIMAGE_EXPECTATIONS  --expectations (empty: none, or the section's)
#   WBIMAGE_CASES         case files or directories, one per line (empty: the shipped cases)
#   WBIMAGE_JOBS, WBIMAGE_TIMEOUT, WBIMAGE_SANDBOX, WBIMAGE_MAXFAIL, WBIMAGE_MEMORY_LIMIT,
#   WBIMAGE_BADGE         --jobs, --timeout, --sandbox, --maxfail, --memory-limit, --badge
#                         (empty: the section's, else the default)
#   WBIMAGE_ARGS          more arguments for `run` (or `docs check`), split as a shell would
#                         (quotes and backslashes; no variables or globs)
#   WBIMAGE_DOCS          documentation trees or pages, one per line: `docs check` them instead
#   WBIMAGE_DOCS_CHANGED_SINCE  with WBIMAGE_DOCS: a git ref; only the pages under WBIMAGE_DOCS
#                         changed since it, with their translations
#   WBIMAGE_REPORT_DIR    where report.html, report.json and junit.xml go (docs check:
#                         docs-report.json, docs-report.md, junit.xml; default: wbimage-conformance)
#
# The command appends its Markdown summary to $GITHUB_STEP_SUMMARY itself. This script then
# prints an `::error file=...,line=...::` annotation per unexpected result (docs: per error or
# warning finding) and adds to $GITHUB_OUTPUT exit-code, report-dir (relative to where the job
# started) and the counts of the JSON report (workflow_commands.py), and exits with the run's
# exit code.
set -uo pipefail

python="${PYTHON:-python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report_dir="${WBIMAGE_REPORT_DIR:-wbimage-conformance}"
report_dir_output="$report_dir"

finish() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        {
            echo "exit-code=$1"
            echo "report-dir=$report_dir_output"
        } >> "$GITHUB_OUTPUT"
    fi
    exit "$1"
}

fail() {  # a problem with the inputs: one line, exit code 2 as the suite's own
    echo "wbimage-conformance action: $1" >&2
    local data="${1//'%'/%25}"
    data="${data//$'\r'/%0D}"
    echo "::error title=wbimage-conformance action::${data//$'\n'/%0A}"
    finish 2
}

read_lines() {  # the non-empty lines of $1 into the array _lines
    _lines=()
    while IFS= read -r line; do
        if [ -n "$line" ]; then
            _lines+=("$line")
        fi
    done <<< "$1"
}

if [ -n "${WBIMAGE_WORKING_DIRECTORY:-}" ]; then
    cd "$WBIMAGE_WORKING_DIRECTORY" 2>/dev/null || fail "working-directory: no such directory: $WBIMAGE_WORKING_DIRECTORY"
    case "$report_dir" in
        /*) ;;
        *) report_dir_output="${WBIMAGE_WORKING_DIRECTORY%/}/$report_dir" ;;
    esac
fi

read_lines "${WBIMAGE_DOCS:-}"
docs=(${_lines[@]+"${_lines[@]}"})
if [ "${#docs[@]}" -gt 0 ]; then
    for input in EXPECTATIONS MAXFAIL BADGE; do
        name="WBIMAGE_$input"
        if [ -n "${!name:-}" ]; then
            fail "$(echo "$input" | tr 'A-Z' 'a-z') applies to runs of the cases, not to docs"
        fi
    done
    report="$report_dir/docs-report.json"
    command=("$python" -m wbimage_conformance docs check
             --report "json=$report"
             --report "markdown=$report_dir/docs-report.md"
             --report "junit=$report_dir/junit.xml")
    if [ -n "${WBIMAGE_DOCS_CHANGED_SINCE:-}" ]; then
        if ! changed_list="$(git -c core.quotePath=false diff --name-only --relative --diff-filter=d \
                             "$WBIMAGE_DOCS_CHANGED_SINCE...HEAD" -- "${docs[@]}")"; then
            fail "cannot list the pages changed since $WBIMAGE_DOCS_CHANGED_SINCE (does the checkout hold it? actions/checkout: fetch-depth: 0)"
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
    report="$report_dir/report.json"
    command=("$python" -m wbimage_conformance run
             --report "html=$report_dir/report.html"
             --report "json=$report"
             --report "junit=$report_dir/junit.xml")
    if [ -n "${WBIMAGE_EXPECTATIONS:-}" ]; then
        command+=(--expectations "$WBIMAGE_EXPECTATIONS")
    fi
    if [ -n "${WBIMAGE_MAXFAIL:-}" ]; then
        command+=(--maxfail "$WBIMAGE_MAXFAIL")
    fi
    if [ -n "${WBIMAGE_BADGE:-}" ]; then
        command+=(--badge "$WBIMAGE_BADGE")
    fi
fi
if [ -n "${WBIMAGE_IMPL:-}" ]; then
    command+=(--impl "$WBIMAGE_IMPL")
fi
if [ -n "${WBIMAGE_JOBS:-}" ]; then
    command+=(--jobs "$WBIMAGE_JOBS")
fi
if [ -n "${WBIMAGE_TIMEOUT:-}" ]; then
    command+=(--timeout "$WBIMAGE_TIMEOUT")
fi
if [ -n "${WBIMAGE_SANDBOX:-}" ]; then
    command+=(--sandbox "$WBIMAGE_SANDBOX")
fi
if [ -n "${WBIMAGE_MEMORY_LIMIT:-}" ]; then
    command+=(--memory-limit "$WBIMAGE_MEMORY_LIMIT")
fi
read_lines "${WBIMAGE_CASES:-}"
cases=(${_lines[@]+"${_lines[@]}"})
if [ "${#cases[@]}" -gt 0 ]; then
    command+=(--cases "${cases[@]}")
fi
words="$(mktemp)"
trap 'rm -f "$words"' EXIT
"$python" "$here/workflow_commands.py" split-args > "$words" || fail "args: cannot be split as a shell would: $WBIMAGE_ARGS"
mapfile -d '' -t extra < "$words"
if [ "${#extra[@]}" -gt 0 ]; then
    command+=("${extra[@]}")
fi

printf '+'
printf ' %q' "${command[@]}"
printf '\n'
rm -f "$report"  # a report left by an earlier run must not be annotated as this one's
status=0
"${command[@]}" || status=$?
if [ -f "$report" ]; then
    kind=run-report
    [ "${#docs[@]}" -gt 0 ] && kind=docs-report
    "$python" "$here/workflow_commands.py" "$kind" "$report"
fi
finish "$status"
