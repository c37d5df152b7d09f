//! The in-memory engine behaves like Docker and nginx where tfs relies on
//! them: observed through `observe`, driven through the balancer's scripts,
//! asked through the Probe, and failing on demand.

#[path = "support/memory.rs"]
mod memory;

use std::path::Path;
use std::time::Duration;

use memory::Memory;
use tfs::desire::nginx::{render, Member};
use tfs::desire::{desire, Desired, ReplicaSpec};
use tfs::discover::Inventory;
use tfs::engine::{ContainerSpec, Engine, PullProgress, Status};
use tfs::execute::scripts::{first_load_script, script, WAIT_DRAINED};
use tfs::execute::scripts::{RECORD, RELOAD, SWITCH, TEST};
use tfs::observe::{conf_file, observe, Observed, LOADED_CONF_PATH, NGINX_CONF_PATH};
use tfs::reconcile::reconcile;
use tfs::verify::{wait_available, ModelState, Probe, ProbeError};

/// An engine call that must succeed.
macro_rules! ok {
    ($call:expr) => {
        $call.await.unwrap()
    };
}

/// An engine call that must fail: its error, chain and all.
macro_rules! err {
    ($call:expr) => {
        format!("{:#}", $call.await.unwrap_err())
    };
}

struct Quiet;
impl PullProgress for Quiet {
    fn layer(&self, _: &str, _: &str, _: &str, _: u64, _: u64) {}
}

/// examples/cpu (three CPU replicas and a balancer) over a fresh engine.
struct Fixture {
    m: Memory,
    d: Desired,
    net: String,
    lb: String,
}

fn spec(replica: &ReplicaSpec, network: &str) -> ContainerSpec {
    ContainerSpec {
        name: replica.name.clone(),
        image: replica.config.image.clone(),
        args: replica.config.args.clone(),
        env: replica.config.env.clone(),
        labels: replica.labels.clone(),
        mounts: replica.config.mounts.clone(),
        device_ids: replica.config.device_id.iter().cloned().collect(),
        network: network.to_string(),
        ports: Vec::new(),
    }
}

impl Fixture {
    fn new() -> Self {
        let fleet = tfs::load::load(Path::new("examples/cpu/fleet.toml")).unwrap();
        let none = Inventory::Unavailable { attempts: vec![] };
        let d = desire(&fleet, &none).unwrap();
        let (net, lb) = (d.network.name.clone(), d.balancer.name.clone());
        let m = Memory::new();
        Self { m, d, net, lb }
    }

    fn replica(&self, index: usize) -> &ReplicaSpec {
        &self.d.replicas[index]
    }

    /// The network and replicas, as a first apply starts them.
    async fn replicas(&self) {
        ok!(self.m.create_network(&self.net, &self.d.network.labels));
        let images = [
            &self.d.replicas[0].config.image,
            &self.d.balancer.container.image,
        ];
        for image in images {
            if !ok!(self.m.image_present(image)) {
                ok!(self.m.pull(image, &Quiet));
            }
        }
        for replica in &self.d.replicas {
            ok!(self.m.create_container(&spec(replica, &self.net)));
            for (path, content) in &replica.config.files {
                ok!(self.m.write_file(&replica.name, path, content));
            }
            ok!(self.m.start(&replica.name));
        }
    }

    /// The balancer, started with `conf` as the executor starts it; the first test's exit.
    async fn balancer(&self, conf: &str) -> i64 {
        let mut container = spec(self.replica(0), &self.net);
        let balancer = &self.d.balancer;
        (container.name, container.image) = (self.lb.clone(), balancer.container.image.clone());
        (container.labels, container.args) = (balancer.labels.clone(), Vec::new());
        ok!(self.m.create_container(&container));
        self.write(conf).await;
        let (lb, file) = (&self.lb, conf_file(conf));
        ok!(self.m.write_link(lb, NGINX_CONF_PATH, &file));
        ok!(self.m.start(lb));
        let script = first_load_script();
        let test = self.m.exec(lb, &["sh", "-c", &script, "sh", &file]).await;
        test.map_or(-1, |o| o.exit_code)
    }

    /// The fleet as a first apply leaves it.
    async fn apply(&self) {
        self.replicas().await;
        assert_eq!(self.balancer(&self.d.balancer.conf).await, 0);
    }

    async fn write(&self, conf: &str) {
        ok!(self.m.write_file(&self.lb, &conf_file(conf), conf));
    }

    /// A balancer script run on `conf`'s file, as `$1`.
    async fn run(&self, parts: &[&str], conf: &str) -> (i64, String) {
        let (script, file) = (script(parts), conf_file(conf));
        let output = ok!(self.m.exec(&self.lb, &["sh", "-c", &script, "sh", &file]));
        (output.exit_code, output.output)
    }

