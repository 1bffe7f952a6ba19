# Sourced by ./gatehouse, ./run-tests and scripts/mvn: sets GATEHOUSE_JAVA_HOME to a JDK >= 21.
# Order: JAVA_HOME if it is new enough, then the JDKs installed in the usual system places
# (newest first), then the `java` on PATH. Fails with a clear message when none qualifies.

gatehouse_min_java=21

gatehouse_java_major() { # $1 = java home; prints the feature version or nothing
  local release="$1/release" version
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  if [ -r "$release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  [ -n "$version" ] && printf '%s\n' "$version"
}

gatehouse_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(gatehouse_java_major "$JAVA_HOME") || major=0
    if [ "${major:-0}" -ge "$gatehouse_min_java" ]; then
      GATEHOUSE_JAVA_HOME="$JAVA_HOME"; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$candidate" ] || continue
    major=$(gatehouse_java_major "$candidate") || continue
    if [ "${major:-0}" -ge "$gatehouse_min_java" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(gatehouse_java_major "$candidate") || major=0
    [ "${major:-0}" -ge "$gatehouse_min_java" ] && best="$candidate"
  fi
  if [ -z "$best" ]; then
    echo "gatehouse: no JDK >= $gatehouse_min_java found (looked at JAVA_HOME, /usr/lib/jvm, /usr/java, /opt, PATH)." >&2
    echo "gatehouse: install one (e.g. 'apt-get install openjdk-21-jdk-headless') or set JAVA_HOME." >&2
    return 1
  fi
  GATEHOUSE_JAVA_HOME="$best"
}
