//! The load generator behind `rpq bench`, like redis-benchmark, built on the same `Queue` calls as
//! `produce --stdin` and `consume`, so it measures what users run. Three phases, one after the
//! other, every thread with its own connection: produce all tasks (no consumer running), consume
//! them all (claim + ack, the ack riding on the next claim as in `consume`), then push tasks one
//! at a time to idle consumers and time push to claim on one monotonic clock (one process);
//! then schedule tasks at known times and time due to claim by idle consumers (the server's
//! clock mapped onto the monotonic one). Every task must come out exactly once; the bench
//! exits 1 when one did not.

use crate::config::Config;
use crate::consumer::{self, waker::Waker};
use crate::error::{Interrupted, UsageError};
use crate::output::bench::{Latency, Report, Setup};
use crate::output::{note, Collected, Output};
use crate::queue::{ClaimOptions, ClaimReply, Claimed, Lease, LimitChange, Queue};
use crate::server::RedisServer;
use crate::shutdown::Shutdown;
use crate::task::{new_id, Due, NewTask, Priority, Settings, When};
use anyhow::{anyhow, bail, Context, Result};
use rand::Rng;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

/// Leases are long: a bench consumer never holds a task for more than a round trip.
const LEASE: Duration = Duration::from_secs(60);

/// How long the latency phase waits for one task before it calls the run broken.
const SAMPLE_LIMIT: Duration = Duration::from_secs(10);

/// Sentinel tasks of this type end the latency phase's consumers, one each.
const STOP_TYPE: &str = "bench-stop";

/// The type of the tasks the bench produces and consumes (and limits, with `--rate`).
const TASK_TYPE: &str = "bench";

/// What to run (the flags of `rpq bench`).
#[derive(Debug, Clone)]
pub struct Options {
    pub setup: Setup,
    pub latency_tasks: u64,
    /// Tasks of the scheduled phase (0 skips it).
    pub scheduled_tasks: u64,
    /// A private redis-server for the run.
    pub spawn: bool,
    /// Wait for Enter between producing and consuming.
    pub step: bool,
    /// The limits on the bench's tasks while consuming (`rate` and `max_in_flight` of Setup).
    pub limit: LimitChange,
}

/// Runs the three phases on a fresh queue (or `--queue`, which must be empty) of the server
/// in `cfg` or a private one, deletes the queue afterwards and returns the report.
pub fn run(cfg: &Config, args: &Options, sd: &Shutdown, out: &Output) -> Result<Report> {
    let mut cfg = cfg.clone();
    // Kept alive for the whole run; Drop stops it.
    let server = if args.spawn {
        let s = RedisServer::start(&[]).context("starting a private redis-server")?;
        cfg.use_private(&s);
        Some(s)
    } else {
        None
    };
    if !cfg.queue_given {
        cfg.queue = format!("bench-{:08x}", rand::rng().random::<u32>());
    }
    let mut control = Queue::open(&cfg).with_context(|| {
        format!(
            "connecting to redis at {}; start one or add --spawn for a private redis-server",
            cfg.display_url()
        )
    })?;
    let l = control.lengths()?;
    let held = l.waiting + l.in_flight + l.retrying + l.dead;
    if held > 0 {
        return Err(UsageError(format!(
            "queue '{}' holds {held} tasks and the bench would mix its own with them; \
             use another --queue, or empty it with `rpq clear`",
            cfg.queue
        ))
        .into());
    }
    let where_ = match &server {
        Some(s) => format!("a private redis-server on port {}", s.port),
        None => cfg.display_url(),
    };
    let result = bench(&cfg, args, sd, out, &mut control, &where_);
    // Whatever happened, the bench's queue goes: it was empty when we came.
    let cleaned = Queue::open(&cfg).and_then(|mut q| q.destroy());
    if result.as_ref().is_err_and(|e| e.is::<Interrupted>()) && cleaned.is_ok() {
        note(&format!("bench stopped; queue '{}' deleted", cfg.queue));
    }
    let report = result?;
    if let Err(e) = cleaned {
        note(&format!(
            "could not delete the bench queue '{}': {e:#}",
            cfg.queue
        ));
    }
    Ok(report)
}

