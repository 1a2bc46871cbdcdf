//! Deciding a cohort on worker threads, handing back outcomes in input order. Rows go to the
//! workers in batches of [`ROWS_PER_BATCH`]; at most [`ROWS_IN_FLIGHT_PER_JOB`] rows per worker
//! are read ahead of the first row not yet handed back, so memory does not grow with the
//! cohort, however slow one row is.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Condvar, Mutex};
use std::thread;

use super::read::Record;
use crate::diagnostics::Diagnostic;
use crate::eval::{Decision, Options};
use crate::protocol::Protocol;

/// How many rows go to a worker at once. Handing rows over one by one cost about 30% of a
/// two-worker run in lock waits (perf, 200,000 patients); a batch is a few milliseconds of
/// work, so the waits are rare, and small enough that the workers finish close together.
pub const ROWS_PER_BATCH: usize = 32;

/// How many batches per worker may be read ahead of the first one not yet handed back.
pub const BATCHES_IN_FLIGHT_PER_JOB: usize = 4;

/// How many rows per worker may be read ahead of the first one not yet handed back.
pub const ROWS_IN_FLIGHT_PER_JOB: usize = ROWS_PER_BATCH * BATCHES_IN_FLIGHT_PER_JOB;

/// A worker's stack: as large as the command line's main thread, since deciding at the
/// protocol's size and work limits needs a few MiB in a debug build.
const WORKER_STACK: usize = 8 << 20;

/// One row's result: its line number and the decision, or the diagnostics of a row that could
/// not be read or decided.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The row's line number in the file.
    pub line: usize,
    /// The decision, or why there is none.
    pub decision: Result<Decision, Vec<Diagnostic>>,
}

impl Outcome {
    /// The decision's status word (`give`, `wait`, `stop`, `refused`), or `error`.
    pub fn status(&self) -> &'static str {
        match &self.decision {
            Ok(d) => d.status.word(),
            Err(_) => "error",
        }
    }

    /// Whether the row failed: it could not be read or decided (a refusal is a decision).
    pub fn failed(&self) -> bool {
        self.decision.is_err()
    }
}

/// How many workers to run by default: the machine's available parallelism (1 if unknown).
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads one record against the protocol and decides for it, through the safety gate.
pub fn decide(protocol: &Protocol, record: &Record) -> Outcome {
    let decision = record.read(protocol).and_then(|p| {
        protocol
            .evaluate(&p, Options::default())
            .map_err(|d| vec![d])
    });
    Outcome {
        line: record.line,
        decision,
    }
}

/// The window's count once the consumer has stopped: the reader reads no further.
const STOPPED: usize = usize::MAX;

/// How far the reader may run ahead: the number of batches handed back so far.
struct Window {
    handed_back: Mutex<usize>,
    moved: Condvar,
}

impl Window {
    /// Waits until batch `index` is within `size` batches of the first not handed back; false if
    /// the consumer has stopped ([`STOPPED`]) or the window is broken (a thread panicked).
    fn wait_for(&self, index: usize, size: usize) -> bool {
        let Ok(mut done) = self.handed_back.lock() else {
            return false;
        };
        while index >= done.saturating_add(size) {
            done = match self.moved.wait(done) {
                Ok(done) => done,
                Err(_) => return false,
            };
        }
        *done != STOPPED
    }

    fn set(&self, handed_back: usize) {
        if let Ok(mut done) = self.handed_back.lock() {
            *done = handed_back;
        }
        self.moved.notify_all();
    }
}

/// Stops the reader when the consumer stops (normally or not), so it never waits for a
/// consumer that is gone.
struct StopOnDrop<'w>(&'w Window);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(STOPPED);
    }
}

/// The records' channel, shared by the workers; emptied when the consumer stops early, so a
/// reader blocked on a full channel is let go.
type Shared = Mutex<Option<Receiver<(usize, Vec<Record>)>>>;

/// Decides every record with `jobs` workers (at least one), calling `each` with each outcome
/// in input order, on the calling thread. The records are read on a thread of their own.
pub fn run<I>(protocol: &Protocol, records: I, jobs: usize, mut each: impl FnMut(Outcome))
where
    I: IntoIterator<Item = Record>,
    I::IntoIter: Send,
{
    run_while(protocol, records, jobs, |outcome| {
        each(outcome);
        true
    });
}

/// [`run`], stopping early when `each` returns false (e.g. its output was closed): no
/// further record is read or decided. True when every record was handed back.
pub fn run_while<I>(
    protocol: &Protocol,
    records: I,
    jobs: usize,
    each: impl FnMut(Outcome) -> bool,
) -> bool
where
    I: IntoIterator<Item = Record>,
    I::IntoIter: Send,
{
    work_while(records, jobs, |record| decide(protocol, record), each)
}

