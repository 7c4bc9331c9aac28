//! `rpq ctl VERB ...` (issue 25): a handler's call to its consumer, over the socket the consumer
//! named in `RPQ_CONTROL`, with the task's secret from `RPQ_CONTROL_KEY`. Turns the verb into a
//! request and the answer into an exit code: 0 done, 1 refused (one line on stderr).

use crate::cli::{CheckpointCommand, CtlArgs, CtlCommand};
use crate::consumer::control::{call, Request};
use crate::output::Output;
use anyhow::{anyhow, bail, Result};
use std::io::BufRead;
use std::process::ExitCode;

/// Lines of stdin sent per request by `rpq ctl log` without arguments.
const LOG_CHUNK: usize = 100;

pub fn run(out: &Output, a: &CtlArgs) -> Result<ExitCode> {
    let c = &a.verb;
    let Some((path, key)) = crate::config::control_env() else {
        bail!(
            "rpq ctl works only inside a handler of `rpq consume --exec` (RPQ_CONTROL and \
             RPQ_CONTROL_KEY are not set)"
        );
    };
    let send = |verb: &str, args: Vec<String>| -> Result<Option<String>> {
        let req = Request {
            key: key.clone(),
            task: a.task.clone(),
            verb: verb.to_string(),
            args,
        };
        let a = call(&path, &req)
            .map_err(|e| anyhow!("ctl {verb}: the consumer of this task is gone ({e}); stop"))?;
        if a.ok {
            Ok(a.value)
        } else {
            bail!("ctl {verb}: {}", a.error.unwrap_or_default())
        }
    };
    match c {
        CtlCommand::Progress { percent, message } => {
            let mut args = vec![percent.to_string()];
            args.extend(message.iter().cloned());
            send("progress", args)?;
        }
        CtlCommand::Log { text } if !text.is_empty() => {
            send("log", vec![text.join(" ")])?;
        }
        CtlCommand::Log { .. } => {
            let mut lines = Vec::new();
            for line in std::io::stdin().lock().split(b'\n') {
                lines.push(String::from_utf8_lossy(&line?).trim_end().to_string());
                if lines.len() == LOG_CHUNK {
                    send("log", std::mem::take(&mut lines))?;
                }
            }
            if !lines.is_empty() {
                send("log", lines)?;
            }
        }
        CtlCommand::Extend { duration } => {
            send("extend", vec![format!("{}ms", duration.as_millis())])?;
        }
        CtlCommand::Checkpoint(CheckpointCommand::Set { key, value }) => {
            send("checkpoint-set", vec![key.clone(), value.clone()])?;
        }
        CtlCommand::Checkpoint(CheckpointCommand::Get { key }) => {
            match send("checkpoint-get", vec![key.clone()])? {
                Some(v) => out.raw(format!("{v}\n").as_bytes())?,
                None => return Ok(ExitCode::FAILURE),
            }
        }
        CtlCommand::Spawn {
            kind,
            priority,
            payload,
            id,
        } => {
            let mut line = serde_json::json!({
                "type": kind,
                "priority": priority.get(),
                "payload": crate::task::parse_payload(payload),
            });
            if let Some(id) = id {
                line["id"] = id.clone().into();
            }
            if let Some(child) = send("spawn", vec![line.to_string()])? {
                out.raw(format!("{child}\n").as_bytes())?;
            }
        }
        CtlCommand::RetryAfter { duration, reason } => {
            let mut args = vec![format!("{}ms", duration.as_millis())];
            args.extend(reason.iter().cloned());
            send("retry-after", args)?;
        }
        CtlCommand::Once { key } => {
            send("once", vec![key.clone()])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