fn bench(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
    out: &Output,
    control: &mut Queue,
    where_: &str,
) -> Result<Report> {
    let epoch = Instant::now();
    let version = info_field(control, "server", "redis_version").unwrap_or_default();
    let mem_before = used_memory(control).ok();

    // events (issue 26): on before the first push, which writes its `pushed`.
    if a.setup.events {
        control.set_events(Some(crate::queue::events::DEFAULT_KEEP))?;
    }
    let (expected, produce_time) = produce_phase(cfg, a, sd, out)?;
    let mem_after = used_memory(control).ok();
    let memory_per_task = mem_before
        .zip(mem_after)
        .map(|(b, a_)| (a_ as f64 - b as f64) / a.setup.tasks as f64);
    if let Some(ms) = a.setup.due_in_ms {
        // Every task falls due within `due_in` of the end of producing: consume from then on.
        if !sd.sleep(Duration::from_millis(ms)) {
            return Err(Interrupted.into());
        }
    }
    if a.setup.scheduled_backlog > 0 {
        schedule_backlog(control, a.setup.scheduled_backlog, sd)?;
    }
    if let Some(ms) = a.setup.aging_ms {
        control.set_aging(Some(Duration::from_millis(ms)))?;
    }
    // controls (issue 13): the claim cost with a limit on the bench's tasks in force.
    let limited = a.limit.rate.is_some() || a.limit.max_in_flight.is_some();
    if limited {
        control.set_limit(Some(TASK_TYPE), &a.limit)?;
    }
    // groups (issue 23): every group's cap, as `rpq limit --each-group --max-in-flight N`.
    if let Some(cap) = a.setup.group_cap {
        let each = crate::queue::LimitChange {
            rate: None,
            burst: None,
            max_in_flight: Some(cap),
        };
        control.set_group_limit(None, &each)?;
    }

    if a.step {
        out.wait_for_enter(&format!(
            "produced {} tasks into queue '{}' at {where_}; press Enter to consume them",
            a.setup.tasks, cfg.queue
        ))?;
    }
    check_stop(sd)?;

    let (mut seen, consume_time) = consume_phase(cfg, a, sd, out)?;
    check_stop(sd)?;
    if limited {
        control.remove_limit(Some(TASK_TYPE))?;
    }

    let (latency_ids, mut latency_seen, samples) = latency_phase(cfg, a, sd, epoch)?;
    check_stop(sd)?;

    // The backlog would be claimed by the scheduled phase's consumers a day from now: gone.
    if a.setup.scheduled_backlog > 0 {
        control.clear()?;
    }
    let (scheduled_ids, mut scheduled_seen, due_samples) = scheduled_phase(cfg, a, sd)?;
    check_stop(sd)?;

    let mut all_expected = expected;
    all_expected.extend(latency_ids);
    all_expected.extend(scheduled_ids);
    seen.append(&mut latency_seen);
    seen.append(&mut scheduled_seen);
    let (lost, duplicated) = verify(&all_expected, &seen);
    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
    Ok(Report {
        setup: a.setup.clone(),
        produce_secs: produce_time.as_secs_f64(),
        produce_per_sec: rate(a.setup.tasks, produce_time),
        consume_secs: consume_time.as_secs_f64(),
        consume_per_sec: rate(a.setup.tasks, consume_time),
        latency_ms: percentiles(samples),
        scheduled_ms: percentiles(due_samples),
        memory_per_task_bytes: memory_per_task,
        redis_version: version,
        queue: cfg.queue.clone(),
        pushed: all_expected.len() as u64,
        consumed: seen.len() as u64,
        lost,
        duplicated,
        location: where_.to_string(),
    })
}

fn check_stop(sd: &Shutdown) -> Result<()> {
    if sd.stop_requested() {
        return Err(Interrupted.into());
    }
    Ok(())
}

