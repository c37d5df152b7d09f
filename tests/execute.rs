//! The real executor driven by the in-memory engine: rollout invariants as
//! data. Never two containers for one slot, the upstream lists only
//! AVAILABLE replicas at every reload, a failed wave restores the previous
//! spec and leaves untouched slots alone, and an interrupt between any two
//! operations leaves a host the next plan repairs. The Docker tests remain
//! the end-to-end proof.

#[path = "support/fleet_state.rs"]
mod fleet_state;
#[path = "support/memory.rs"]
mod memory;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fleet_state::{Case, FOUR_GPUS};
use memory::Memory;
use tfs::cancel::{Cancel, Signal};
use tfs::desire::{labels, Desired};
use tfs::engine::{ContainerSpec, Engine, PullProgress, Status};
use tfs::execute::{apply, Event, Options, Outcome, Reporter};
use tfs::observe::{observe, observe_serving};
use tfs::reconcile::{reconcile, Plan};

/// Counts operations as they begin, and presses Ctrl-C at the one numbered `at`.
struct Watcher {
    cancel: Cancel,
    began: AtomicUsize,
    at: Option<usize>,
}

impl Watcher {
    fn new(at: Option<usize>) -> Self {
        Self {
            cancel: Cancel::default(),
            began: AtomicUsize::new(0),
            at,
        }
    }
}

impl PullProgress for Watcher {
    fn layer(&self, _: &str, _: &str, _: &str, _: u64, _: u64) {}
}

impl Reporter for Watcher {
    fn event(&self, event: Event<'_>) {
        if let Event::Began(_) = event {
            let count = self.began.fetch_add(1, Ordering::SeqCst) + 1;
            if Some(count) == self.at {
                self.cancel.cancel(Signal::Interrupt);
            }
        }
    }
}

fn memory_with_images(desired: &Desired) -> Memory {
    let memory = Memory::new();
    memory.add_image(&desired.replicas[0].config.image);
    memory.add_image(&desired.balancer.container.image);
    memory
}

async fn plan(memory: &Memory, desired: &Desired) -> Plan {
    let mut observed = observe(memory, &desired.fleet, Some(&desired.balancer.conf))
        .await
        .unwrap();
    observe_serving(memory, memory, &mut observed, &desired.network.name).await;
    reconcile(desired, &observed).unwrap()
}

async fn run(memory: &Memory, plan: &Plan, watcher: &Watcher) -> anyhow::Result<Outcome> {
    let options = Options {
        timeout: Duration::from_secs(2),
        cancel: watcher.cancel.clone(),
    };
    apply(memory, memory, plan, watcher, &options).await
}

/// Plans and applies until done; the plan after it must be empty.
async fn converge(memory: &Memory, desired: &Desired) {
    let plan = plan(memory, desired).await;
    run(memory, &plan, &Watcher::new(None)).await.unwrap();
    let again = self::plan(memory, desired).await;
    assert!(again.is_empty(), "not converged: {:#?}", again.steps);
}

/// The config hash label of the container in each slot, in slot order.
fn hashes(memory: &Memory) -> Vec<(String, String, Status)> {
    memory
        .snapshot()
        .into_iter()
        .filter(|c| c.labels.get(labels::ROLE).map(String::as_str) == Some(labels::ROLE_REPLICA))
        .map(|c| {
            (
                c.name,
                c.labels[labels::CONFIG_HASH].clone(),
                c.state.status,
            )
        })
        .collect()
}

/// A host that runs `old` converged, with `new`'s images there too.
async fn host_running(old: &Desired, new: &Desired) -> Memory {
    let memory = memory_with_images(new);
    memory.add_image(&old.replicas[0].config.image);
    converge(&memory, old).await;
    memory
}

fn four_gpus(case: &Case) -> (Desired, Desired) {
    let old = case.desired(FOUR_GPUS);
    let new = case.desired(&FOUR_GPUS.replace("2.17.0", "2.18.0"));
    (old, new)
}

