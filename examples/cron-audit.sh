#!/usr/bin/env bash
# Nightly source-citation audit for a plain cron (or any shell) setup.
#
# Install audit in a virtualenv, put this script next to claims.yaml and audit-baseline.json
# (make the baseline once with `audit baseline`), then add a crontab line (`crontab -e`):
#
#   17 3 * * *  AUDIT_USER_AGENT="wikiproject-audit/1.0 (https://example.org; me@example.org)" /srv/audit/cron-audit.sh
#
# cron's PATH is short: point AUDIT_BIN at the virtualenv's `audit` if it is not on it.
# Each run writes reports/<UTC time>/ (HTML, JSON, Markdown, CSV), points reports/latest at it,
# appends to logs/audit-<UTC time>.log, and keeps the wiki cache in .audit-cache/ between runs
# (revisions never change, so each is fetched once). Old reports and logs are pruned; the
# cache is not.
#
# Settings (environment; defaults in brackets):
#   AUDIT_USER_AGENT   required: name/version (contact URL or e-mail), as Wikimedia asks
#   AUDIT_BIN          the audit command [audit]
#   AUDIT_DIR          the working directory [this script's directory]
#   AUDIT_CLAIMS       claims file [claims.yaml]
#   AUDIT_BASELINE     baseline file [audit-baseline.json]; a missing file means "no baseline"
#   AUDIT_FAIL_ON      none | new | changed | any [new]
#   AUDIT_CACHE_DIR    the wiki cache [$AUDIT_DIR/.audit-cache]
#   AUDIT_KEEP_RUNS    how many report directories and logs to keep [30]
#   AUDIT_NOTIFY       optional command run as `$AUDIT_NOTIFY EXIT_CODE REPORT_DIR` when the
#                      audit exits non-zero (e.g. a script that mails report.md)
#
# Exit code: audit's own — 0 nothing at the --fail-on level, 1 findings, 2 error (bad input,
# a page that could not be checked, or another run still holding the lock).

set -euo pipefail

dir=${AUDIT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
cd "$dir"

: "${AUDIT_USER_AGENT:?set AUDIT_USER_AGENT to \"name/version (contact URL or e-mail)\"}"
export AUDIT_USER_AGENT
export AUDIT_CACHE_DIR=${AUDIT_CACHE_DIR:-$dir/.audit-cache}
audit_bin=${AUDIT_BIN:-audit}
claims=${AUDIT_CLAIMS:-claims.yaml}
baseline=${AUDIT_BASELINE:-audit-baseline.json}
fail_on=${AUDIT_FAIL_ON:-new}
keep=${AUDIT_KEEP_RUNS:-30}

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out="reports/$stamp"
log="logs/audit-$stamp.log"
mkdir -p "$out" logs "$AUDIT_CACHE_DIR"

# One run at a time: a slow run must not overlap the next night's (they share the cache).
if command -v flock >/dev/null 2>&1; then
    exec 9>".cron-audit.lock"
    if ! flock -n 9; then
        echo "$stamp: another audit run still holds .cron-audit.lock; skipped" >>"$log"
        exit 2
    fi
fi

baseline_args=()
if [ -f "$baseline" ]; then
    baseline_args=(--baseline "$baseline")
else
    echo "$stamp: no baseline file $baseline; every finding counts as new" >>"$log"
fi

echo "$stamp: audit check $claims --fail-on $fail_on" >>"$log"
set +e
# (The odd ${a[@]+"${a[@]}"} spelling keeps bash < 4.4 from calling an empty array unbound.)
"$audit_bin" check "$claims" --fail-on "$fail_on" ${baseline_args[@]+"${baseline_args[@]}"} \
    --format html --format json --format markdown --format csv --out "$out" >>"$log" 2>&1
code=$?
set -e

case $code in
    0) echo "$stamp: clean (exit 0)" >>"$log" ;;
    1) echo "$stamp: findings at --fail-on $fail_on (exit 1); see $out/report.html" >>"$log" ;;
    *) echo "$stamp: error (exit $code); see the lines above" >>"$log" ;;
esac

# A run that got as far as writing a report becomes the latest one.
if [ -f "$out/report.html" ]; then
    ln -sfn "$stamp" reports/latest
fi

if [ "$code" -ne 0 ] && [ -n "${AUDIT_NOTIFY:-}" ]; then
    "$AUDIT_NOTIFY" "$code" "$dir/$out" >>"$log" 2>&1 || echo "$stamp: notify failed" >>"$log"
fi

# Keep the newest $keep report directories and logs (names sort by time); never the cache.
# (`head -n -N`, "all but the last N", is GNU coreutils.)
find reports -mindepth 1 -maxdepth 1 -type d -name '20*' | sort | head -n "-$keep" \
    | while IFS= read -r old; do rm -rf -- "$old"; done
find logs -mindepth 1 -maxdepth 1 -type f -name 'audit-*.log' | sort | head -n "-$keep" \
    | while IFS= read -r old; do rm -f -- "$old"; done

exit "$code"