/// Phase 1: every producer pushes its share in batches of `--batch`, one script call each.
/// Returns the ids pushed and the time from the common start to the last producer's end.
fn produce_phase(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
    out: &Output,
) -> Result<(Vec<String>, Duration)> {
    let payload = Value::String(padding(a.setup.payload_bytes as usize));
    let when = When {
        due: match a.setup.due_in_ms {
            Some(ms) => Due::In(Duration::from_millis(ms)),
            None => Due::Now,
        },
        ttl: None,
    };
    phase(
        cfg,
        a.setup.producers,
        "produce:",
        a.setup.tasks,
        out,
        |i, q, done| {
            let share = a.setup.tasks / a.setup.producers
                + u64::from(i < a.setup.tasks % a.setup.producers);
            let mut ids = Vec::with_capacity(share as usize);
            let mut batch = Vec::with_capacity(a.setup.batch as usize);
            let mut left = share;
            while left > 0 && !sd.stop_requested() {
                batch.clear();
                for j in 0..left.min(a.setup.batch) {
                    batch.push(NewTask {
                        after: None,
                        id: new_id(),
                        kind: TASK_TYPE.into(),
                        priority: Priority::ALL[(j % 3) as usize],
                        payload: payload.clone(),
                        when,
                        settings: Settings::default(),
                        named: false,
                        // TRACEPARENT=... rpq bench: every task traced (issue 26: what
                        // exporting spans costs a consumer).
                        trace: cfg.trace.clone(),
                        // Groups in turn over the producers' tasks (issue 23).
                        group: a.setup.group_count.map(|n| {
                            let k = (share - left + j) * a.setup.producers + i;
                            format!("g{}", k % n)
                        }),
                    });
                }
                for t in &mut batch {
                    q.place(t).map_err(anyhow::Error::msg)?;
                }
                let (_, flags) = q.push(&batch)?;
                if flags.iter().any(|f| !f) {
                    bail!("a fresh random task id was already queued");
                }
                ids.extend(batch.drain(..).map(|t| t.id));
                left -= flags.len() as u64;
                done.fetch_add(flags.len() as u64, Ordering::Relaxed);
            }
            Ok(ids)
        },
    )
}

/// Phase 2: consumers claim `--prefetch` tasks a call, each call acknowledging the previous
/// ones, until a claim finds nothing waiting. Returns the ids claimed and the phase's time.
/// With a handler (`--exec`, `--pipe`) each consumer is the consumer's engine itself.
fn consume_phase(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
    out: &Output,
) -> Result<(Vec<String>, Duration)> {
    if a.setup.exec.is_some() || a.setup.pipe.is_some() {
        return consume_with_handlers(cfg, a, sd, out);
    }
    phase(
        cfg,
        a.setup.consumers,
        "consume:",
        a.setup.tasks,
        out,
        |i, q, done| {
            let opts = ClaimOptions {
                consumer: format!("bench-c{i}"),
                lease: LEASE,
                max_attempts: 3,
                count: a.setup.prefetch as usize,
            };
            let mut seen = Vec::with_capacity((a.setup.tasks / a.setup.consumers) as usize);
            drain(
                q,
                &opts,
                || sd.stop_requested(),
                |reply, _| {
                    if reply.tasks.is_empty() && reply.unreadable.is_empty() {
                        // controls (issue 13): tasks held back by a limit are waited for, until
                        // the time the claim gave or a wake-up (a freed slot).
                        let Some(held) = reply.held else {
                            return Ok(Next::End);
                        };
                        let wait = held
                            .until
                            .map(|t| (t - reply.now).to_std().unwrap_or_default())
                            .unwrap_or(Duration::from_millis(100));
                        return Ok(Next::Wait(wait));
                    }
                    done.fetch_add(reply.tasks.len() as u64, Ordering::Relaxed);
                    // An unreadable task is acknowledged away and counted as lost: its id never
                    // reaches `seen`.
                    seen.extend(reply.tasks.into_iter().map(|c| c.task.id));
                    Ok(Next::Claim)
                },
            )?;
            Ok(seen)
        },
    )
}