    async fn observe(&self, conf: Option<&str>) -> Observed {
        ok!(observe(&self.m, &self.d.fleet, conf))
    }

    /// nginx.conf with these replicas in the upstream.
    fn conf(&self, replicas: &[usize]) -> String {
        let members = replicas.iter().map(|&i| Member::of(self.replica(i)));
        render(&self.d.balancer.settings, &members.collect::<Vec<_>>())
    }

    async fn exists(&self, path: &str) -> bool {
        ok!(self.m.stat(&self.lb, path)).is_some()
    }
}

#[tokio::test]
async fn a_fleet_built_through_the_engine_observes_as_converged() {
    let f = Fixture::new();
    f.apply().await;
    let observed = f.observe(Some(&f.d.balancer.conf)).await;
    assert_eq!(observed.replicas.len(), 3);
    let started = |r: &tfs::engine::Container| r.state.is_running() && r.started_at.is_some();
    assert!(observed.replicas.iter().all(started));
    assert_eq!(observed.balancer_conf.as_ref(), Some(&f.d.balancer.conf));
    assert!(!observed.balancer_conf_unloaded && observed.foreign_containers.is_empty());
    assert!(reconcile(&f.d, &observed).unwrap().steps.is_empty());
    let loads = f.m.reloads();
    assert!(loads.len() == 1 && loads[0].started && loads[0].members.len() == 3);
    assert!(f.m.violations().is_empty(), "{:?}", f.m.violations());
    // Named like the fleet's but not labelled as its own: foreign.
    let mut stranger = spec(f.replica(0), "bridge");
    (stranger.name, stranger.labels) = ("cpu-fleet-x".into(), Default::default());
    f.m.add_container(&stranger, false);
    let observed = f.observe(None).await;
    assert_eq!(observed.foreign_containers[0].name, "cpu-fleet-x");
    assert_eq!(observed.balancer_conf, None);
}

#[tokio::test]
async fn containers_and_networks_answer_like_docker() {
    let f = Fixture::new();
    let (m, replica) = (&f.m, spec(f.replica(0), &f.net));
    let name = replica.name.as_str();
    assert!(err!(m.create_container(&replica)).contains("404: No such image"));
    m.add_image(&replica.image);
    assert!(err!(m.create_container(&replica)).contains("network cpu-fleet-net not found"));
    ok!(m.create_network(&f.net, &f.d.network.labels));
    assert!(err!(m.create_network(&f.net, &f.d.network.labels)).contains("409"));
    let id = ok!(m.create_container(&replica));
    assert!(err!(m.create_container(&replica)).contains("409: Conflict"));
    let created = ok!(m.inspect(&id)).unwrap();
    assert!(created.name == name && created.state.status == Status::Created);
    assert_eq!(created.networks[&f.net], "", "no address before the start");
    assert!(created.env.iter().all(|pair| pair.contains('=')) && created.args == replica.args);
    ok!(m.start(name));
    assert!(err!(m.start(name)).contains("304"));
    assert!(ok!(m.inspect(name)).unwrap().networks[&f.net].starts_with("172."));
    assert!(err!(m.remove_network(&f.net)).contains("active endpoints"));
    let listed = ok!(m.containers("nothing-", ("tfs.fleet", "cpu-fleet")));
    assert_eq!(listed.len(), 1, "by label");
    ok!(m.stop(&id, Duration::ZERO));
    ok!(m.stop(&id, Duration::ZERO));
    let stopped = ok!(m.inspect(&id)).unwrap();
    assert_eq!(stopped.state.describe(), "container exited (code 0)");
    assert_eq!(stopped.networks[&f.net], "");
    ok!(m.remove_container(&id));
    ok!(m.remove_container(&id));
    ok!(m.remove_network(&f.net));
    assert!(ok!(m.inspect(name)).is_none());
    assert!(ok!(m.networks("cpu-", ("tfs.fleet", "cpu-fleet"))).is_empty());
    // The adapter forces removal; strict, a running container must be stopped first.
    m.add_network(&f.net, &f.d.network.labels);
    m.add_container(&replica, true);
    ok!(m.remove_container(name));
    m.add_container(&replica, true);
    m.strict_remove();
    assert!(err!(m.remove_container(name)).contains("container is running"));
    let journal = m.journal();
    assert_eq!(journal[0], "create_network cpu-fleet-net");
    assert!(journal.contains(&format!("stop {name}")));
}

