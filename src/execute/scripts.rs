//! The shell scripts tfs runs inside the balancer (one `docker exec` each,
//! so that each runs to its end even if tfs dies meanwhile). Every script is
//! the path prelude plus some of these parts, in this order, acting on the
//! config file given as `$1`; tests' in-memory engine interprets them by part.

use crate::observe::{CONF_DIR, LOADED_CONF_PATH, NGINX_CONF_PATH};

/// Names the paths of `observe::balancer_conf` for the scripts below, which
/// all take the config file they act on as `$1`.
pub fn script(parts: &[&str]) -> String {
    format!(
        "conf={NGINX_CONF_PATH} loaded={LOADED_CONF_PATH} dir={CONF_DIR}\n{}",
        parts.join("\n")
    )
}

/// Tests `$1` with `nginx -t`; when rejected, removes it unless a link
/// names it, and exits 3.
pub const TEST: &str = r#"nginx -t -q -c "$1" || {
  [ "$(readlink "$conf")" = "$1" ] || [ "$(readlink "$loaded")" = "$1" ] || rm -f "$1"
  exit 3
}"#;

/// Points nginx.conf at `$1` by renaming a new link over the old, so nginx
/// never sees a half-written nginx.conf (exit 6 when it cannot).
pub const SWITCH: &str =
    r#"{ ln -sfn "$1" "$conf.tfs-next" && mv -f "$conf.tfs-next" "$conf"; } || exit 6"#;

/// Reloads nginx and returns once every worker of the old configuration
/// has stopped taking new connections (exit 4 when the signal fails, 5 when
/// they have not after 1000 × 10 ms). `nginx -s reload` only sends a signal,
/// and nginx's master waits 100 ms before it retires the old workers:
/// without the wait a request sent just after apply can still meet the old
/// upstream. The brackets keep this script's own command line from
/// matching the patterns.
pub const RELOAD: &str = r#"serving() { for f in "$@"; do grep -q '^nginx: [w]orker process' "$f" 2>/dev/null && ! grep -q '[s]hutting down' "$f" 2>/dev/null && echo "$f"; done; }
old=$(serving /proc/[0-9]*/cmdline)
nginx -s reload || exit 4
tries=0
while [ -n "$(serving $old)" ]; do
  tries=$((tries + 1)); [ "$tries" -ge 1000 ] && exit 5
  sleep 0.01
done"#;

/// Records `$1` as loaded (see `LOADED_CONF_PATH`; exit 7 when it cannot)
/// and removes the configs no link names any more.
pub const RECORD: &str = r#"{ ln -sfn "$1" "$loaded.tfs-next" && mv -f "$loaded.tfs-next" "$loaded"; } || exit 7
for old in "$dir"/*.conf; do [ "$old" = "$1" ] || rm -f "$old"; done"#;

/// Tests the config nginx was started with (exit 3 when rejected).
pub const FIRST_TEST: &str = "nginx -t -q || exit 3";

/// Waits inside the balancer until no nginx process is shutting down (old
/// workers that still finish the requests they hold after a reload),
/// counting every 100 ms, at most `$1` times: prints 0 and exits 0 once
/// there is none, else the last count and exits 8. `[s]` keeps grep and its
/// shell, whose own command lines hold the pattern, from counting.
///
/// One exec for the whole wait: each exec costs Docker and runc about 40 ms
/// of CPU, so an exec every 100 ms kept 0.4 of a core busy for as long as
/// a drain lasted. Without grep and wc nothing counts as proof: a missing
/// grep alone would make wc print 0.
pub const WAIT_DRAINED: &str = r#"command -v grep >/dev/null && command -v wc >/dev/null || { echo "no grep or wc in the balancer image"; exit 9; }
tries=0
while :; do
  count=$(grep -l '[s]hutting down' /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
  [ "$count" = 0 ] && { echo 0; exit 0; }
  tries=$((tries + 1)); [ "$tries" -ge "$1" ] && { echo "$count"; exit 8; }
  sleep 0.1
done"#;

/// For a balancer just started with `$1`: its config test, then the record.
pub fn first_load_script() -> String {
    script(&[FIRST_TEST, RECORD])
}