/// Phase 2 with a handler: `--consumers` engines (as `rpq consume --drain`), each with `-j`
/// slots running `--exec` or `--pipe`; the phase's time includes their start (a `--pipe`
/// handler's too). Each engine's done lines are collected for the exactly-once check.
fn consume_with_handlers(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
    out: &Output,
) -> Result<(Vec<String>, Duration)> {
    let seen: Vec<Collected> = (0..a.setup.consumers)
        .map(|_| Collected::default())
        .collect();
    let start = Barrier::new(a.setup.consumers as usize + 1);
    let result = std::thread::scope(|s| {
        let handles: Vec<_> = seen
            .iter()
            .enumerate()
            .map(|(i, ids)| {
                let start = &start;
                s.spawn(move || -> Result<(Instant, Instant)> {
                    let o = consumer::Options {
                        name: format!("bench-c{i}"),
                        drain: true,
                        exec: a.setup.exec.clone(),
                        pipe: a.setup.pipe.clone(),
                        lease: LEASE,
                        prefetch: a.setup.prefetch as usize,
                        concurrency: a.setup.concurrency as usize,
                        ..consumer::Options::simulated("", Duration::ZERO)
                    };
                    start.wait();
                    let began = Instant::now();
                    consumer::run(cfg, &o, sd, &Output::collecting(Arc::clone(ids)))?;
                    Ok((began, Instant::now()))
                })
            })
            .collect();
        start.wait();
        let done = AtomicU64::new(0);
        let mut progress = out.progress("consume:", Some(a.setup.tasks));
        while !handles.iter().all(|h| h.is_finished()) {
            done.store(
                seen.iter().map(|c| c.lock().unwrap().len() as u64).sum(),
                Ordering::Relaxed,
            );
            progress.show(done.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(50));
        }
        progress.clear();
        join_all(handles)
    })?;
    let began = result.iter().map(|r| r.0).min().expect("one consumer");
    let ended = result.iter().map(|r| r.1).max().expect("one consumer");
    let ids = seen
        .iter()
        .flat_map(|c| std::mem::take(&mut *c.lock().unwrap()))
        .collect();
    Ok((ids, ended - began))
}

/// Runs `work` on `threads` threads, each with its own connection, all starting together once
/// connected; shows the count in `done` on the progress line. Returns the ids of every thread
/// and the time from the first start to the last end.
fn phase(
    cfg: &Config,
    threads: u64,
    label: &str,
    of: u64,
    out: &Output,
    work: impl Fn(u64, &mut Queue, &AtomicU64) -> Result<Vec<String>> + Sync,
) -> Result<(Vec<String>, Duration)> {
    let start = Barrier::new(threads as usize);
    let done = AtomicU64::new(0);
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (start, done, work) = (&start, &done, &work);
                s.spawn(move || -> Result<(Vec<String>, Instant, Instant)> {
                    let q = Queue::open(cfg);
                    start.wait();
                    let mut q = q?;
                    let began = Instant::now();
                    let ids = work(i, &mut q, done)?;
                    Ok((ids, began, Instant::now()))
                })
            })
            .collect();
        watch(out.progress(label, Some(of)), &handles, &done);
        join_all(handles)
    })?;
    Ok(span(results))
}

/// The ids of every thread of a phase, and the time from the first start to the last end.
fn span(results: Vec<(Vec<String>, Instant, Instant)>) -> (Vec<String>, Duration) {
    let began = results.iter().map(|r| r.1).min().expect("one thread");
    let ended = results.iter().map(|r| r.2).max().expect("one thread");
    (
        results.into_iter().flat_map(|r| r.0).collect(),
        ended - began,
    )
}

