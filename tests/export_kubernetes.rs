//! `tfs export kubernetes`, checked offline with Kubernetes' own tools:
//! every object of several fleets passes `kubernetes-validate --strict` for
//! Kubernetes 1.30 and 1.37, `kubectl kustomize` builds the `--out`
//! directory, the nginx.conf passes `nginx -t` in an nginx that has
//! `resolve`, the readiness probe works in a stub serving container, and
//! the manifests are snapshots. The tools come from PyPI; tests/env/setup
//! installs them in /var/cache/tfs-test/k8s-tools.

#[path = "support/fleet.rs"]
mod fleet;

#[path = "support/kubernetes.rs"]
mod kubernetes;

use std::time::{Duration, Instant};

use fleet::{docker, require_docker, Test, STUB_IMAGE};
use kubernetes::*;
use serde_norway::Value;

#[test]
fn manifests_are_the_snapshots() {
    for (name, fleet) in fleets() {
        let (_, output) = export(&fleet, &[]);
        insta::assert_snapshot!(name, output.stdout);
    }
}

#[test]
fn every_object_passes_kubernetes_strict_schemas() {
    for (name, fleet) in fleets() {
        let (test, output) = export(&fleet, &[]);
        std::fs::write(test.path().join("all.yaml"), &output.stdout).unwrap();
        let count = documents(&output.stdout).len();
        for version in ["1.30.0", "1.37.0"] {
            let checked = tool(
                "kubernetes-validate",
                &["--strict", "-k", version, "all.yaml"],
                test.path(),
            );
            let report = String::from_utf8_lossy(&checked.stdout).to_string()
                + &String::from_utf8_lossy(&checked.stderr);
            assert!(checked.status.success(), "{name} on {version}:\n{report}");
            assert_eq!(
                report.matches(" passed for resource ").count(),
                count,
                "{name} on {version}:\n{report}"
            );
        }
    }
}

