#!/usr/bin/env bash
# A local OpenAI-compatible upstream to try the gateway without a model server: the benchmark's
# fake upstream (bench/src/main/java/dev/gatehouse/bench/load/FakeOpenAiUpstream.java). Answers
# POST /v1/chat/completions and /v1/completions, JSON or SSE ("stream": true) with usage.
#
# Usage: bench/scripts/fake-upstream.sh [--port 9100] [--latency-ms 20] [--chunks 10] [--interval-ms 10]
# Builds the benchmark jar first if it is missing. Stops on Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "building the benchmark jar (scripts/mvn -B -q install -DskipTests)" >&2
  (cd "$root" && scripts/mvn -B -q install -DskipTests)
fi
args=("$@")
[[ " $* " == *" --port "* ]] || args=(--port 9100 "${args[@]}")
exec "$GATEHOUSE_JAVA_HOME/bin/java" -cp "$jar" dev.gatehouse.bench.load.FakeOpenAiUpstream "${args[@]}"