/// Phase 3: consumers wait idle (blocked on the wake list, as `consume` does) and one task at a
/// time is pushed carrying its push time; the consumer that claims it records the difference.
/// Returns the ids pushed, the ids claimed and the latencies.
#[allow(clippy::type_complexity)]
fn latency_phase(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
    epoch: Instant,
) -> Result<(Vec<String>, Vec<String>, Vec<Duration>)> {
    let total = a.latency_tasks;
    if total == 0 {
        return Ok((vec![], vec![], vec![]));
    }
    let n = a.setup.consumers as usize;
    // Each claimed sample is reported on the channel, so the pusher sleeps instead of polling.
    let (tx, rx) = mpsc::channel::<()>();
    let failed = AtomicBool::new(false);
    let ready = Barrier::new(n + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (received, ready, failed) = (tx.clone(), &ready, &failed);
                s.spawn(move || -> Result<(Vec<String>, Vec<Duration>)> {
                    let opts = ClaimOptions {
                        consumer: format!("bench-l{i}"),
                        lease: LEASE,
                        max_attempts: 3,
                        count: 1,
                    };
                    let q = Queue::open(cfg);
                    ready.wait();
                    let r = consume_samples(q, &opts, sd, epoch, &received);
                    if r.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    r
                })
            })
            .collect();
        drop(tx);
        ready.wait();
        let pushed = push_samples(cfg, total, n, sd, epoch, &rx, &failed);
        let mut seen = Vec::new();
        let mut samples = Vec::new();
        for h in handles {
            let (ids, lat) = h.join().expect("a bench consumer panicked")?;
            seen.extend(ids);
            samples.extend(lat);
        }
        Ok((pushed?, seen, samples))
    })
}

fn consume_samples(
    q: Result<Queue>,
    opts: &ClaimOptions,
    sd: &Shutdown,
    epoch: Instant,
    received: &mpsc::Sender<()>,
) -> Result<(Vec<String>, Vec<Duration>)> {
    let mut q = q?;
    let (mut seen, mut samples) = (Vec::new(), Vec::new());
    drain(
        &mut q,
        opts,
        || false,
        |reply, _| {
            if reply.tasks.is_empty() {
                if sd.stop_requested() {
                    return Ok(Next::End);
                }
                return Ok(Next::Wait(Duration::from_secs(1)));
            }
            let now = epoch.elapsed();
            let mut stop = false;
            for c in reply.tasks {
                if c.task.kind == STOP_TYPE {
                    stop = true;
                } else {
                    let pushed_at = c.task.payload.as_u64().unwrap_or(0);
                    samples.push(now.saturating_sub(Duration::from_nanos(pushed_at)));
                    seen.push(c.task.id);
                    let _ = received.send(());
                }
            }
            Ok(if stop { Next::End } else { Next::Claim })
        },
    )?;
    Ok((seen, samples))
}