#[test]
fn the_schema_check_catches_what_kubernetes_refuses() {
    let (test, output) = export(&gpu_fleet(), &[]);
    let broken = output
        .stdout
        .replace("maxSurge: 0", "maxSurge: 0\n      surge: 1");
    std::fs::write(test.path().join("broken.yaml"), broken).unwrap();
    let checked = tool(
        "kubernetes-validate",
        &["--strict", "-k", "1.37.0", "broken.yaml"],
        test.path(),
    );
    assert!(
        !checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

#[test]
fn kustomize_builds_the_out_directory_into_the_same_objects() {
    for (name, fleet) in fleets() {
        let (test, stream) = export(&fleet, &[]);
        let written = Test::in_directory(test.path())
            .args(&["export", "kubernetes", "--out", "k8s"])
            .run();
        assert!(
            written.stdout.contains("kustomization.yaml to k8s."),
            "{}",
            written.stdout
        );
        let built = tool("kubectl", &["kustomize", "k8s"], test.path());
        assert!(
            built.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let mut from_kustomize = documents(&String::from_utf8_lossy(&built.stdout));
        let mut from_stream = documents(&stream.stdout);
        let key = |value: &Value| {
            format!(
                "{}/{}",
                value["kind"].as_str().unwrap(),
                value["metadata"]["name"].as_str().unwrap()
            )
        };
        from_kustomize.sort_by_key(key);
        from_stream.sort_by_key(key);
        assert_eq!(from_kustomize, from_stream, "{name}");
    }
}

#[test]
fn nginx_conf_passes_nginx_t_with_the_services_resolvable() {
    require_docker();
    for (name, fleet) in fleets() {
        let (test, output) = export(&fleet, &[]);
        let all = documents(&output.stdout);
        let conf = nginx_conf(&all);
        std::fs::write(test.path().join("nginx.conf"), &conf).unwrap();
        // The names nginx looks up: the resolver (when a name) and each server's.
        let mut hosts: Vec<String> = conf
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let rest = line
                    .strip_prefix("server ")
                    .or_else(|| line.strip_prefix("resolver "))?;
                let host = rest.split([' ', ':', ';']).next()?;
                host.contains(".svc.").then(|| host.to_string())
            })
            .collect();
        hosts.sort();
        hosts.dedup();
        assert!(!hosts.is_empty(), "{conf}");
        let mut args = vec!["run".to_string(), "--rm".to_string()];
        for host in &hosts {
            args.push(format!("--add-host={host}:127.0.0.1"));
        }
        args.push(format!(
            "-v={}:/etc/nginx/nginx.conf:ro",
            test.path().join("nginx.conf").display()
        ));
        args.extend([
            NGINX_RESOLVE_IMAGE.to_string(),
            "nginx".to_string(),
            "-t".to_string(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let checked = docker(&args);
        let stderr = String::from_utf8_lossy(&checked.stderr);
        assert!(
            checked.status.success(),
            "{name}: nginx -t failed:\n{stderr}\n{conf}"
        );
        assert!(stderr.contains("test is successful"), "{name}: {stderr}");
        for group in objects(&all, "Service")
            .iter()
            .filter(|s| s["spec"]["clusterIP"] == "None")
        {
            let service = group["metadata"]["name"].as_str().unwrap();
            assert!(
                conf.contains(&format!("server {service}.")),
                "{name}: {service} is not upstream:\n{conf}"
            );
        }
    }
}

/// Removes the probe test's container even when the test panics.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        docker(&["rm", "-f", &self.0]);
    }
}

/// Runs the exported serving container as the pod would (its args, its
/// ConfigMap's files at /etc/tfs, one directory per model at /models) in
/// the stub image, and runs the readiness probe's command in it.
fn probe_in_stub(extra_args: &[&str], probed_models: Option<&[&str]>) -> (bool, String) {
    require_docker();
    let (test, output) = export(&gpu_fleet(), &[]);
    let all = documents(&output.stdout);
    let container = serving_container(&all, "demo-serving");
    let config = objects(&all, "ConfigMap")
        .into_iter()
        .find(|map| map["metadata"]["name"] == "demo-serving-config")
        .unwrap();
    let etc = test.path().join("etc-tfs");
    std::fs::create_dir_all(&etc).unwrap();
    for (key, content) in config["data"].as_mapping().unwrap() {
        std::fs::write(etc.join(key.as_str().unwrap()), content.as_str().unwrap()).unwrap();
    }
    // One name per call: the probe tests run in parallel in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("tfs-k8s-probe-{}-{call}", std::process::id());
    let _guard = Container(name.clone());
    let mut args = vec![
        "run".to_string(),
        "-d".to_string(),
        format!("--name={name}"),
        format!("-v={}:/models:ro", test.path().join("models").display()),
        format!("-v={}:/etc/tfs:ro", etc.display()),
        STUB_IMAGE.to_string(),
    ];
    args.extend(strings(&container["args"]));
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = docker(&args);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let mut command = strings(&container["readinessProbe"]["exec"]["command"]);
    assert_eq!(
        command,
        strings(&container["startupProbe"]["exec"]["command"])
    );
    if let Some(models) = probed_models {
        command.truncate(5);
        command.extend(models.iter().map(|model| model.to_string()));
    }
    // Until the stub serves (it loads in well under a second), or a while.
    let deadline = Instant::now() + Duration::from_secs(20);
    // A failed try may say nothing (a connection reset while the server
    // starts): keep what the last try that said something said.
    let mut last_said = String::new();
    loop {
        let mut exec = vec!["exec", name.as_str()];
        exec.extend(command.iter().map(String::as_str));
        let probed = docker(&exec);
        let said = String::from_utf8_lossy(&probed.stdout).to_string()
            + &String::from_utf8_lossy(&probed.stderr);
        if !said.trim().is_empty() {
            last_said = said;
        }
        if probed.status.success() || Instant::now() > deadline {
            return (probed.status.success(), last_said);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn readiness_probe_passes_once_every_model_is_available() {
    let (ready, said) = probe_in_stub(&[], None);
    assert!(ready, "the probe never passed: {said}");
}

#[test]
fn readiness_probe_fails_while_a_model_is_not_available() {
    let (ready, said) = probe_in_stub(&["--stub_never_ready"], None);
    assert!(!ready);
    assert!(said.contains("not every version is AVAILABLE"), "{said}");
}

#[test]
fn readiness_probe_fails_for_a_model_the_server_lacks() {
    let (ready, said) = probe_in_stub(&[], Some(&["half_plus_two", "$(touch /tmp/x)"]));
    assert!(!ready);
    assert!(said.contains("$(touch /tmp/x): not found"), "{said}");
}

#[test]
fn every_object_has_the_fleet_labels() {
    for (name, fleet) in fleets() {
        let (_, output) = export(&fleet, &[]);
        let instance = fleet.split('"').nth(1).unwrap();
        for object in documents(&output.stdout) {
            let labels = &object["metadata"]["labels"];
            let what = format!(
                "{name}: {} {}",
                object["kind"].as_str().unwrap(),
                object["metadata"]["name"].as_str().unwrap()
            );
            assert_eq!(labels["app.kubernetes.io/instance"], instance, "{what}");
            assert_eq!(labels["app.kubernetes.io/managed-by"], "tfs", "{what}");
            assert!(labels["app.kubernetes.io/name"].is_string(), "{what}");
            let component = labels["app.kubernetes.io/component"]
                .as_str()
                .unwrap_or_default();
            assert!(["serving", "balancer"].contains(&component), "{what}");
        }
    }
}

#[test]
fn rollouts_drain_and_budgets_follow_the_rollout_table() {
    let (_, output) = export(&cpu_fleet(), &[]);
    let all = documents(&output.stdout);
    let deployment = objects(&all, "Deployment")
        .into_iter()
        .find(|d| d["metadata"]["name"] == "cpu-serving")
        .unwrap();
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"], 3);
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxSurge"], 0);
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 2);
    let pod = &spec["template"]["spec"];
    let pause: u64 = pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"][1]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pause >= 45, "{pause}");
    assert!(pod["terminationGracePeriodSeconds"].as_u64().unwrap() > pause);
    assert!(
        pod["containers"][0].get("resources").is_none(),
        "CPU mode asks for no GPU"
    );
    assert_eq!(pod["nodeSelector"]["node.example.com/pool"], "true");
    let budget = objects(&all, "PodDisruptionBudget")
        .into_iter()
        .find(|b| b["metadata"]["name"] == "cpu-serving")
        .unwrap();
    assert_eq!(budget["spec"]["maxUnavailable"], 2);
    for object in &all {
        assert_eq!(object["metadata"]["namespace"], "ml-serving");
    }
    let balancer = objects(&all, "Service")
        .into_iter()
        .find(|s| s["metadata"]["name"] == "cpu-balancer")
        .unwrap();
    assert_eq!(balancer["spec"]["type"], "LoadBalancer");
}

#[test]
fn gpu_pods_ask_for_one_gpu_each_and_overrides_get_their_own_deployment() {
    let (_, output) = export(&gpu_fleet(), &[]);
    let all = documents(&output.stdout);
    let deployments = objects(&all, "Deployment");
    let names: Vec<&str> = deployments
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["demo-serving", "demo-serving-gpu1", "demo-balancer"]
    );
    for name in ["demo-serving", "demo-serving-gpu1"] {
        assert_eq!(
            serving_container(&all, name)["resources"]["limits"]["nvidia.com/gpu"],
            1
        );
    }
    let conf = nginx_conf(&all);
    assert!(conf.contains("server demo-serving.default.svc.cluster.local:8501 weight=1 max_fails=1 fail_timeout=5s resolve;"), "{conf}");
    assert!(conf.contains("server demo-serving-gpu1.default.svc.cluster.local:8501 weight=3 max_fails=1 fail_timeout=5s resolve;"), "{conf}");
    assert!(
        conf.contains("resolver kube-dns.kube-system.svc.cluster.local valid=5s;"),
        "{conf}"
    );
}

#[test]
fn namespace_flag_overrides_the_table_and_is_checked() {
    let (_, output) = export(&cpu_fleet(), &["--namespace", "team-a"]);
    let all = documents(&output.stdout);
    assert!(all
        .iter()
        .all(|object| object["metadata"]["namespace"] == "team-a"));
    assert!(nginx_conf(&all).contains("cpu-serving.team-a.svc.cluster.local:8501"));
    Test::new()
        .file("fleet.toml", &gpu_fleet())
        .model_dir("models/half_plus_two", &[123])
        .model_dir("models/second", &[1])
        .args(&[
            "export",
            "kubernetes",
            "--namespace",
            "Team_A",
            "--out",
            "k8s",
        ])
        .status(1)
        .stdout("")
        .stderr_contains("a namespace is a DNS-1123 label")
        .run();
}

#[test]
fn an_invalid_fleet_reports_where_and_writes_nothing() {
    let fleet =
        gpu_fleet() + "\n[kubernetes]\nnamespace = \"Bad Name\"\nservice_type = \"Ingress\"\n";
    let test = Test::new()
        .file("fleet.toml", &fleet)
        .model_dir("models/half_plus_two", &[123])
        .model_dir("models/second", &[1])
        .args(&["export", "kubernetes", "--out", "k8s"])
        .status(1)
        .stdout("")
        .stderr_contains("error: fleet.toml:21:16: invalid value \"Ingress\" for `service_type`")
        .stderr_contains(
            "error: fleet.toml:20:13: `namespace` \"Bad Name\" is not a valid Kubernetes name",
        );
    test.run();
    assert!(!test.path().join("k8s").exists());
}

#[test]
fn names_kubernetes_refuses_are_reported_where_written() {
    let fleet = gpu_fleet().replace(
        "name = \"demo\"\n",
        "name = \"7up\"\n[serving.env]\n\"1X\" = \"y\"\n",
    );
    let test = Test::new()
        .file("fleet.toml", &fleet)
        .model_dir("models/half_plus_two", &[123])
        .model_dir("models/second", &[1])
        .args(&["export", "kubernetes", "--out", "k8s"])
        .status(1)
        .stdout("")
        .stderr_contains("error: fleet.toml:2:8: fleet name \"7up\" cannot name Kubernetes objects")
        .stderr_contains("Service names start with a letter")
        .stderr_contains(
            "error: fleet.toml:4:1: environment variable name \"1X\" is one Kubernetes refuses",
        )
        .stderr_contains("error: 2 problems in fleet.toml");
    test.run();
    assert!(!test.path().join("k8s").exists());
    // The same fleet is fine on a host.
    Test::in_directory(test.path()).args(&["validate"]).run();
}

#[test]
fn the_balancer_needs_an_nginx_that_resolves() {
    let old = gpu_fleet() + "\n[balancer]\nimage = \"nginx:1.26\"\n";
    Test::new()
        .file("fleet.toml", &old)
        .model_dir("models/half_plus_two", &[123])
        .model_dir("models/second", &[1])
        .args(&["export", "kubernetes"])
        .status(1)
        .stdout("")
        .stderr_contains("the balancer image nginx:1.26 is nginx 1.26.0, which cannot re-resolve upstream servers")
        .run();
    let unknown = gpu_fleet() + &format!("\n[balancer]\nimage = \"{NGINX_RESOLVE_IMAGE}\"\n");
    let (_, output) = export(&unknown, &[]);
    assert!(
        output.stderr.contains("names no nginx version"),
        "{}",
        output.stderr
    );
    // Taken as the oldest nginx with `resolve`, which lacks keepalive_min_timeout.
    assert!(!nginx_conf(&documents(&output.stdout)).contains("keepalive_min_timeout"));
}

#[test]
fn hostile_values_reach_the_pods_unchanged() {
    let values = [
        ("API_TOKEN", "s3cret-$HOME-${PATH}-$$"),
        ("QUOTES", "it's \"quoted\""),
        ("MAPPING", "key: value"),
        ("COMMENT", "# not a comment"),
        ("ANCHOR", "&anchor *ref {} [x, y] !tag"),
        ("DOCUMENT", "x\n---\nkind: Secret\n"),
    ];
    let mut env = String::from("[serving.env]\n");
    for (key, value) in values {
        env.push_str(&format!(
            "{key} = {}\n",
            serde_json::to_string(value).unwrap()
        ));
    }
    let arg = "--platform_config_file=/models/x --- kind: Secret # $(id) 'q' \"d\" &a *b {} [c]";
    let fleet = format!(
        "[fleet]\nname = \"hostile\"\n[serving]\nargs = [{}]\n{env}{MODELS}\n[placement]\ngpus = \"none\"\nreplicas = 1\n\n[kubernetes]\nnode_selector = {{ \"example.com/pool\" = \"true\" }}\n",
        serde_json::to_string(arg).unwrap()
    );
    let (test, output) = export(&fleet, &[]);
    let all = documents(&output.stdout);
    let kinds: Vec<&str> = all
        .iter()
        .map(|object| object["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"Secret"), "{kinds:?}");
    assert_eq!(all.len(), 9, "{kinds:?}");
    let container = serving_container(&all, "hostile-serving");
    assert_eq!(strings(&container["args"]).last().unwrap(), arg);
    for (key, value) in values {
        let found = container["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|item| item["name"] == key)
            .unwrap();
        assert_eq!(found["value"], value, "{key}");
    }
    let pod = &objects(&all, "Deployment")[0]["spec"]["template"]["spec"];
    assert_eq!(
        pod["nodeSelector"]["example.com/pool"], "true",
        "a string, not a YAML boolean"
    );
    std::fs::write(test.path().join("all.yaml"), &output.stdout).unwrap();
    let checked = tool(
        "kubernetes-validate",
        &["--strict", "-k", "1.37.0", "all.yaml"],
        test.path(),
    );
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}