#[tokio::test]
async fn first_apply_then_rollout_keep_every_invariant() {
    let case = Case::new();
    let (old, new) = four_gpus(&case);
    let memory = host_running(&old, &new).await;
    let plan = plan(&memory, &new).await;
    let before = memory.journal().len();
    run(&memory, &plan, &Watcher::new(None)).await.unwrap();
    // Among them: no replica killed while a running nginx routed to it.
    assert_eq!(memory.violations(), Vec::<String>::new());
    // Replaced replicas are killed once drained: TF Serving ignores the
    // SIGTERM a stop would send and wait out.
    let ended: Vec<String> = memory.journal()[before..]
        .iter()
        .filter(|entry| entry.starts_with("kill ") || entry.starts_with("stop "))
        .cloned()
        .collect();
    let killed: Vec<String> = old
        .replicas
        .iter()
        .map(|r| format!("kill {}", r.name))
        .collect();
    assert_eq!(ended, killed);
    let reloads: Vec<_> = memory
        .reloads()
        .into_iter()
        .filter(|l| !l.started)
        .collect();
    // One reload for the first apply, then one per wave and one at the end.
    assert_eq!(reloads.len(), 1 + 5);
    // At most max_unavailable = 1 replica is out of the upstream at any reload.
    for load in &reloads[1..] {
        assert!(load.members.len() >= 3, "{:?}", load.members);
    }
    let hashes = hashes(&memory);
    assert!(hashes
        .iter()
        .zip(&new.replicas)
        .all(|((name, hash, status), spec)| *name == spec.name
            && *hash == spec.config_hash
            && *status == Status::Running));
}

/// Old workers finish their requests after a reload: a count of them that
/// answers no number is no proof they are gone, so no replica is killed
/// until a count reads zero.
#[tokio::test]
async fn an_unreadable_count_of_old_workers_holds_the_removal_back() {
    let case = Case::new();
    let (old, new) = four_gpus(&case);
    let memory = host_running(&old, &new).await;
    for _ in 0..3 {
        memory.fail_next("count", &new.balancer.name);
    }
    let plan = plan(&memory, &new).await;
    run(&memory, &plan, &Watcher::new(None)).await.unwrap();
    assert_eq!(memory.violations(), Vec::<String>::new());
    let again = self::plan(&memory, &new).await;
    assert!(again.is_empty(), "not converged: {:#?}", again.steps);
}

#[tokio::test]
async fn a_failed_wave_restores_the_previous_spec_and_leaves_the_rest_alone() {
    let case = Case::new();
    let (old, new) = four_gpus(&case);
    let memory = host_running(&old, &new).await;
    let before = hashes(&memory);
    let bad_image = new.replicas[0].config.image.clone();
    memory.never_ready(move |container| container.image == bad_image);
    let plan = plan(&memory, &new).await;
    let error = run(&memory, &plan, &Watcher::new(None)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("rollout stopped"), "{message}");
    assert!(
        message.contains("restored to the previous spec: demo-gpu0"),
        "{message}"
    );
    // gpu0 is back on its old spec (a new container), gpu1..3 were never touched.
    assert_eq!(hashes(&memory), before);
    let replaced: Vec<String> = memory
        .journal()
        .into_iter()
        .filter(|entry| entry.starts_with("remove_container"))
        .collect();
    assert!(
        replaced.iter().all(|e| e.ends_with("demo-gpu0")),
        "{replaced:?}"
    );
    assert_eq!(memory.violations(), Vec::<String>::new());
    // The last config nginx runs serves all four again.
    let last = memory.reloads().pop().unwrap();
    assert_eq!(last.members.len(), 4, "{:?}", last.members);
}