/// Pushes the latency tasks one at a time, each only once the previous one was claimed and the
/// consumers had a moment to block again, then one stop task per consumer.
fn push_samples(
    cfg: &Config,
    total: u64,
    consumers: usize,
    sd: &Shutdown,
    epoch: Instant,
    received: &mpsc::Receiver<()>,
    failed: &AtomicBool,
) -> Result<Vec<String>> {
    let mut q = Queue::open(cfg)?;
    let mut ids = Vec::with_capacity(total as usize);
    let mut got = 0u64;
    let mut wait_for = |n: u64| -> Result<()> {
        let limit = Instant::now() + SAMPLE_LIMIT;
        while got < n {
            match received.recv_timeout(Duration::from_millis(100)) {
                Ok(()) => got += 1,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if sd.stop_requested() || failed.load(Ordering::SeqCst) {
                return Ok(());
            }
            if Instant::now() > limit {
                bail!("a latency task was not claimed within {SAMPLE_LIMIT:?}");
            }
        }
        Ok(())
    };
    let result = (|| -> Result<()> {
        for i in 0..total {
            wait_for(i)?;
            if sd.stop_requested() || failed.load(Ordering::SeqCst) {
                break;
            }
            // Long enough for the consumer that took the last task to be blocked again.
            std::thread::sleep(Duration::from_millis(1));
            let pushed_at = epoch.elapsed().as_nanos() as u64;
            let t = NewTask {
                id: new_id(),
                kind: "bench".into(),
                priority: Priority::MEDIUM,
                payload: Value::from(pushed_at),
                when: When::NOW,
                settings: Settings::default(),
                named: false,
                trace: None,
                group: None,
                after: None,
            };
            q.push(std::slice::from_ref(&t))?;
            ids.push(t.id);
        }
        wait_for(ids.len() as u64)
    })();
    // Stop tasks go in even after an error, so no consumer waits for ever.
    let stops: Vec<NewTask> = (0..consumers)
        .map(|_| NewTask::new(STOP_TYPE, Priority::LOW, Value::Null))
        .collect();
    q.push(&stops)?;
    result.map(|()| ids)
}

/// Schedules `n` tasks a day ahead, in batches of 1,000: the scheduled set a claim of waiting
/// tasks must not notice.
fn schedule_backlog(q: &mut Queue, n: u64, sd: &Shutdown) -> Result<()> {
    let when = When {
        due: Due::In(Duration::from_secs(86_400)),
        ttl: None,
    };
    let mut left = n;
    while left > 0 {
        check_stop(sd)?;
        let batch: Vec<NewTask> = (0..left.min(1000))
            .map(|_| NewTask {
                when,
                ..NewTask::new("bench-later", Priority::MEDIUM, Value::Null)
            })
            .collect();
        q.push(&batch)?;
        left -= batch.len() as u64;
    }
    Ok(())
}

/// How far apart the scheduled phase's tasks fall due, and how long after the push the first.
const SCHEDULED_GAP: Duration = Duration::from_millis(5);
const SCHEDULED_LEAD: Duration = Duration::from_millis(300);

/// Phase 4: tasks scheduled at known times, `SCHEDULED_GAP` apart, all pushed at once; idle
/// consumers sleep until the first due time (woken by their waker, as `consume` does) and time
/// each from its due time, on the server's clock mapped onto the monotonic one, to the claim's
/// reply. Returns the ids pushed, the ids claimed and the delays.
#[allow(clippy::type_complexity)]
fn scheduled_phase(
    cfg: &Config,
    a: &Options,
    sd: &Shutdown,
) -> Result<(Vec<String>, Vec<String>, Vec<Duration>)> {
    let total = a.scheduled_tasks;
    if total == 0 {
        return Ok((vec![], vec![], vec![]));
    }
    let n = a.setup.consumers as usize;
    let mut q = Queue::open(cfg)?;
    let clock = ServerClock::read(&mut q)?;
    let first_due = clock.server_ms_at(Instant::now() + SCHEDULED_LEAD);
    let tasks: Vec<NewTask> = (0..total)
        .map(|i| {
            let due = first_due + (i * SCHEDULED_GAP.as_millis() as u64) as i64;
            NewTask {
                when: When {
                    due: Due::At(crate::task::ms_to_time(due)),
                    ttl: None,
                },
                ..NewTask::new("bench", Priority::MEDIUM, Value::from(due))
            }
        })
        .collect();
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let claimed = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let ready = Barrier::new(n + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (ready, claimed, failed, clock) = (&ready, &claimed, &failed, &clock);
                s.spawn(move || -> Result<(Vec<String>, Vec<Duration>)> {
                    let q = Queue::open(cfg);
                    ready.wait();
                    let r = consume_scheduled(q, cfg, i, sd, clock, claimed);
                    if r.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    r
                })
            })
            .collect();
        ready.wait();
        let pushed = (|| -> Result<()> {
            q.push(&tasks)?;
            let last_due = Duration::from_millis(total * SCHEDULED_GAP.as_millis() as u64);
            let limit = Instant::now() + SCHEDULED_LEAD + last_due + SAMPLE_LIMIT;
            while claimed.load(Ordering::SeqCst) < total {
                if sd.stop_requested() || failed.load(Ordering::SeqCst) {
                    return Ok(());
                }
                if Instant::now() > limit {
                    bail!("the scheduled tasks were not all claimed within {SAMPLE_LIMIT:?} of their due times");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(())
        })();
        // Stop tasks go in even after an error, so no consumer waits for ever.
        let stops: Vec<NewTask> = (0..n)
            .map(|_| NewTask::new(STOP_TYPE, Priority::LOW, Value::Null))
            .collect();
        q.push(&stops)?;
        let mut seen = Vec::new();
        let mut samples = Vec::new();
        for h in handles {
            let (got, lat) = h.join().expect("a bench consumer panicked")?;
            seen.extend(got);
            samples.extend(lat);
        }
        pushed?;
        Ok((ids, seen, samples))
    })
}