#[tokio::test]
async fn files_and_links_answer_like_the_archive_endpoint() {
    let f = Fixture::new();
    f.apply().await;
    let (m, lb, conf) = (&f.m, f.lb.as_str(), &f.d.balancer.conf);
    let file = conf_file(conf);
    let stat = ok!(m.stat(lb, &file)).unwrap();
    assert_eq!(stat.size, conf.len() as u64);
    assert!(stat.epoch_mtime && stat.link_target.is_none());
    ok!(m.write_link(lb, "/etc/nginx/chain.conf", NGINX_CONF_PATH));
    let link = ok!(m.stat(lb, "/etc/nginx/chain.conf")).unwrap();
    assert_eq!(link.size, NGINX_CONF_PATH.len() as u64, "its own size");
    assert_eq!(link.link_target, Some(file.clone()), "the whole chain");
    let error = err!(m.read_file(lb, NGINX_CONF_PATH));
    assert_eq!(error, "the archive holds no file", "an archived link");
    assert_eq!(ok!(m.read_file(lb, "/nope")), None);
    assert_eq!(ok!(m.read_file("no-such", "/etc/hosts")), None);
    assert!(err!(m.write_file("no-such", "/x", "")).contains("No such container"));
    assert!(err!(m.write_file(lb, "relative", "")).contains("must be absolute"));
    assert!(f.exists("/etc/nginx").await, "a directory");
    // A hand edit changes the mtime: observe downloads what is there now.
    m.edit_file(lb, &file, "# edited\n");
    let observed = f.observe(Some(conf)).await;
    assert_eq!(observed.balancer_conf.as_deref(), Some("# edited\n"));
    m.log(lb, "line 1");
    m.log(lb, "line 2");
    assert_eq!(ok!(m.logs_tail(lb, 1)), "line 2\n");
    assert_eq!(ok!(m.logs_tail("no-such", 5)), "");
}

#[tokio::test]
async fn scripts_test_switch_reload_and_record_like_nginx() {
    let f = Fixture::new();
    f.apply().await;
    let (m, lb, full) = (&f.m, f.lb.as_str(), f.d.balancer.conf.clone());
    let two = f.conf(&[0, 1]);
    assert_eq!(memory::upstream_members(&two).len(), 2);
    f.write(&two).await;
    assert_eq!(f.run(&[TEST, SWITCH], &two).await.0, 0);
    let observed = f.observe(Some(&two)).await;
    assert!(observed.balancer_conf_unloaded);
    assert_eq!(observed.balancer_conf.as_ref(), Some(&full), "loaded");
    assert_eq!(f.run(&[RELOAD, RECORD], &two).await.0, 0);
    let observed = f.observe(Some(&two)).await;
    assert_eq!(observed.balancer_conf.as_ref(), Some(&two));
    assert!(!observed.balancer_conf_unloaded);
    assert_eq!(m.running_conf(lb), Some(two.clone()));
    assert!(!f.exists(&conf_file(&full)).await, "recorded away");
    let last = m.reloads().pop().unwrap();
    assert!(!last.started && last.members.len() == 2 && last.available.len() == 3);
    // Rejected: removed, unless a link names it; what runs is unchanged.
    m.reject_conf("weight=1");
    f.write(&full).await;
    let (code, output) = f.run(&[TEST], &full).await;
    assert!(code == 3 && output.contains("test failed"), "{output}");
    assert!(!f.exists(&conf_file(&full)).await);
    assert_eq!(f.run(&[TEST], &two).await.0, 3);
    assert!(m.cat(lb, &conf_file(&two)).is_some(), "named by both links");
    assert_eq!(m.running_conf(lb), Some(two));
    m.clear_faults();
    // A stopped replica is not in Docker's DNS: a config naming it fails.
    ok!(m.stop(&f.replica(2).name, Duration::ZERO));
    f.write(&full).await;
    let (code, output) = f.run(&[TEST, SWITCH, RELOAD, RECORD], &full).await;
    assert_eq!(code, 3);
    assert!(output.contains("not found in upstream \"cpu-fleet-cpu2\""));
    let count = ok!(m.exec(lb, &["sh", "-c", WAIT_DRAINED, "sh", "300"]));
    assert_eq!(count.output, "0\n");
    assert_eq!(ok!(m.exec(lb, &["nginx", "-s", "stop"])).exit_code, 127);
    let unknown = format!("{}\necho more", script(&[TEST]));
    let output = ok!(m.exec(lb, &["sh", "-c", &unknown, "sh", "x"]));
    assert_eq!(output.exit_code, 127);
}

#[tokio::test]
async fn a_balancer_whose_config_fails_exits_at_start() {
    let f = Fixture::new();
    ok!(f.m.create_network(&f.net, &f.d.network.labels));
    f.m.add_image(&f.d.balancer.container.image);
    // Its replicas do not run: nginx cannot resolve them.
    assert_ne!(f.balancer(&f.d.balancer.conf).await, 0);
    let balancer = ok!(f.m.inspect(&f.lb)).unwrap();
    assert_eq!(balancer.state.describe(), "container exited (code 1)");
    assert!(ok!(f.m.logs_tail(&f.lb, 5)).contains("host not found in upstream"));
    assert!(err!(f.m.exec(&f.lb, &["true"])).contains("is not running"));
    assert_eq!(f.m.running_conf(&f.lb), None);
}

