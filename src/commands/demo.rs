//! `rpq demo`: the seed's three terminals in one. A producer and two consumers of different
//! speeds run as threads against `--url` if it answers, else against a private redis-server.

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::consumer;
use crate::error::Interrupted;
use crate::output::{note, Output};
use crate::producer;
use crate::queue::Queue;
use crate::server::RedisServer;
use crate::shutdown::Shutdown;
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(cfg: &Config, out: &Output, args: &DemoArgs) -> Result<ExitCode> {
    let sd = Shutdown::install()?;
    let mut cfg = cfg.clone();
    // Keep the private server alive for the whole demo; Drop stops it, also after Ctrl+C.
    let _server = match Queue::open(&cfg) {
        Ok(_) => {
            note(&format!("using redis at {}", cfg.display_url()));
            None
        }
        Err(_) => {
            let s = RedisServer::start(&[]).context("starting a private redis-server")?;
            note(&format!(
                "no redis at {}; started a private redis-server on port {} (stopped at the end)",
                cfg.display_url(),
                s.port
            ));
            cfg.use_private(&s);
            Some(s)
        }
    };
    if !cfg.queue_given {
        cfg.queue = "demo".to_string();
    }
    note(&format!(
        "queue '{}': a producer every 0.5s, consumer c1 takes 1.5s a task, c2 takes 3s, so a \
         backlog builds and high priority tasks overtake it; Ctrl+C stops",
        cfg.queue
    ));
    let started = Instant::now();
    let result = std::thread::scope(|s| -> Result<()> {
        let workers = [("c1", 1500), ("c2", 3000)].map(|(name, ms)| {
            let (cfg, sd, out) = (cfg.clone(), sd.clone(), out.clone());
            s.spawn(move || {
                let o = consumer::Options::simulated(name, Duration::from_millis(ms));
                consumer::run(&cfg, &o, &sd, &out).map(|_| ())
            })
        });
        let (pcfg, psd, pout) = (cfg.clone(), sd.clone(), out.clone());
        let producer = s.spawn(move || {
            producer::generate(
                &pcfg,
                Duration::from_millis(500),
                None,
                &producer::random_task,
                &psd,
                &pout,
                "Producer",
            )
            .map(|_| ())
        });
        if let Some(d) = args.duration {
            while started.elapsed() < d && !sd.stop_requested() {
                std::thread::sleep(Duration::from_millis(50));
            }
            sd.request_stop();
        }
        let mut first_err = producer.join().expect("producer thread panicked").err();
        for w in workers {
            if let Err(e) = w.join().expect("consumer thread panicked") {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    });
    match result {
        Err(e) if e.is::<Interrupted>() => Err(e),
        Err(e) => Err(e),
        Ok(()) => {
            let left = Queue::open(&cfg).and_then(|mut q| q.lengths()).ok();
            if let Some(l) = left {
                note(&format!(
                    "demo over after {}s; {} tasks left waiting in queue '{}'",
                    started.elapsed().as_secs(),
                    l.waiting,
                    cfg.queue
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
