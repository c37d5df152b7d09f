//! Load-loop threads: a few clients that share a tally until stopped, or
//! until a hard time limit. The gRPC loop (`load`) and the tests' REST loop
//! both run on it; each brings its own client body and tally.
//!
//! A client may be paced: it then sends at most one request per interval.
//! Unpaced clients on a 2-core machine keep 20 or more threads runnable and
//! starve dockerd, whose container starts then take minutes; a rollout test
//! needs requests in flight all the time, not a saturated CPU.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The pace of the tests' clients: 8 clients then send at most 400
/// requests a second, about a third of what this machine's fleets answer.
pub const TEST_PACE: Duration = Duration::from_millis(20);

/// No load loop runs longer than this, even when a test forgets to stop it.
pub const HARD_LIMIT: Duration = Duration::from_secs(300);

/// What a load loop counts: `Clients` reads its total and sets its elapsed time.
pub trait Tally: Default + Clone + Send + 'static {
    fn total(&self) -> u64;
    fn set_elapsed(&mut self, elapsed: Duration);
}

/// What one client thread gets: the shared tally and when to stop.
pub struct Client<T> {
    pub tally: Arc<Mutex<T>>,
    pub started: Instant,
    stop: Arc<AtomicBool>,
    /// The least time between two requests, when paced.
    pace: Option<Duration>,
    /// When the previous request was let go.
    last: std::cell::Cell<Option<Instant>>,
}

impl<T> Client<T> {
    /// Whether to send another request; a paced client first waits until
    /// its interval since the previous one has passed.
    pub fn running(&self) -> bool {
        if let (Some(pace), Some(last)) = (self.pace, self.last.get()) {
            let due = last + pace;
            while !self.stopped() && Instant::now() < due {
                std::thread::sleep((due - Instant::now()).min(Duration::from_millis(20)));
            }
        }
        self.last.set(Some(Instant::now()));
        !self.stopped()
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.started.elapsed() >= HARD_LIMIT
    }
}

/// Running client threads; stopped by `stop` or when dropped.
pub struct Clients<T> {
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<T>>,
    threads: Vec<JoinHandle<()>>,
    started: Instant,
}

impl<T: Tally> Clients<T> {
    /// Starts `count` threads, each running `body` until told to stop, as
    /// fast as answers come.
    pub fn spawn(count: usize, body: impl Fn(Client<T>) + Send + Sync + 'static) -> Self {
        Self::spawn_paced(count, None, body)
    }

    /// Like `spawn`; with `pace`, each client sends at most one request per `pace`.
    pub fn spawn_paced(
        count: usize,
        pace: Option<Duration>,
        body: impl Fn(Client<T>) + Send + Sync + 'static,
    ) -> Self {
        let body = Arc::new(body);
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(T::default()));
        let started = Instant::now();
        let threads = (0..count)
            .map(|_| {
                let body = body.clone();
                let client = Client {
                    tally: tally.clone(),
                    started,
                    stop: stop.clone(),
                    pace,
                    last: std::cell::Cell::new(None),
                };
                std::thread::spawn(move || body(client))
            })
            .collect();
        Self {
            stop,
            tally,
            threads,
            started,
        }
    }

    /// Requests made so far.
    /// Time since the clients started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn total(&self) -> u64 {
        self.tally.lock().unwrap().total()
    }

    /// Waits until at least `count` requests were made (at most `limit`).
    pub fn wait_for(&self, count: u64, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.total() < count && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the clients and returns what they saw.
    pub fn stop(mut self) -> T {
        self.halt();
        let mut tally = self.tally.lock().unwrap().clone();
        tally.set_elapsed(self.started.elapsed());
        tally
    }

    /// Forgets what was seen so far, keeping the clients and their
    /// connections: a measurement after a warm-up.
    pub fn restart_count(&mut self) {
        *self.tally.lock().unwrap() = T::default();
        self.started = Instant::now();
    }
}

impl<T> Clients<T> {
    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl<T> Drop for Clients<T> {
    fn drop(&mut self) {
        self.halt();
    }
}