fn consume_scheduled(
    q: Result<Queue>,
    cfg: &Config,
    i: usize,
    sd: &Shutdown,
    clock: &ServerClock,
    claimed: &AtomicU64,
) -> Result<(Vec<String>, Vec<Duration>)> {
    let mut q = q?;
    let waker = Waker::start(cfg.clone());
    let opts = ClaimOptions {
        consumer: format!("bench-s{i}"),
        lease: LEASE,
        max_attempts: 3,
        count: 1,
    };
    let (mut seen, mut samples) = (Vec::new(), Vec::new());
    drain(
        &mut q,
        &opts,
        || false,
        |reply, got_at| {
            if reply.tasks.is_empty() {
                if sd.stop_requested() {
                    return Ok(Next::End);
                }
                let due = reply
                    .next_due
                    .map(|t| got_at + (t - reply.now).to_std().unwrap_or_default());
                waker.at(due);
                return Ok(Next::Wait(Duration::from_secs(1)));
            }
            let mut stop = false;
            for c in reply.tasks {
                if c.task.kind == STOP_TYPE {
                    stop = true;
                } else {
                    let due = clock.instant_of(c.task.payload.as_i64().unwrap_or(0));
                    samples.push(got_at.saturating_duration_since(due));
                    seen.push(c.task.id);
                    claimed.fetch_add(1, Ordering::SeqCst);
                }
            }
            Ok(if stop { Next::End } else { Next::Claim })
        },
    )?;
    Ok((seen, samples))
}

/// What the bench's claim loop does after a claim.
enum Next {
    /// Claim again at once, the acks of what was just taken riding on it.
    Claim,
    /// Wait for work (a wake-up, or this long), then claim again.
    Wait(Duration),
    /// Send the acks of what was just taken alone, and end.
    End,
}

/// The bench's one claim/ack loop, as `consume` runs it: each claim carries the acks of what
/// the one before took; an unreadable task is acknowledged away; an ack refused is a broken
/// run. `stop` is asked before each claim (true: the acks go alone, and the loop ends); `step`
/// sees each reply, with when it came, and says what next.
fn drain(
    q: &mut Queue,
    opts: &ClaimOptions,
    stop: impl Fn() -> bool,
    mut step: impl FnMut(ClaimReply, Instant) -> Result<Next>,
) -> Result<()> {
    let mut acks: Vec<Lease> = Vec::with_capacity(opts.count);
    loop {
        if stop() {
            q.ack(&opts.consumer, &acks)?;
            return Ok(());
        }
        let reply = q.claim(opts, &acks)?;
        let got_at = Instant::now();
        if reply.acked.iter().any(|ok| !ok) {
            bail!("a bench lease was lost before its ack");
        }
        acks.clear();
        acks.extend(reply.unreadable.iter().map(|u| u.lease.clone()));
        acks.extend(reply.tasks.iter().map(Claimed::lease));
        match step(reply, got_at)? {
            Next::Claim => {}
            Next::Wait(wait) => {
                if wait > Duration::ZERO {
                    q.wait_for_work(wait)?;
                }
            }
            Next::End => {
                if !acks.is_empty() {
                    q.ack(&opts.consumer, &acks)?;
                }
                return Ok(());
            }
        }
    }
}

/// The server's clock against the monotonic one: TIME read a few times, the reading with the
/// shortest round trip taken at its middle (off by at most half that round trip).
struct ServerClock {
    at: Instant,
    server_us: i64,
}

