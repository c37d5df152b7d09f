# Sourced by tests/env/setup: the Debian mirror this machine's apt uses.
#
# apt_debian_mirrors prints "main URI", "updates URI" and "security URI" lines
# (each may be missing; the first of each kind wins) read from /etc/apt/sources.list and /etc/apt/sources.list.d/*.list
# (one-line format) and /etc/apt/sources.list.d/*.sources (deb822), in apt's
# order, skipping deb-src entries, disabled stanzas and comments. An entry
# whose suite ends in -security gives the security URI, -updates the updates
# URI; the first other entry
# with a component "main" gives the main URI. With APT_SOURCES_DIR set, it
# reads that directory as /etc/apt instead (for tests of this file).
apt_debian_mirrors() {
  local etc=${APT_SOURCES_DIR:-/etc/apt} files=() f
  [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
  for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  local out
  out=$(for f in "${files[@]}"; do
    case $f in
    *.sources) awk -f - "$f" <<'AWK'
function flush() {
  if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
    n = split(uris, u, " "); split(suites, s, " ")
    for (i in s) {
      if (s[i] ~ /-security$/) print "security " u[1]
      else if (s[i] ~ /-updates$/) print "updates " u[1]
      else if (comps ~ /(^| )main( |$)/) print "main " u[1]
    }
  }
  types = uris = suites = comps = enabled = ""
}
/^[ \t]*#/ { next }
/^[ \t]*$/ { flush(); next }
/^[A-Za-z-]+:/ {
  key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
  if (key == "types") types = $0
  else if (key == "uris") uris = $0
  else if (key == "suites") suites = $0
  else if (key == "components") comps = $0
  else if (key == "enabled") enabled = tolower($0)
}
END { flush() }
AWK
      ;;
    *) awk '
/^[ \t]*deb[ \t]/ {
  sub(/#.*/, ""); $1 = ""
  gsub(/\[[^]]*\]/, "")
  n = split($0, w, " ")
  if (n < 2) next
  if (w[2] ~ /-security$/) print "security " w[1]
  else if (w[2] ~ /-updates$/) print "updates " w[1]
  else { for (i = 3; i <= n; i++) if (w[i] == "main") { print "main " w[1]; break } }
}' "$f" ;;
    esac
  done)
  printf '%s\n' "$out" | awk '{ sub(/\/+$/, "", $2) } !seen[$1]++ && NF == 2'
}