/// The most threads a cohort is decided on (`--jobs` takes 1 to 256).
pub const MAX_JOBS: usize = 256;

/// Works out `work(record)` for every record with `jobs` workers (at least one), calling
/// `each` with each result in input order, on the calling thread: [`run`] decides with one
/// protocol, `posology diff` with two. The records are read on a thread of their own and
/// handed out in batches of [`ROWS_PER_BATCH`], at most [`BATCHES_IN_FLIGHT_PER_JOB`] batches
/// per worker ahead of the first result not yet handed back ([`ROWS_IN_FLIGHT_PER_JOB`] rows).
/// Stops early when `each` returns false; true when every record was handed back.
pub fn work_while<I, T>(
    records: I,
    jobs: usize,
    work: impl Fn(&Record) -> T + Sync,
    mut each: impl FnMut(T) -> bool,
) -> bool
where
    I: IntoIterator<Item = Record>,
    I::IntoIter: Send,
    T: Send,
{
    // Past a few hundred threads a machine runs out of them (and the feeder thread, started
    // last, could not start): the command line asks at most this many, and so does this.
    let jobs = jobs.clamp(1, MAX_JOBS);
    let size = jobs.saturating_mul(BATCHES_IN_FLIGHT_PER_JOB);
    let window = Window {
        handed_back: Mutex::new(0),
        moved: Condvar::new(),
    };
    let (work_tx, work_rx) = sync_channel::<(usize, Vec<Record>)>(jobs);
    let work_rx: Shared = Mutex::new(Some(work_rx));
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<T>)>(size);
    let mut records = records.into_iter();
    let work = &work;
    thread::scope(|scope| {
        let (window, work_rx) = (&window, &work_rx);
        let _stop = StopOnDrop(window);
        let started = (0..jobs)
            .filter(|_| {
                let done_tx = done_tx.clone();
                let worker = thread::Builder::new().stack_size(WORKER_STACK);
                worker
                    .spawn_scoped(scope, move || work_on(work, work_rx, done_tx))
                    .is_ok()
            })
            .count();
        drop(done_tx);
        if started == 0 {
            // No thread could be started: work here, one row at a time.
            return records.all(|r| each(work(&r)));
        }
        scope.spawn(move || feed(records, work_tx, window, size));
        let finished = reorder(done_rx, window, &mut each);
        if !finished {
            window.set(STOPPED);
            if let Ok(mut shared) = work_rx.lock() {
                drop(shared.take());
            }
        }
        finished
    })
}

/// Sends the records in numbered batches, never more than `size` batches ahead of the
/// consumer.
fn feed(
    records: impl Iterator<Item = Record>,
    work: SyncSender<(usize, Vec<Record>)>,
    window: &Window,
    size: usize,
) {
    let mut records = records.peekable();
    let mut index = 0usize;
    while records.peek().is_some() {
        let batch: Vec<Record> = records.by_ref().take(ROWS_PER_BATCH).collect();
        if !window.wait_for(index, size) || work.send((index, batch)).is_err() {
            return;
        }
        index += 1;
    }
}

/// Takes records from the shared channel and works on each, until the channel closes.
fn work_on<T>(
    work: &(impl Fn(&Record) -> T + Sync),
    records: &Shared,
    done: SyncSender<(usize, Vec<T>)>,
) {
    loop {
        let next = match records.lock() {
            Ok(shared) => match shared.as_ref() {
                Some(rx) => rx.recv(),
                None => return,
            },
            Err(_) => return,
        };
        let Ok((index, batch)) = next else {
            return;
        };
        if done
            .send((index, batch.iter().map(work).collect()))
            .is_err()
        {
            return;
        }
    }
}

/// Hands the outcomes back in input order, holding the batches that arrive early; false as
/// soon as `each` asks to stop (the outcomes' channel is then dropped, so the workers stop
/// too).
fn reorder<T>(
    done: Receiver<(usize, Vec<T>)>,
    window: &Window,
    each: &mut impl FnMut(T) -> bool,
) -> bool {
    let mut early: BTreeMap<usize, Vec<T>> = BTreeMap::new();
    let mut next = 0usize;
    for (index, outcomes) in done {
        early.insert(index, outcomes);
        let before = next;
        while let Some(outcomes) = early.remove(&next) {
            for outcome in outcomes {
                if !each(outcome) {
                    return false;
                }
            }
            next += 1;
        }
        if next != before {
            window.set(next);
        }
    }
    true
}