#[tokio::test]
async fn the_probe_answers_from_memory() {
    let f = Fixture::new();
    let (m, net) = (&f.m, f.net.as_str());
    let stopped = |result: Result<_, ProbeError>| match result {
        Err(ProbeError::Stopped(reason)) => reason,
        other => panic!("not stopped: {other:?}"),
    };
    let missing = stopped(m.probe(f.replica(0), net).await);
    assert_eq!(missing, "container cpu-fleet-cpu0 does not exist");
    m.exits_on_start(|c| c.name.ends_with("cpu0"));
    m.loading_for(2, |c| c.name.ends_with("cpu1"));
    m.never_ready(|c| c.labels["tfs.models"].contains("half_plus_two") && c.name.ends_with('2'));
    f.replicas().await;
    let exited = stopped(m.probe(f.replica(0), net).await);
    assert_eq!(exited, "cpu-fleet-cpu0: container exited (code 1)");
    let health = m.probe(f.replica(1), net).await.unwrap();
    assert!(!health.available && health.models[0].1[0].state == ModelState::Loading);
    let cancel = Default::default();
    let wait = |i, secs| wait_available(m, f.replica(i), net, Duration::from_secs(secs), &cancel);
    assert!(wait(1, 5).await.unwrap().available, "on the third probe");
    assert!(format!("{:#}", wait(2, 0).await.unwrap_err()).contains("was not AVAILABLE"));
    assert!(stopped(m.probe(f.replica(1), "bridge").await).contains("no address"));
    m.crash(&f.replica(1).name);
    let crashed = stopped(m.probe(f.replica(1), net).await);
    assert_eq!(crashed, "cpu-fleet-cpu1: container exited (code 137)");
    m.fail_next("probe", "*");
    let answer = m.probe(f.replica(2), net).await;
    assert!(matches!(answer, Err(ProbeError::NoAnswer(_))));
}

#[tokio::test]
async fn faults_fire_on_demand_and_history_keeps_violations() {
    let f = Fixture::new();
    let m = &f.m;
    m.fail_next("pull", "*");
    assert!(err!(m.pull(&f.replica(0).config.image, &Quiet)).contains("injected"));
    m.never_ready(|c| c.name.ends_with("cpu2"));
    f.apply().await;
    let violations = m.violations();
    assert!(violations.len() == 1 && violations[0].contains("cpu2"));
    m.fail_next("start", "cpu-fleet-cpu0");
    ok!(m.stop("cpu-fleet-cpu0", Duration::ZERO));
    // Stopped while the balancer's nginx still routes to it.
    let violations = m.violations();
    assert!(
        violations[1].starts_with("stop cpu-fleet-cpu0 while [\"cpu-fleet-balancer\"]"),
        "{violations:?}"
    );
    assert!(err!(m.start("cpu-fleet-cpu0")).contains("injected"));
    ok!(m.start("cpu-fleet-cpu0"));
    // A second container in a slot that is held.
    let mut twin = spec(f.replica(0), &f.net);
    twin.name = "twin".to_string();
    m.add_container(&twin, false);
    assert_eq!(m.creations().pop().unwrap().holders, ["cpu-fleet-cpu0"]);
    assert_eq!(m.violations().len(), 3);
    // reload: nothing loads; drain: loaded, not recorded, so observe sees it unloaded.
    let one = f.conf(&[0]);
    f.write(&one).await;
    m.fail_next("reload", &f.lb);
    assert_eq!(f.run(&[SWITCH, RELOAD, RECORD], &one).await.0, 4);
    assert_eq!(m.running_conf(&f.lb), Some(f.d.balancer.conf.clone()));
    m.fail_next("drain", "*");
    assert_eq!(f.run(&[SWITCH, RELOAD, RECORD], &one).await.0, 5);
    assert_eq!(m.running_conf(&f.lb), Some(one.clone()));
    assert!(f.observe(Some(&one)).await.balancer_conf_unloaded);
    let loaded = ok!(m.stat(&f.lb, LOADED_CONF_PATH)).unwrap();
    assert_eq!(loaded.link_target, Some(conf_file(&f.d.balancer.conf)));
    m.fail_always("inspect", "twin");
    assert!(ok!(m.inspect("cpu-fleet-cpu0")).is_some());
    assert!(err!(m.inspect("twin")).contains("injected") && err!(m.inspect("twin")) != "");
}

/// The engine's futures are Send, should the executor spawn them.
fn _futures_are_send(m: &Memory, replica: &ReplicaSpec) {
    fn send<T: Send>(_: T) {}
    send(m.exec("x", &[]));
    send(m.probe(replica, "net"));
    send(observe(m, "fleet", None));
}
