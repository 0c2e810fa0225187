#!/usr/bin/env bash
# The offline workshop kit, proved with no network at all (.ci/run runs this).
#
#   tools/offline_kit_check.sh [PYTHON]     (default python3; run as root, or where user
#                                            namespaces are allowed)
#
# 1. Builds the kit for PYTHON's version on this machine's platform (`python -m authoring instructors
#    offline-kit --python X.Y`) into a cache folder kept between runs (COURSE_OFFLINE_KIT_CACHE,
#    default ~/.cache/ai-business-course/offline-kit-ci): wheels already there are not fetched again.
# 2. In a new network namespace that has only loopback (`unshare -n`), with an empty environment,
#    a fresh HOME and no pip configuration: asserts no address outside the machine is reachable,
#    runs the kit's install.py as a learner would (unpack course.zip, fresh .venv, every package and
#    the course from the kit's wheels, the kit's data, course doctor), runs `kit.py setup` again
#    (what every later `kit.py lab` does first), then executes lesson 00 from the unpacked course.
# Everything it installs is in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=$("${1:-python3}" -c 'import sys; print(sys.executable)')
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
kit=${COURSE_OFFLINE_KIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-business-course/offline-kit-ci}
builder=${COURSE_VENV:-$repo/.venv}/bin/python

if unshare -n true 2>/dev/null; then
    isolate=(unshare -n)
elif unshare -rn true 2>/dev/null; then  # not root: a user namespace maps us to root in it
    isolate=(unshare -rn)
else
    echo "[offline-kit] cannot create a network namespace here (unshare -n needs root or user" \
         "namespaces): the offline install is NOT tested" >&2
    exit 1
fi
command -v ip >/dev/null || { echo "[offline-kit] needs iproute2's ip (loopback up)" >&2; exit 1; }

mkdir -p "$kit"
start=$SECONDS
echo "[offline-kit] building the kit for Python $version in $kit"
"$builder" -m authoring instructors offline-kit "$kit" --python "$version" > "$kit.log" 2>&1 \
    || { tail -n 30 "$kit.log" >&2; exit 1; }
tail -n 1 "$kit.log"
echo "[offline-kit] built in $((SECONDS - start)) s"

work=$(mktemp -d "${TMPDIR:-/tmp}/offline-kit-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/home"
start=$SECONDS
"${isolate[@]}" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 \
    PIP_CONFIG_FILE=/dev/null TMPDIR="$work" KIT="$kit" WORK="$work" PY="$python" bash -euo pipefail -c '
ip link set lo up
"$PY" - <<"EOF"
import socket
for address in (("1.1.1.1", 53), ("8.8.8.8", 443)):
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as error:
        continue
    raise SystemExit(f"[offline-kit] {address[0]} is reachable: this is not an offline test")
print("[offline-kit] network namespace: loopback only, nothing outside reachable")
EOF
"$PY" "$KIT/install.py" --into "$WORK"
cd "$WORK/ai-business-course"
echo "[offline-kit] a later session: kit.py setup again"
"$PY" kit.py setup
.venv/bin/python - <<"EOF"
from pathlib import Path

import nbformat

from authoring.execute import execute_notebook

path = Path("notebooks/00_start_here.ipynb")
nb = nbformat.read(path, as_version=4)
run = execute_notebook(nb, path.parent)
print(f"[offline-kit] {path} ran offline from the unpacked course.zip in {run.seconds:.1f} s")
EOF
'
echo "[offline-kit] offline install, doctor and lesson 00 in $((SECONDS - start)) s"
