#!/usr/bin/env bash
# Calls the gateway with the official OpenAI Java SDK (examples/OpenAiSdkChat.java), once whole and
# once streaming. Needs LLM_GATEWAY_URL (e.g. http://127.0.0.1:8080/v1) and LLM_GATEWAY_TOKEN.
#
# Usage: examples/openai-sdk.sh [MODEL] [PROMPT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
: "${LLM_GATEWAY_URL:?set LLM_GATEWAY_URL, e.g. http://127.0.0.1:8080/v1}"
: "${LLM_GATEWAY_TOKEN:?set LLM_GATEWAY_TOKEN to a sandbox token}"
classpath="$root/server/target/openai-sdk.classpath"
if [ ! -s "$classpath" ]; then
  # The SDK is a test dependency of the server (its gateway tests use it as the client).
  (cd "$root" && scripts/mvn -B -q -pl server dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$classpath" >&2)
fi
exec "$GATEHOUSE_JAVA_HOME/bin/java" -cp "$(cat "$classpath")" "$root/examples/OpenAiSdkChat.java" "$@"
