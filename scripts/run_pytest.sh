#!/usr/bin/env bash
# pytest with exit code 5 ("no tests collected") reported as a failure with a clear
# message: every suite we name must really run something.
set -uo pipefail
python=$1; shift
"$python" -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "ERROR: pytest collected no tests in: $*" >&2
fi
exit "$rc"
