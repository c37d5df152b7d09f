//! Load-loop threads: a few clients that share a tally until stopped, or
//! until a hard time limit. The gRPC loop (`load`) and the tests' REST loop
//! both run on it; each brings its own client body and tally.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// No load loop runs longer than this, even when a test forgets to stop it.
pub const HARD_LIMIT: Duration = Duration::from_secs(120);

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
}

impl<T> Client<T> {
    /// Whether to send another request.
    pub fn running(&self) -> bool {
        !self.stop.load(Ordering::SeqCst) && self.started.elapsed() < HARD_LIMIT
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
    /// Starts `count` threads, each running `body` until told to stop.
    pub fn spawn(count: usize, body: impl Fn(Client<T>) + Send + Sync + 'static) -> Self {
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