impl ServerClock {
    fn read(q: &mut Queue) -> Result<ServerClock> {
        let mut best: Option<(Duration, ServerClock)> = None;
        for _ in 0..9 {
            let before = Instant::now();
            let (secs, micros): (i64, i64) = redis::cmd("TIME")
                .query(q.conn())
                .context("reading the server's clock")?;
            let rtt = before.elapsed();
            let c = ServerClock {
                at: before + rtt / 2,
                server_us: secs * 1_000_000 + micros,
            };
            if best.as_ref().is_none_or(|(r, _)| rtt < *r) {
                best = Some((rtt, c));
            }
        }
        Ok(best.expect("nine readings").1)
    }

    fn server_ms_at(&self, t: Instant) -> i64 {
        (self.server_us + t.saturating_duration_since(self.at).as_micros() as i64) / 1000
    }

    /// The monotonic instant of a server time in ms.
    fn instant_of(&self, server_ms: i64) -> Instant {
        let us = server_ms * 1000 - self.server_us;
        if us >= 0 {
            self.at + Duration::from_micros(us as u64)
        } else {
            self.at
                .checked_sub(Duration::from_micros(us.unsigned_abs()))
                .unwrap_or(self.at)
        }
    }
}

fn join_all<T>(handles: Vec<ScopedJoinHandle<'_, Result<T>>>) -> Result<Vec<T>> {
    handles
        .into_iter()
        .map(|h| h.join().map_err(|_| anyhow!("a bench thread panicked"))?)
        .collect()
}

/// Tasks pushed but never claimed, and claims beyond the first of a task (or of a task that
/// was never pushed).
pub fn verify(expected: &[String], seen: &[String]) -> (u64, u64) {
    let mut count: HashMap<&str, u64> = expected.iter().map(|id| (id.as_str(), 0)).collect();
    let mut duplicated = 0;
    for id in seen {
        match count.get_mut(id.as_str()) {
            Some(n) => {
                *n += 1;
                if *n > 1 {
                    duplicated += 1;
                }
            }
            None => duplicated += 1,
        }
    }
    let lost = count.values().filter(|n| **n == 0).count() as u64;
    (lost, duplicated)
}

/// Nearest-rank percentiles, in milliseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
    let rank = |p: f64| -> f64 {
        if samples.is_empty() {
            return 0.0;
        }
        let i = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        ms(samples[i.clamp(1, samples.len()) - 1])
    };
    Latency {
        samples: samples.len() as u64,
        p50: rank(50.0),
        p99: rank(99.0),
        max: rank(100.0),
    }
}

/// A payload of `n` printable bytes (no escaping in JSON, so the stored size is `n` + 2).
fn padding(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n).map(|i| CHARS[i % CHARS.len()] as char).collect()
}

fn info_field(q: &mut Queue, section: &str, field: &str) -> Result<String> {
    crate::conn::info_field(q.conn(), section, field)
}

fn used_memory(q: &mut Queue) -> Result<u64> {
    info_field(q, "memory", "used_memory")?
        .parse()
        .context("reading used_memory")
}

/// Shows a phase's count on the progress line until every thread of it has finished.
fn watch<T>(
    mut progress: crate::output::Progress,
    handles: &[ScopedJoinHandle<'_, T>],
    done: &AtomicU64,
) {
    loop {
        progress.show(done.load(Ordering::Relaxed));
        if handles.iter().all(|h| h.is_finished()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    progress.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn verify_counts_lost_and_duplicated() {
        let pushed = ids(&["a", "b", "c"]);
        assert_eq!(verify(&pushed, &ids(&["c", "a", "b"])), (0, 0));
        assert_eq!(verify(&pushed, &ids(&["a", "b"])), (1, 0));
        assert_eq!(verify(&pushed, &ids(&["a", "b", "b", "c"])), (0, 1));
        assert_eq!(verify(&pushed, &ids(&["a", "x", "c"])), (1, 1));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = percentiles(ms);
        assert_eq!((l.samples, l.p50, l.p99, l.max), (100, 50.0, 99.0, 100.0));
        assert_eq!(percentiles(vec![]).samples, 0);
    }

    #[test]
    fn padding_has_the_asked_size_and_needs_no_escaping() {
        let p = padding(100);
        assert_eq!(p.len(), 100);
        assert_eq!(serde_json::to_string(&p).unwrap().len(), 102);
    }
}