#[tokio::test]
async fn an_interrupt_between_any_two_operations_is_repaired_by_the_next_plan() {
    let case = Case::new();
    let (old, new) = four_gpus(&case);
    let count = {
        let memory = host_running(&old, &new).await;
        plan(&memory, &new).await.operations.len()
    };
    assert!(count > 10, "{count}");
    for at in 1..=count {
        let memory = host_running(&old, &new).await;
        let plan = plan(&memory, &new).await;
        let error = run(&memory, &plan, &Watcher::new(Some(at))).await;
        let message = format!("{:#}", error.expect_err("an interrupted apply fails"));
        assert!(message.contains("interrupted"), "at {at}: {message}");
        assert!(
            !memory
                .snapshot()
                .iter()
                .any(|c| c.state.status == Status::Created),
            "at {at}: a container left in Created"
        );
        converge(&memory, &new).await;
        assert_eq!(memory.violations(), Vec::<String>::new(), "at {at}");
        assert_eq!(hashes(&memory).len(), 4, "at {at}");
    }
}

#[tokio::test]
async fn first_apply_interrupted_anywhere_converges_next_time() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let count = plan(&memory_with_images(&desired), &desired)
        .await
        .operations
        .len();
    for at in 1..=count {
        let memory = memory_with_images(&desired);
        let plan = plan(&memory, &desired).await;
        let result = run(&memory, &plan, &Watcher::new(Some(at))).await;
        assert!(result.is_err(), "at {at}: an interrupted apply fails");
        converge(&memory, &desired).await;
        assert_eq!(memory.violations(), Vec::<String>::new(), "at {at}");
    }
}

#[tokio::test]
async fn a_container_swapped_for_a_strangers_after_planning_is_never_removed() {
    let case = Case::new();
    let (old, new) = four_gpus(&case);
    let memory = host_running(&old, &new).await;
    let plan = plan(&memory, &new).await;
    // Between plan and apply, someone puts their own container under the first target's name.
    let target = new.replicas[0].name.clone();
    memory.stop(&target, Duration::ZERO).await.unwrap();
    memory.remove_container(&target).await.unwrap();
    let stranger = ContainerSpec {
        name: target.clone(),
        image: "someone/else:1".to_string(),
        args: Vec::new(),
        env: Default::default(),
        labels: Default::default(),
        mounts: Vec::new(),
        device_ids: Vec::new(),
        network: "bridge".to_string(),
        ports: Vec::new(),
    };
    let id = memory.add_container(&stranger, true);
    let journal = memory.journal().len();

    let error = run(&memory, &plan, &Watcher::new(None)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains(&format!(
            "refusing to remove container {target}: it is not labelled tfs.fleet="
        )),
        "{message}"
    );
    let still = memory
        .inspect(&target)
        .await
        .unwrap()
        .expect("the stranger stays");
    assert_eq!((still.id, still.state.status), (id, Status::Running));
    let touched: Vec<_> = memory.journal()[journal..]
        .iter()
        .filter(|entry| entry.ends_with(&format!(" {target}")))
        .cloned()
        .collect();
    assert!(touched.is_empty(), "{touched:?}");
}

#[tokio::test]
async fn models_reload_in_place_and_a_failed_reload_is_restored() {
    let case = Case::new();
    let old = case.desired(FOUR_GPUS);
    let pinned = FOUR_GPUS.replace(
        "path = \"models/half_plus_two\"",
        "path = \"models/half_plus_two\"\nversions = [123]",
    );
    let new = case.desired(&pinned);
    let memory = memory_with_images(&old);
    converge(&memory, &old).await;
    let ids = |memory: &Memory| -> Vec<(String, String)> {
        memory
            .snapshot()
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect()
    };
    let before = ids(&memory);

    // The first reload fails: that replica gets what it served back, the
    // others are not touched, and apply stops with why.
    memory.fail_next("reload", "demo-gpu0");
    let plan = plan(&memory, &new).await;
    let error = run(&memory, &plan, &Watcher::new(None)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("a new model version did not load"),
        "{message}"
    );
    assert!(
        message.contains("restored to the models they served before: demo-gpu0"),
        "{message}"
    );
    assert_eq!(ids(&memory), before, "a container was recreated");

    // Then it goes through, in place: same containers, nothing removed.
    converge(&memory, &new).await;
    assert_eq!(ids(&memory), before, "a container was recreated");
    assert_eq!(memory.violations(), Vec::<String>::new());
}
