#!/bin/bash
# Issue 15 item 7: a fresh clone to a served demo with `make run` on the embedded default (SQLite, tasks in-process).
# usage: bench/first_run.sh [SOURCE_REPO] [PORT]   (defaults: this checkout, 8801)
# Clones SOURCE_REPO into a temporary directory, runs `make run PORT=…` without DATABASE_URL/REDIS_URL, polls the
# home page every 0.5 s and prints the phases, then one JSON object on its last line. Stops the server it started.
set -u
SOURCE=${1:-$(cd "$(dirname "$0")/.." && pwd)}
PORT=${2:-8801}
DIR=$(mktemp -d /tmp/abe-first-run.XXXXXX)
git clone -q "$SOURCE" "$DIR/repo" || exit 1
cd "$DIR/repo" || exit 1
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
START=$(date +%s.%N)
env -u DATABASE_URL -u REDIS_URL -u DJANGO_SETTINGS_MODULE setsid make run PORT="$PORT" > "$DIR/make.log" 2>&1 &
GROUP=$!
since() { echo "$(date +%s.%N) - $START" | bc; }
pip_s=null; banner_s=null; first_s=null; loaded_s=null; first_code=null
for _ in $(seq 1 1800); do
  [ "$pip_s" = null ] && [ -f .venv/.installed-run ] && pip_s=$(since) && echo "pip install done: $pip_s s"
  [ "$banner_s" = null ] && grep -q "ABE Portal:" "$DIR/make.log" && banner_s=$(since) && echo "server starting: $banner_s s"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/")
  if [ "$first_s" = null ] && [ "$code" != 000 ]; then first_s=$(since); first_code=$code; echo "first page (HTTP $code): $first_s s"; fi
  if [ "$first_s" != null ] && [ "$code" != 000 ] && [ "$code" != 503 ]; then loaded_s=$(since); echo "demo loaded (HTTP $code): $loaded_s s"; break; fi
  sleep 0.5
done
kill -- -"$GROUP" 2>/dev/null
grep -E "^  [a-z]+ |Demo workspace ready" "$DIR/repo/demo-load.log" 2>/dev/null | sed -E 's/^  ([a-z]+) .*\((.*)\)$/  \1 \2/'
printf '{"seconds_to_first_page": %s, "first_page_status": %s, "seconds_to_demo_loaded": %s, "seconds_pip": %s, "seconds_to_server_start": %s, "load_before": %s, "load_after": %s, "clone": "%s"}\n' \
  "$first_s" "$first_code" "$loaded_s" "$pip_s" "$banner_s" "$LOAD_BEFORE" "$(cut -d' ' -f1 /proc/loadavg)" "$DIR/repo"
