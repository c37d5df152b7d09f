//! The machine the numbers come from, and how busy it was.

use crate::sh;

pub struct Machine {
    pub date: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub memory: String,
    pub kernel: String,
    pub docker: String,
    pub nginx: String,
    pub nginx_forky: String,
    pub wrk: String,
    pub compose: String,
    pub commit: String,
    pub load_start: String,
}

impl Machine {
    pub fn read(root: &std::path::Path) -> Self {
        let text = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpuinfo = text("/proc/cpuinfo");
        let field = |body: &str, key: &str| {
            body.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_else(|| "unknown".into())
        };
        let mem_kib: f64 = field(&text("/proc/meminfo"), "MemTotal")
            .trim_end_matches(" kB")
            .parse()
            .unwrap_or(0.0);
        let first_line = |program: &str, args: &[&str]| {
            sh::output(program, args)
                .map(|o| {
                    let all = format!(
                        "{}{}",
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    );
                    all.lines().next().unwrap_or("").trim().to_string()
                })
                .unwrap_or_else(|e| e)
        };
        let root_s = root.to_string_lossy();
        let dirty = sh::output(
            "git",
            &[
                "-C",
                &root_s,
                "status",
                "--porcelain",
                "--untracked-files=no",
            ],
        )
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
        Machine {
            date: first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: field(&cpuinfo, "model name"),
            memory: format!("{:.1} GiB", mem_kib / 1024.0 / 1024.0),
            kernel: text("/proc/sys/kernel/osrelease").trim().to_string(),
            docker: first_line("docker", &["version", "--format", "{{.Server.Version}}"]),
            nginx: nginx_version(crate::fleet::NGINX),
            nginx_forky: nginx_version(crate::fleet::FORKY),
            wrk: first_line("wrk", &["-v"]),
            compose: first_line("docker-compose", &["version", "--short"]),
            commit: format!(
                "{}{}",
                first_line("git", &["-C", &root_s, "rev-parse", "--short", "HEAD"]),
                if dirty {
                    " (with uncommitted changes)"
                } else {
                    ""
                }
            ),
            load_start: load(),
        }
    }
}

/// `nginx -v` of an image.
pub fn nginx_version(image: &str) -> String {
    sh::output(
        "docker",
        &["run", "--rm", "--network", "none", image, "nginx", "-v"],
    )
    .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
    .unwrap_or_else(|e| e)
}

/// /proc/loadavg's 1, 5 and 15 minute averages.
pub fn load() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The 1-minute load average.
pub fn load1() -> f64 {
    load()
        .split(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::MAX)
}
