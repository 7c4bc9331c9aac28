//! Time (issue 12): the aging step, the server's clock, recurring schedules and their firing.

use super::keys;
use super::script::{int, FireCode, AGING, FIRE, SCHEDULE};
use super::stored::Field;
use super::Queue;
use crate::schedule::{Definition, Stored};
use crate::task::NewTask;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use std::time::Duration;

impl Queue {
    /// The aging step in force (None: off), as shard 0 keeps it.
    pub fn aging(&mut self) -> Result<Option<Duration>> {
        let ms = int(Some(&self.invoke(
            0,
            &AGING,
            &[String::new()],
            "reading the aging step",
        )?))?;
        Ok((ms > 0).then(|| Duration::from_millis(ms as u64)))
    }

    /// Sets the aging step (None: off, strict priority) on every shard, where each claim reads it.
    pub fn set_aging(&mut self, step: Option<Duration>) -> Result<()> {
        self.pin()?;
        let ms = step.map_or(0, |d| d.as_millis().max(1) as u64).to_string();
        for shard in 0..self.shards.len() {
            self.invoke(
                shard,
                &AGING,
                std::slice::from_ref(&ms),
                "setting the aging step",
            )?;
        }
        Ok(())
    }

    /// The server's clock, in ms.
    pub fn server_ms(&mut self) -> Result<i64> {
        let (secs, micros): (i64, i64) = redis::cmd("TIME")
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "TIME"))
            .with_context(|| format!("reading the clock of the server of queue '{}'", self.name))?;
        Ok(secs * 1000 + micros / 1000)
    }

    /// Stores a schedule on every shard (replacing one of that name); true when it replaced one.
    /// Idle consumers are woken to load it.
    pub fn schedule_add(&mut self, name: &str, def: &Definition) -> Result<bool> {
        self.pin()?;
        let value = format!("{}|{}", def.since_ms, serde_json::to_string(def)?);
        let mut replaced = false;
        // Shard 0 last: its wake-up makes consumers load what every shard holds by then.
        for shard in (0..self.shards.len()).rev() {
            let args = [
                "add".to_string(),
                name.to_string(),
                value.clone(),
                if shard == 0 { "1" } else { "0" }.to_string(),
            ];
            let r = self.invoke(shard, &SCHEDULE, &args, "storing a schedule")?;
            replaced |= int(Some(&r))? == 1;
        }
        Ok(replaced)
    }

    /// Removes a schedule from every shard; false when there was none of that name.
    pub fn schedule_remove(&mut self, name: &str) -> Result<bool> {
        let mut had = false;
        for shard in (0..self.shards.len()).rev() {
            let args = [
                "remove".to_string(),
                name.to_string(),
                String::new(),
                if shard == 0 { "1" } else { "0" }.to_string(),
            ];
            let r = self.invoke(shard, &SCHEDULE, &args, "removing a schedule")?;
            had |= int(Some(&r))? == 1;
        }
        Ok(had)
    }

    /// Every schedule of the queue, by name, with the latest slot fired on any shard. Values
    /// that cannot be read are left out.
    pub fn schedules(&mut self) -> Result<Vec<Stored>> {
        let cmds = self
            .shards
            .iter()
            .map(|k| {
                let mut c = redis::cmd("HGETALL");
                c.arg(k.schedules());
                c
            })
            .collect();
        let replies = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading the schedules of queue '{}'", self.name))?;
        let mut all: Vec<Stored> = Vec::new();
        for reply in replies {
            for Field { name, value } in Field::all_of(reply)? {
                let Some(s) = Stored::parse(&name, &value) else {
                    continue;
                };
                match all.iter_mut().find(|a| a.name == name) {
                    Some(a) => a.merge(&s),
                    None => all.push(s),
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// Queues schedule `name`'s task now, by hand (`Stored::now_task`: an id of its own, no
    /// slot taken); None when the queue has no such schedule. The task, when it was created,
    /// and whether it was queued (false: the same millisecond fired it already).
    pub fn fire_now(&mut self, name: &str) -> Result<Option<(NewTask, DateTime<Utc>, bool)>> {
        let Some(s) = self.schedules()?.into_iter().find(|s| s.name == name) else {
            return Ok(None);
        };
        let task = s.now_task(self.server_ms()?);
        let (created, queued) = self.push(std::slice::from_ref(&task))?;
        Ok(Some((
            task,
            created[0],
            queued.first().copied().unwrap_or(false),
        )))
    }

    /// Queues the task of slot `slot_ms` of schedule `s`, unless it fired already (on the shard
    /// of the slot's task, in one script: at most once per slot however many consumers race).
    pub fn fire(&mut self, s: &Stored, slot_ms: i64) -> Result<FireCode> {
        let task = s.def.task(&s.name, slot_ms);
        let shard = keys::shard_of(&task.id, self.shards.len());
        let args = [
            s.name.clone(),
            s.raw.clone(),
            slot_ms.to_string(),
            task.id.clone(),
            task.priority.get().to_string(),
            task.body(),
            task.when
                .ttl
                .map_or(0, |d| d.as_millis() as u64)
                .to_string(),
        ];
        let code = FireCode::from_reply(&self.invoke(shard, &FIRE, &args, "firing a schedule")?)?;
        if code == FireCode::Fired {
            self.wake_others(shard, 1)?;
        }
        Ok(code)
    }
}
