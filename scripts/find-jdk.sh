# Sourced by ./ephemera and .ci/run: exports JAVA_HOME pointing at a JDK >= 25, or exits with a reason.
ephemera_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
ephemera_find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    if [ "$(ephemera_java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "ephemera: no JDK 25 or newer found. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  echo "          Looked at JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*." >&2
  exit 1
}
ephemera_find_jdk
