//! `rpq flow submit` (issue 24): a graph of tasks in one JSON document, checked here (names,
//! dangling names, cycles with their path) and turned into tasks ordered parents first, which
//! one push queues all or nothing.
//!
//! The document: `{"tasks": [TASK, ...]}` (or the array alone), each TASK a `--stdin` line
//! (`type`, `priority`, `payload`, `id`, `keep_result`, ...) with a local `name` and `after`, the
//! names of the tasks of the document it waits for.

use crate::task::{parse_input_line_full, After, NewTask, OnParentFailure, Settings, When};
use serde_json::Value;
use std::collections::HashMap;

/// One task of a flow as queued: its local name and the task.
#[derive(Debug)]
pub struct FlowTask {
    pub name: String,
    /// The queue it goes to (`"queue"`, flows across queues), None for the one of `--queue`.
    pub queue: Option<String>,
    pub task: NewTask,
}

/// Reads a flow document into its tasks, parents before children. `Err`: one line saying what
/// is wrong (the task by its name, the cycle by its path).
pub fn parse(doc: &str) -> Result<Vec<FlowTask>, String> {
    parse_in(doc, None)
}

/// `parse` for a flow submitted to queue `home`: a task may say `"queue"`, another queue of
/// the server, and a parent in another queue than its child's is `remote_ref` of it.
pub fn parse_in(doc: &str, home: Option<&str>) -> Result<Vec<FlowTask>, String> {
    let value: Value = serde_json::from_str(doc).map_err(|e| format!("not JSON: {e}"))?;
    let items = match &value {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("tasks") {
            Some(Value::Array(a)) => a,
            _ => return Err("a flow is {\"tasks\": [...]}, or the array of tasks".into()),
        },
        _ => return Err("a flow is {\"tasks\": [...]}, or the array of tasks".into()),
    };
    if items.is_empty() {
        return Err("the flow has no task".into());
    }
    let mut names: Vec<String> = Vec::new();
    let mut queues: Vec<Option<String>> = Vec::new();
    let mut afters: Vec<Vec<String>> = Vec::new();
    let mut tasks: Vec<NewTask> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(fields) = item.as_object() else {
            return Err(format!("task {} is not a JSON object", i + 1));
        };
        let mut fields = fields.clone();
        let name = match fields.remove("name") {
            Some(Value::String(s)) if !s.is_empty() => s,
            None => return Err(format!("task {} has no \"name\"", i + 1)),
            Some(_) => return Err(format!("task {}: \"name\" must be a string", i + 1)),
        };
        if names.contains(&name) {
            return Err(format!("two tasks are named '{name}'"));
        }
        let after = match fields.remove("after") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                return Err(format!(
                    "task '{name}': \"after\" must be an array of the flow's task names"
                ))
            }
        };
        let queue = match fields.remove("queue") {
            None | Some(Value::Null) => None,
            Some(Value::String(q)) if home.is_some() => {
                crate::queue::keys::check_queue_name(&q)
                    .map_err(|e| format!("task '{name}': \"queue\": {e}"))?;
                (Some(q.as_str()) != home).then_some(q)
            }
            Some(_) => {
                return Err(format!(
                    "task '{name}': \"queue\" must be the name of a queue of the server"
                ))
            }
        };
        queues.push(queue);
        let policy = match fields.remove("on_parent_failure") {
            None => OnParentFailure::default(),
            Some(v) => serde_json::from_value(v).map_err(|_| {
                format!("task '{name}': \"on_parent_failure\" is dead, run or cancel")
            })?,
        };
        let line = Value::Object(fields).to_string();
        let mut task = parse_input_line_full(&line, When::NOW, Settings::default())
            .map_err(|e| format!("task '{name}': {e}"))?;
        // A root may have a time (it is pushed as `produce --in` would be); a child runs when
        // its parents are done.
        if !task.when.is_now() && !after.is_empty() {
            return Err(format!(
                "task '{name}': a task of a flow runs when its parents are done: no in, at or ttl"
            ));
        }
        task.after = Some(Box::new(After {
            parents: Vec::new(),
            on_failure: policy,
        }));
        names.push(name);
        afters.push(after);
        tasks.push(task);
    }
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut edges: Vec<Vec<usize>> = Vec::new();
    for (i, after) in afters.iter().enumerate() {
        let mut e = Vec::new();
        for p in after {
            match index.get(p.as_str()) {
                Some(&j) if !e.contains(&j) => e.push(j),
                Some(_) => {}
                None => {
                    return Err(format!(
                        "task '{}' is after '{p}', which the flow does not name",
                        names[i]
                    ))
                }
            }
        }
        edges.push(e);
    }
    let order = order(&edges).map_err(|cycle| {
        let path: Vec<&str> = cycle.iter().map(|&i| names[i].as_str()).collect();
        format!("the flow has a cycle: {}", path.join(" -> "))
    })?;
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    // Across queues: a parent is named with its queue, and one with a child in another queue
    // goes as a task of a flow all the same (its queue keeps finished ids from then on, so its
    // end before the child's link is known; flows.rs: link_remote).
    let home_name = home.unwrap_or_default();
    let queue_of = |j: usize| queues[j].as_deref().unwrap_or(home_name);
    let mut has_remote_child = vec![false; edges.len()];
    for (i, e) in edges.iter().enumerate() {
        for &j in e {
            if queue_of(j) != queue_of(i) {
                has_remote_child[j] = true;
            }
        }
    }
    let mut slots: Vec<Option<(String, NewTask)>> =
        names.into_iter().zip(tasks).map(Some).collect();
    let mut out = Vec::with_capacity(order.len());
    for i in order {
        let (name, mut task) = slots[i].take().expect("each task once");
        let parents: Vec<String> = edges[i]
            .iter()
            .map(|&j| {
                if queue_of(j) == queue_of(i) {
                    ids[j].clone()
                } else {
                    crate::task::remote_ref(queue_of(j), &ids[j])
                }
            })
            .collect();
        if parents.is_empty() && !has_remote_child[i] {
            task.after = None;
        } else if let Some(a) = task.after.as_mut() {
            a.parents = parents;
        }
        out.push(FlowTask {
            name,
            queue: queues[i].clone(),
            task,
        });
    }
    Ok(out)
}

/// The tasks in an order where each comes after what it waits for (`edges[i]`: the parents of
/// i), or a cycle as the path of its names' indexes, the first again at its end.
fn order(edges: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    // 0: not seen, 1: on the path, 2: done. Iterative, so a long chain needs no deep stack.
    let mut mark = vec![0u8; edges.len()];
    let mut out = Vec::with_capacity(edges.len());
    for start in 0..edges.len() {
        if mark[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&p) = edges[node].get(*next) {
                *next += 1;
                match mark[p] {
                    0 => {
                        mark[p] = 1;
                        stack.push((p, 0));
                    }
                    1 => {
                        // The path from p to node, then p again, each waiting for the next;
                        // said the way the work flows, each before the one after it.
                        let from = stack.iter().position(|&(n, _)| n == p).unwrap_or(0);
                        let mut cycle: Vec<usize> = stack[from..].iter().map(|&(n, _)| n).collect();
                        cycle.push(p);
                        cycle.reverse();
                        return Err(cycle);
                    }
                    _ => {}
                }
            } else {
                mark[node] = 2;
                out.push(node);
                stack.pop();
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(doc: &str) -> Vec<String> {
        parse(doc).unwrap().into_iter().map(|t| t.name).collect()
    }

    #[test]
    fn parents_come_first_and_get_the_ids() {
        let doc = r#"{"tasks":[
            {"name":"d","type":"t","priority":1,"after":["b","c"]},
            {"name":"b","type":"t","priority":1,"after":["a"]},
            {"name":"c","type":"t","priority":1,"after":["a"],"on_parent_failure":"run"},
            {"name":"a","type":"t","priority":1,"id":"root"}]}"#;
        let tasks = parse(doc).unwrap();
        let order: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert!(tasks[0].task.after.is_none());
        let b = tasks[1].task.after.as_ref().unwrap();
        assert_eq!(b.parents, ["root"]);
        assert_eq!(
            tasks[2].task.after.as_ref().unwrap().on_failure,
            OnParentFailure::Run
        );
        let d = tasks[3].task.after.as_ref().unwrap();
        assert_eq!(
            d.parents,
            [tasks[1].task.id.clone(), tasks[2].task.id.clone()]
        );
        assert_eq!(names(r#"[{"name":"x","type":"t","priority":1}]"#), ["x"]);
    }

    #[test]
    fn cycles_dangling_names_and_bad_tasks_are_named() {
        let cycle = r#"[{"name":"a","type":"t","priority":1,"after":["c"]},
            {"name":"b","type":"t","priority":1,"after":["a"]},
            {"name":"c","type":"t","priority":1,"after":["b"]}]"#;
        assert_eq!(
            parse(cycle).unwrap_err(),
            "the flow has a cycle: a -> b -> c -> a"
        );
        let own = r#"[{"name":"a","type":"t","priority":1,"after":["a"]}]"#;
        assert_eq!(parse(own).unwrap_err(), "the flow has a cycle: a -> a");
        let dangling = r#"[{"name":"a","type":"t","priority":1,"after":["zz"]}]"#;
        assert_eq!(
            parse(dangling).unwrap_err(),
            "task 'a' is after 'zz', which the flow does not name"
        );
        let twice =
            r#"[{"name":"a","type":"t","priority":1},{"name":"a","type":"t","priority":1}]"#;
        assert_eq!(parse(twice).unwrap_err(), "two tasks are named 'a'");
        assert!(parse(r#"[{"name":"a","priority":1}]"#)
            .unwrap_err()
            .starts_with("task 'a': "));
        assert!(parse("[]").is_err());
        assert!(parse(r#"[{"type":"t","priority":1}]"#).is_err());
    }

    #[test]
    fn a_root_may_have_a_time_and_a_child_may_not() {
        let root = r#"[{"name":"a","type":"t","priority":1,"in":"1m","group":"g"},
            {"name":"b","type":"t","priority":1,"after":["a"]}]"#;
        let tasks = parse(root).unwrap();
        assert!(!tasks[0].task.when.is_now());
        assert_eq!(tasks[0].task.group.as_deref(), Some("g"));
        let child = r#"[{"name":"a","type":"t","priority":1},
            {"name":"b","type":"t","priority":1,"after":["a"],"ttl":"1m"}]"#;
        assert_eq!(
            parse(child).unwrap_err(),
            "task 'b': a task of a flow runs when its parents are done: no in, at or ttl"
        );
    }
}
