#!/usr/bin/env bash
# Installs the Debian packages that the benchmarks need, when they are missing: wrk, the
# HTTP load generator of bench/web.py.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian packages: wrk"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk
