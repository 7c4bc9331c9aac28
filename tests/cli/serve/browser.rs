//! The page in a real headless Chromium driven through chromedriver (screenshots under
//! target/tmp/serve-screenshots/): live counts, hostile task data shown as text, the tabs, a
//! task's detail, move and cancel, the login and the read-only token.

use super::*;

/// Headless Chromium through chromedriver, driven by fantoccini on a small runtime of its own;
/// the methods block, so the tests read top to bottom.
struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<fantoccini::Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| {
                panic!("chromium is not installed; run .ci/install-deps (Debian: chromium, chromium-driver)")
            });
        let port = free_port().unwrap();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start chromedriver ({e}); run .ci/install-deps (Debian: chromium-driver)")
            });
        wait_until(Duration::from_secs(20), "chromedriver to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            // An alert must stay open for the test to see it, not be dismissed for us.
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let caps = caps.as_object().unwrap().clone();
        let client = rt
            .block_on(
                fantoccini::ClientBuilder::new(
                    hyper_util::client::legacy::connect::HttpConnector::new(),
                )
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
            )
            .unwrap_or_else(|e| panic!("cannot start headless chromium: {e}"));
        Browser {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
        }
    }

    fn c(&self) -> &fantoccini::Client {
        self.client.as_ref().unwrap()
    }

    fn goto(&self, url: &str) {
        self.rt.block_on(self.c().goto(url)).unwrap();
    }

    fn js(&self, script: &str) -> Value {
        self.rt
            .block_on(self.c().execute(script, vec![]))
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Polls `script` (an expression) until it is truthy; returns its value.
    fn wait_js(&self, what: &str, script: &str) -> Value {
        let end = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.js(&format!("return ({script});"));
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            if Instant::now() > end {
                let page =
                    self.js("return location.href + ': ' + document.body.innerText.slice(0, 400);");
                panic!("timed out waiting for {what}: {script} is {v}; the page: {page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The text of the first element matching `css`, or "" when there is none.
    fn text(&self, css: &str) -> String {
        let css = serde_json::to_string(css).unwrap();
        self.js(&format!(
            "const e = document.querySelector({css}); return e ? e.textContent : '';"
        ))
        .as_str()
        .unwrap()
        .to_string()
    }

    /// Clicks the element `css` finds. The page redraws its lists on every poll, so the
    /// element found may be replaced by its redrawn twin before the click lands (a stale
    /// element): then the twin is found and clicked.
    fn click(&self, css: &str) {
        for _ in 0..10 {
            let el = self
                .rt
                .block_on(self.c().find(fantoccini::Locator::Css(css)))
                .unwrap_or_else(|e| panic!("{css}: {e}"));
            match self.rt.block_on(el.click()) {
                Err(e) if e.is_stale_element_reference() => continue,
                r => return r.unwrap_or_else(|e| panic!("{css}: {e}")),
            }
        }
        panic!("{css}: replaced before every one of 10 clicks");
    }

    /// Clicks the element `css` finds, in one script: a table redrawn by the poll between
    /// finding an element and clicking it would make the click miss.
    fn click_now(&self, css: &str) {
        let css = serde_json::to_string(css).unwrap();
        let found = self.js(&format!(
            "const e = document.querySelector({css}); if (e) e.click(); return !!e;"
        ));
        assert_eq!(found, json!(true), "nothing matches {css}");
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self
            .rt
            .block_on(self.c().find(fantoccini::Locator::Css(css)))
            .unwrap();
        self.rt.block_on(el.send_keys(text)).unwrap();
    }

    /// The text of an open alert, if one fired.
    fn alert(&self) -> Option<String> {
        match self.rt.block_on(self.c().get_alert_text()) {
            Ok(t) => Some(t),
            Err(e) if e.is_no_such_alert() => None,
            Err(e) => panic!("asking for an alert: {e}"),
        }
    }

    fn size(&self, w: u32, h: u32) {
        self.rt.block_on(self.c().set_window_size(w, h)).unwrap();
    }

    /// Saves a screenshot under target/tmp/serve-screenshots/NAME.png.
    fn screenshot(&self, name: &str) {
        let png = self.rt.block_on(self.c().screenshot()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The overview row of `queue`: its cells' text (of a priority cell, its count).
fn row_js(queue: &str) -> String {
    format!(
        "[...(document.querySelector('tr[data-queue=\"{queue}\"]') || {{children: []}}).children].map(td => (td.querySelector('.count') || td).textContent)"
    )
}

#[test]
fn browser_overview_is_live_and_retry_puts_a_dead_task_back() {
    let mut server = redis();
    crate::support::push_lines(&server, "mail", &[task_lines(12, "m")]);
    make_dead(&server, "reports", 1);
    crate::support::push_lines(&server, "reports", &[task_lines(4, "r")]);
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/"));
    b.wait_js(
        "the mail row",
        "document.querySelector('tr[data-queue=\"mail\"] td.prio-high .count')?.textContent === '4'",
    );
    let cells = b.js(&format!("return {};", row_js("mail")));
    // Queue, waiting (with its bar), high, medium, low, scheduled, in flight, retrying, dead, ...
    assert_eq!(cells[0], json!("mail"));
    assert_eq!(cells[1], json!("12"));
    let st = stats_json(&server, "mail");
    for (i, f) in ["high", "medium", "low"].iter().enumerate() {
        assert_eq!(cells[2 + i], json!(st[f].to_string()), "{f}");
    }
    let reports = b.js(&format!("return {};", row_js("reports")));
    assert_eq!(
        (&reports[1], &reports[8]),
        (&json!("4"), &json!("1")),
        "{reports}"
    );
    // Totals over every queue.
    assert_eq!(b.text("#totals .tile[data-key=waiting] .value"), "16");
    // Pushed elsewhere, seen here without a reload.
    s.send(
        "POST",
        "/api/queues/mail/tasks",
        "application/x-ndjson",
        &task_lines(5, "late"),
    )
    .expect(200);
    b.wait_js("the new tasks", &format!("{}[1] === '17'", row_js("mail")));
    b.wait_js(
        "the chart",
        "document.querySelectorAll('#chart-backlog path').length >= 1",
    );
    // The history's rows are read by their columns' names: the backlog's legend shows every
    // queue's high and low tasks as they are now (the sampler's next round, within seconds).
    let total = |f: &str| -> u64 {
        crate::support::json_lines(rpq(&server).args(["--json", "queues"]))
            .iter()
            .map(|q| q[f].as_u64().unwrap())
            .sum()
    };
    let legend = |i: usize| {
        format!("document.querySelectorAll('#chart-backlog .legend .item b')[{i}]?.textContent")
    };
    b.wait_js(
        "the backlog's legend",
        &format!(
            "{} === '{}' && {} === '{}'",
            legend(0),
            total("high"),
            legend(2),
            total("low")
        ),
    );
    let timing = b.js(
        "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
         const nav = performance.getEntriesByType('navigation')[0];
         const res = performance.getEntriesByType('resource');
         return { first_paint_ms: p ? p.startTime : null,
                  bytes: nav.transferSize + res.filter(r => r.name.includes('/assets/')).reduce((a, r) => a + r.transferSize, 0),
                  dom_content_loaded_ms: nav.domContentLoadedEventEnd };",
    );
    eprintln!("page timing: {timing}");
    assert!(
        timing["first_paint_ms"]
            .as_f64()
            .is_some_and(|t| t < 5000.0),
        "{timing}"
    );
    b.screenshot("overview");

    // The queue page: the dead task, its retry button, and it is back in line.
    b.click("tr[data-queue=\"reports\"] a");
    b.wait_js(
        "the queue page",
        "document.querySelector('#tab-dead .count')?.textContent === '1'",
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"] button[data-action=retry]')",
    );
    assert_eq!(
        b.text("#tasks tbody tr[data-id=\"dead-0\"] td.error"),
        "exit status 3: boom"
    );
    b.screenshot("queue-dead");
    b.click("#tasks tbody tr[data-id=\"dead-0\"] button[data-action=retry]");
    b.wait_js(
        "the retry to land",
        "document.querySelector('#tab-dead .count')?.textContent === '0'",
    );
    let st = stats_json(&server, "reports");
    assert_eq!(
        (st["dead"].as_u64(), st["waiting"].as_u64()),
        (Some(0), Some(5))
    );
    b.click("#tab-waiting");
    b.wait_js(
        "the task waiting",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"]')",
    );
    b.screenshot("queue-waiting");

    // Redis away: the page says so and keeps the last numbers.
    server.kill();
    b.wait_js("the banner", "!document.getElementById('banner').hidden");
    assert!(b.text("#banner").contains("Redis is unreachable"));
    assert_eq!(b.text("#status-text"), "Redis unreachable");
    b.screenshot("redis-down");
    assert_eq!(b.alert(), None);
}

#[test]
fn browser_shows_hostile_task_data_as_text() {
    let server = redis();
    let payload = "<script>alert(1)</script>";
    let kind = "\"><img src=x onerror=alert(1)>";
    // xss-1 goes first (high) and dies; the other two wait.
    let lines = [
        json!({"type": kind, "priority": 1, "payload": payload, "id": "xss-1"}).to_string(),
        json!({"type": kind, "priority": 2, "payload": {"html": "<b onmouseover=alert(1)>hi</b>"}, "id": "<i>xss-2</i>"}).to_string(),
        json!({"type": kind, "priority": 3, "payload": payload, "id": "xss-3"}).to_string(),
    ];
    crate::support::push_lines(&server, "evil", &lines);
    rpq(&server)
        .args([
            "--queue",
            "evil",
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "echo '<img src=x onerror=alert(2)>' >&2; exit 1"])
        .assert()
        .success();
    // Issue 26: a webhook's URL in the panel of webhooks, as text too.
    let hook = "http://127.0.0.1:9/\"><img/src=x/onerror=alert(3)>";
    rpq(&server)
        .args(["--queue", "evil", "webhook", "add", hook])
        .assert()
        .success();
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/queues/evil"));
    b.wait_js(
        "the waiting rows",
        "document.querySelectorAll('#tasks tbody tr').length === 2",
    );
    b.wait_js(
        "the webhooks panel",
        "document.querySelector('#q-hooks:not([hidden]) li.hook')",
    );
    assert_eq!(b.text("#q-hooks-list li.hook strong"), hook);
    assert!(b
        .text("#q-hooks-list li.hook .counts")
        .starts_with("delivered 0, failed tries 0, given up 0, pending 0"));
    assert_eq!(b.text("#q-hooks-events"), "events off: nothing is sent");
    let row = "#tasks tbody tr[data-id=\"<i>xss-2</i>\"]";
    assert_eq!(b.text(&format!("{row} td.type")), kind);
    assert_eq!(b.text(&format!("{row} td.id")), "<i>xss-2</i>");
    assert_eq!(
        b.text(&format!("{row} td.payload")),
        "{\"html\":\"<b onmouseover=alert(1)>hi</b>\"}"
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"xss-1\"]')",
    );
    let row = "#tasks tbody tr[data-id=\"xss-1\"]";
    assert_eq!(b.text(&format!("{row} td.type")), kind);
    assert_eq!(b.text(&format!("{row} td.payload")), payload);
    assert!(b
        .text(&format!("{row} td.error"))
        .contains("<img src=x onerror=alert(2)>"));
    // Open the detail: every field as text, and the whole task as JSON text.
    b.click(&format!("{row} button.link"));
    b.wait_js(
        "the detail",
        "document.querySelector('#drawer:not([hidden]) #d-body .payload-json')",
    );
    assert_eq!(b.text("#d-title"), "xss-1");
    assert_eq!(b.text("#d-body dd[data-field=type]"), kind);
    assert!(b
        .text("#d-body dd[data-field=error]")
        .contains("<img src=x onerror=alert(2)>"));
    assert_eq!(
        b.text("#d-body .payload-json"),
        serde_json::to_string(payload).unwrap()
    );
    // Nothing of it became markup, and nothing ran.
    let markup = b.js(
        "return { imgs: [...document.images].filter(i => !i.src.endsWith('/assets/icon.svg')).length,
                  scripts: document.scripts.length,
                  handlers: document.querySelectorAll('[onerror],[onmouseover]').length,
                  bold: document.querySelectorAll('#tasks b, #tasks i, #drawer b, #drawer i').length };",
    );
    assert_eq!(
        markup,
        json!({"imgs": 0, "scripts": 1, "handlers": 0, "bold": 0})
    );
    assert_eq!(b.alert(), None);
    b.screenshot("hostile-detail");
    b.click("#d-close");
    b.wait_js(
        "the detail to close",
        "document.getElementById('drawer').hidden",
    );
    b.screenshot("hostile-data");
    // A phone's width: the same data, as cards, and the detail over the whole screen.
    b.size(390, 844);
    b.wait_js(
        "cards",
        "getComputedStyle(document.querySelector('#tasks thead')).display === 'none'",
    );
    b.js("document.getElementById('tasks').scrollIntoView(); return null;");
    b.screenshot("hostile-data-phone");
    b.click(&format!("{row} button.link"));
    b.wait_js(
        "the detail",
        "document.querySelector('#drawer:not([hidden]) #d-body .payload-json')",
    );
    b.screenshot("hostile-detail-phone");
    assert_eq!(b.alert(), None);
}

/// A time the page shows as an hour from now, less the moments the test took.
fn in_an_hour(text: &str) -> bool {
    text.contains("in 59m") || text.contains("in 1h")
}

/// The queue page's new views in a real browser: the scheduled, in-flight and retrying tabs,
/// a task's detail with every field `show` gives, lookup by id, run now, move and cancel (of a
/// waiting task and of one in flight, which its consumer reports `cancelled`); and the
/// overview's scheduled count and oldest wait per priority. Every piece of task data is
/// hostile, and stays text.
#[test]
fn browser_tabs_detail_lookup_move_and_cancel() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    let payload = "<script>alert(1)</script>";
    let kind = "\"><img src=x onerror=alert(1)>";
    let s = Serve::start(&server, &[]);
    let push = |t: Value| s.post("/api/queues/ops/tasks", &t).expect(201).json();
    // Retrying, with a hostile error.
    push(json!({"type": kind, "priority": 1, "payload": payload, "id": "r1"}));
    rpq(&server)
        .args([
            "--queue",
            "ops",
            "consume",
            "--count",
            "1",
            "--backoff",
            "1h",
        ])
        .args(["--exec", "echo '<img src=x onerror=alert(3)>' >&2; exit 3"])
        .assert()
        .success();
    push(
        json!({"type": kind, "priority": 2, "payload": {"html": payload}, "id": "s1", "in": "1h"}),
    );
    push(json!({"type": kind, "priority": "low", "payload": payload, "id": "w1"}));
    push(json!({"type": kind, "priority": "low", "payload": payload, "id": "w2"}));
    push(json!({"type": kind, "priority": "high", "payload": payload, "id": "h1"}));
    // h1 is held, by a consumer whose name is markup too.
    let holder = Proc::spawn(
        crate::support::process(&server)
            .args(["--queue", "ops", "--json", "consume", "--name", "<b>w9</b>"])
            .args([
                "--exec",
                r#"if [ "$RPQ_TASK_ID" = h1 ]; then exec sleep 30; fi"#,
            ]),
    );
    crate::support::wait_in_flight(&mut c, "ops", 1);
    let b = Browser::start();

    // The overview: the scheduled count, and how long the first low task has waited.
    b.goto(&s.url("/"));
    b.wait_js("the ops row", &format!("{}[5] === '1'", row_js("ops")));
    b.wait_js(
        "the low wait",
        "/\\d/.test(document.querySelector('tr[data-queue=\"ops\"] td.prio-low .oldest').textContent)",
    );
    assert_eq!(b.text("tr[data-queue=\"ops\"] td.prio-high .oldest"), "");
    assert_eq!(b.text("#totals .tile[data-key=scheduled] .value"), "1");
    b.screenshot("overview-scheduled");

    // A limit on a type whose name is markup: shown in the queue's limits, as text.
    let limited = "<img src=x onerror=alert(4)>";
    rpq(&server)
        .args(["--queue", "ops", "limit", "--type", limited])
        .args(["--rate", "5/s", "--max-in-flight", "2"])
        .assert()
        .success();
    b.goto(&s.url("/queues/ops"));
    b.wait_js(
        "the limits",
        "!document.getElementById('q-limits-wrap').hidden",
    );
    assert_eq!(
        b.js("return [...document.querySelectorAll('#q-limits tbody td')].map(td => td.textContent);"),
        json!([limited, "5 per 1s, burst 5", "0 of 2"])
    );
    // Pause low for 5 minutes with the button: the page says so, and the queue is paused.
    b.wait_js(
        "the pause button",
        "!document.getElementById('pause').disabled",
    );
    assert_eq!(b.js("return resume.disabled;"), json!(true));
    b.click("#pause");
    b.js("document.getElementById('pause-priority').value = '3'; \
          document.getElementById('pause-for').value = '5m'; return null;");
    b.click("#pause-form button[type=submit]");
    b.wait_js(
        "the paused line",
        "!document.getElementById('q-paused').hidden && document.getElementById('q-paused').dataset.priorities === '3'",
    );
    let text = b.text("#q-paused .what");
    assert!(
        text.starts_with("low until ") && text.contains("(in 4m"),
        "{text}"
    );
    let paused = stats_json(&server, "ops")["paused"].clone();
    assert_eq!(paused.as_array().map(|a| a.len()), Some(1), "{paused}");
    assert_eq!(paused[0]["priority"], json!(3));
    assert!(paused[0]["until"].is_string(), "{paused}");
    b.wait_js("resume", "!document.getElementById('resume').disabled");
    b.screenshot("queue-paused");
    b.click("#resume");
    b.wait_js(
        "the paused line to go",
        "document.getElementById('q-paused').hidden",
    );
    assert_eq!(stats_json(&server, "ops")["paused"], json!([]));
    assert_eq!(b.js("return resume.disabled;"), json!(true));
    for (tab, n) in [
        ("waiting", "2"),
        ("scheduled", "1"),
        ("in-flight", "1"),
        ("retrying", "1"),
    ] {
        b.wait_js(
            &format!("the {tab} count"),
            &format!("document.querySelector('#tab-{tab} .count')?.textContent === '{n}'"),
        );
    }
    // Types an id into the lookup box (emptied first) and submits it.
    let lookup = |id: &str| {
        b.js("document.getElementById('lookup-id').value = ''; return null;");
        b.type_into("#lookup-id", id);
        b.click("#lookup button[type=submit]");
    };
    let row = |id: &str| format!("#tasks tbody tr[data-id=\"{id}\"]");
    let show_tab = |tab: &str, id: &str| {
        b.click(&format!("#tab-{tab}"));
        b.wait_js(
            &format!("{id} in {tab}"),
            &format!("document.querySelector('{}')", row(id).replace('\'', "\\'")),
        );
    };
    show_tab("scheduled", "s1");
    assert_eq!(b.text(&format!("{} td.type", row("s1"))), kind);
    assert!(
        b.text(&format!("{} td.time", row("s1"))).contains("in 59m"),
        "due in an hour"
    );
    assert_eq!(
        b.text(&format!("{} td.payload", row("s1"))),
        json!({"html": payload}).to_string()
    );
    b.screenshot("queue-scheduled");
    show_tab("in-flight", "h1");
    assert_eq!(b.text(&format!("{} td.who", row("h1"))), "<b>w9</b>");
    assert_eq!(b.text(&format!("{} td.short", row("h1"))), "1 of 3");
    b.screenshot("queue-in-flight");
    show_tab("retrying", "r1");
    assert!(b
        .text(&format!("{} td.error", row("r1")))
        .contains("<img src=x onerror=alert(3)>"));
    b.screenshot("queue-retrying");

    // A task's detail: every field of `rpq show`, as text.
    b.click(&format!("{} button.link", row("r1")));
    let field = |f: &str| b.text(&format!("#d-body dd[data-field={f}]"));
    b.wait_js(
        "the detail",
        "document.querySelector('#d-body dd[data-field=state]')",
    );
    let shown = s.get("/api/queues/ops/tasks/r1").expect(200).json();
    for f in shown.as_object().unwrap().keys() {
        if f != "id" && f != "payload" {
            assert!(!field(f).is_empty(), "the detail has no {f}");
        }
    }
    assert_eq!(
        (field("state"), field("type")),
        ("Retrying".into(), kind.to_string())
    );
    assert!(field("error").contains("<img src=x onerror=alert(3)>"));
    // An hour's backoff, give or take its jitter: later.
    let retry = field("retry_at");
    assert!(
        retry.contains(" · in ") && !retry.contains("ago"),
        "{retry}"
    );
    b.screenshot("detail-retrying");
    // Run now: waiting again; then moved to low.
    b.click("#d-body button[data-action=now]");
    b.wait_js(
        "r1 due now",
        "document.querySelector('#d-body dd[data-field=state]')?.textContent === 'Waiting'",
    );
    assert_eq!(
        s.get("/api/queues/ops/tasks/r1").json()["state"],
        json!("waiting")
    );
    b.click("#d-body button[data-action=move][data-priority=\"3\"]");
    b.wait_js(
        "r1 low",
        "document.querySelector('#d-body dd[data-field=priority]')?.textContent.includes('low')",
    );
    assert_eq!(
        s.get("/api/queues/ops/tasks/r1").json()["priority"],
        json!(3)
    );
    b.click("#d-close");
    b.wait_js(
        "the detail closed",
        "document.getElementById('drawer').hidden",
    );

    // Lookup by id: a task, and an id the queue does not know.
    lookup("s1");
    b.wait_js(
        "s1's detail",
        "document.querySelector('#d-body dd[data-field=state]')?.textContent === 'Scheduled'",
    );
    assert_eq!(b.text("#d-title"), "s1");
    assert!(in_an_hour(&field("due_at")), "{}", field("due_at"));
    assert_eq!(
        serde_json::from_str::<Value>(&b.text("#d-body .payload-json")).unwrap(),
        json!({"html": payload})
    );
    assert_eq!(b.js("return location.hash;"), json!("#task=s1"));
    b.screenshot("detail-scheduled");
    lookup("no-such-task");
    b.wait_js(
        "the miss",
        "document.querySelector('#d-body .empty')?.textContent.includes('No task no-such-task')",
    );
    b.click("#d-close");

    // Cancel asks twice, then the waiting task is gone.
    show_tab("waiting", "w1");
    let cancel = format!("{} button[data-action=cancel]", row("w1"));
    b.click(&cancel);
    assert_eq!(b.text(&cancel), "Sure?");
    // The rows are redrawn as the numbers change (each poll); the button stays armed across.
    let sel = serde_json::to_string(&cancel).unwrap();
    b.js(&format!(
        "window.armedButton = document.querySelector({sel}); return null;"
    ));
    b.wait_js("a redraw", "!window.armedButton.isConnected");
    assert_eq!(b.text(&cancel), "Sure?");
    s.get("/api/queues/ops/tasks/w1").expect(200);
    b.click(&cancel);
    b.wait_js(
        "w1 to go",
        &format!(
            "!document.querySelector('{}')",
            row("w1").replace('\'', "\\'")
        ),
    );
    s.get("/api/queues/ops/tasks/w1").expect(404);
    // The task in flight, from its detail: its consumer stops it and reports it cancelled.
    lookup("h1");
    b.wait_js(
        "h1's detail",
        "document.querySelector('#d-body dd[data-field=consumer]')?.textContent === '<b>w9</b>'",
    );
    assert!(
        field("lease_until").contains("in "),
        "{}",
        field("lease_until")
    );
    b.screenshot("detail-in-flight");
    b.click("#d-body button[data-action=cancel]");
    b.click("#d-body button[data-action=cancel]");
    b.wait_js(
        "the consumer to stop it",
        "document.querySelector('#d-body .empty')?.textContent.includes('No task h1')",
    );
    wait_until(Duration::from_secs(10), "the consumer to report h1", || {
        holder.stdout_lines().iter().any(|l| l.contains("\"h1\""))
    });
    holder.signal(libc::SIGTERM);
    let out = holder.end(Duration::from_secs(20));
    assert!(out.status.success(), "{}", out.stderr);
    let h1 = ndjson(&out.stdout)
        .into_iter()
        .find(|l| l["id"] == json!("h1"))
        .unwrap();
    assert_eq!(h1["outcome"], json!("cancelled"));

    // Nothing of the data became markup, and nothing ran; then the same on a phone.
    let markup = b.js(
        "return { imgs: [...document.images].filter(i => !i.src.endsWith('/assets/icon.svg')).length,
                  scripts: document.scripts.length,
                  bold: document.querySelectorAll('#tasks b, #tasks i, #drawer b, #drawer i').length };",
    );
    assert_eq!(markup, json!({"imgs": 0, "scripts": 1, "bold": 0}));
    assert_eq!(b.alert(), None);
    b.click("#d-close");
    b.size(390, 844);
    show_tab("scheduled", "s1");
    b.js("document.getElementById('tabs').scrollIntoView(); return null;");
    b.screenshot("queue-scheduled-phone");
    b.click(&format!("{} button.link", row("s1")));
    b.wait_js(
        "s1's detail",
        "document.querySelector('#d-body dd[data-field=state]')",
    );
    b.screenshot("detail-scheduled-phone");
    b.click("#d-close");
    // Paused (through the API, this time): the overview says so beside the queue's name.
    s.post("/api/queues/ops/pause", &json!({})).expect(200);
    b.goto(&s.url("/"));
    b.wait_js(
        "the ops row",
        "document.querySelector('tr[data-queue=\"ops\"]')",
    );
    b.wait_js(
        "the paused badge",
        "document.querySelector('tr[data-queue=\"ops\"] .paused-badge:not([hidden])')?.textContent === 'paused'",
    );
    b.js("document.getElementById('queues').scrollIntoView(); return null;");
    b.js("document.getElementById('queues').scrollIntoView(); return 0;");
    b.screenshot("overview-phone");
    assert_eq!(b.alert(), None);
}

#[test]
fn browser_login_with_a_token() {
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(3, "t")]);
    let s = Serve::with_token(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/"));
    b.wait_js("the login form", "location.pathname === '/login'");
    b.type_into("#token", "not-the-token-at-all");
    b.click("button[type=submit]");
    b.wait_js("the refusal", "document.querySelector('.login-error')");
    b.screenshot("login-refused");
    b.type_into("#token", TOKEN);
    b.click("button[type=submit]");
    b.wait_js(
        "the overview",
        "document.querySelector('tr[data-queue=\"q\"]')",
    );
    assert_eq!(b.js(&format!("return {};", row_js("q")))[1], json!("3"));
    // The session cookie is not for scripts.
    assert_eq!(b.js("return document.cookie;"), json!(""));
    b.screenshot("logged-in");
    b.click("#logout button");
    b.wait_js("the login form again", "location.pathname === '/login'");
    b.goto(&s.url("/"));
    b.wait_js("still signed out", "location.pathname === '/login'");
    // SIGTERM with the browser's connections still open: they close, and it exits 0.
    let started = Instant::now();
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn browser_with_the_read_token_offers_no_button_that_would_fail() {
    const READ: &str = "read-only-token-for-a-wall-screen";
    let server = redis();
    make_dead(&server, "q", 1);
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::with_read_token(&server, READ, dir.path());
    let b = Browser::start();
    b.goto(&s.url("/queues/q"));
    b.wait_js("the login form", "location.pathname === '/login'");
    b.type_into("#token", READ);
    b.click("button[type=submit]");
    b.wait_js("signed in", "location.pathname === '/'");
    b.goto(&s.url("/queues/q"));
    b.wait_js(
        "the dead count",
        "document.querySelector('#tab-dead .count')?.textContent === '1'",
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"]')",
    );
    b.screenshot("read-only");
    // The buttons are in the page (the same script draws it) and none shows.
    let shown = b.js(
        "const all = [...document.querySelectorAll('[data-action], [data-confirm], #pause, #resume')];
         return [all.length, all.filter(e => e.offsetParent !== null).length,
                 document.querySelector('#access').offsetParent !== null,
                 document.querySelector('#access').textContent];",
    );
    assert!(shown[0].as_u64().unwrap() > 0, "{shown}");
    assert_eq!(shown[1], json!(0), "{shown}");
    assert_eq!((&shown[2], &shown[3]), (&json!(true), &json!("read-only")));
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// The Completed tab and the drawer of a finished task, reached by URL: `#state=completed`
/// opens the tab, a click on an id opens the drawer with the result as text, Back closes it,
/// and a hash changed later opens the task it names (on main: no tab, "No task" in the drawer,
/// and the hash read at load only). At desktop and phone sizes.
#[test]
fn browser_completed_tab_finished_drawer_and_back() {
    let server = redis();
    let hostile = "<img src=x onerror=alert(5)>";
    finish_kept(&server, "q", "k0", &[], &format!("printf '%s' '{hostile}'"));
    finish_kept(
        &server,
        "q",
        "d1",
        &["--max-attempts", "1"],
        "echo it broke >&2; exit 3",
    );
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/queues/q#state=completed"));
    b.wait_js(
        "the completed rows",
        "document.querySelectorAll('#tasks tbody tr').length === 2",
    );
    assert_eq!(
        b.js("return document.getElementById('tab-completed').getAttribute('aria-selected');"),
        json!("true")
    );
    assert_eq!(b.text("#tab-completed .count"), "2");
    assert_eq!(
        b.text("#tasks tbody tr[data-id=\"k0\"] td.payload"),
        hostile
    );
    assert_eq!(
        b.text("#tasks tbody tr[data-id=\"d1\"] td.payload"),
        "exit status 3: it broke"
    );
    b.screenshot("queue-completed");

    b.click("#tasks tbody tr[data-id=\"k0\"] button[data-open]");
    b.wait_js("the result", "document.getElementById('d-result')");
    assert_eq!(b.text("#d-result"), serde_json::to_string(hostile).unwrap());
    assert_eq!(b.text("#d-body dd[data-field=state]"), "done");
    assert_eq!(b.js("return location.hash;"), json!("#task=k0"));
    assert_eq!(
        b.js("return document.querySelectorAll('#drawer img').length;"),
        json!(0)
    );
    // Back closes the drawer, and leaves the tab as it was.
    b.js("history.back();");
    b.wait_js(
        "the drawer to close",
        "document.getElementById('drawer').hidden",
    );
    assert_eq!(b.js("return location.hash;"), json!("#state=completed"));
    // A hash set later (a link, an edit of the address) opens the task it names.
    b.js("location.hash = '#task=d1';");
    b.wait_js(
        "the dead task's error",
        "(document.querySelector('#d-body dd[data-field=error]') || {}).textContent === 'exit status 3: it broke'",
    );
    assert_eq!(b.text("#d-body dd[data-field=state]"), "Dead");
    // Close goes back too.
    b.click("#d-close");
    b.wait_js(
        "the drawer to close",
        "document.getElementById('drawer').hidden",
    );
    assert_eq!(b.js("return location.hash;"), json!("#state=completed"));

    // A phone: the rows are still there, each finished task with its result.
    b.size(390, 844);
    b.goto(&s.url("/queues/q#state=completed"));
    b.wait_js(
        "the completed rows on a phone",
        "document.querySelectorAll('#tasks tbody tr').length === 2",
    );
    assert_eq!(
        b.js("return document.querySelector('#tasks').scrollWidth <= window.innerWidth;"),
        json!(true)
    );
    assert_eq!(
        b.text("#tasks tbody tr[data-id=\"k0\"] td.payload"),
        hostile
    );
    b.screenshot("queue-completed-phone");
}

/// The schedules panel and aging with the queue: each schedule's name, when, next fire and what
/// it pushes (as text), "Fire now" queues its task at once, "Remove" (asked twice) removes it
/// (on main: neither is on the page). At desktop and phone sizes.
#[test]
fn browser_schedules_panel_fires_and_removes() {
    let server = redis();
    let hostile = "<img src=x onerror=alert(6)>";
    let cli = |args: &[&str]| {
        rpq(&server)
            .args(["--queue", "s"])
            .args(args)
            .assert()
            .success();
    };
    cli(&[
        "schedule", "add", "hourly", "--every", "1h", "--type", hostile,
    ]);
    cli(&[
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * *",
        "--type",
        "r",
    ]);
    cli(&["aging", "2m"]);
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/queues/s"));
    b.wait_js(
        "the schedules",
        "document.querySelectorAll('#q-schedules tbody tr').length === 2",
    );
    let row = "#q-schedules tr[data-schedule=\"hourly\"]";
    assert_eq!(b.text(&format!("{row} td.rate")), "every 1h");
    assert!(b.text(&format!("{row} td.payload")).starts_with(hostile));
    let api = s.get("/api/queues/s/schedules").expect(200).json();
    let next = b.js(&format!(
        "return document.querySelector('{} td.next .when').title;",
        row.replace('"', "\\\"")
    ));
    assert_eq!(next, api["schedules"][0]["next_at"]);
    assert_eq!(
        b.text("#q-schedules tr[data-schedule=\"nightly\"] td.rate"),
        "cron '0 3 * * *' UTC"
    );
    assert!(
        b.text("#q-aging").contains("every 2m"),
        "{}",
        b.text("#q-aging")
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#q-schedules img').length;"),
        json!(0)
    );
    b.screenshot("queue-schedules");

    b.click(&format!("{row} button[data-action=fire]"));
    b.wait_js(
        "the fired task",
        "[...document.querySelectorAll('#tasks tbody tr')].some(r => r.dataset.id.startsWith('hourly@now-'))",
    );
    b.click("#q-schedules tr[data-schedule=\"nightly\"] button[data-action=unschedule]");
    assert_eq!(
        b.text("#q-schedules tr[data-schedule=\"nightly\"] button[data-action=unschedule]"),
        "Sure?"
    );
    b.click("#q-schedules tr[data-schedule=\"nightly\"] button[data-action=unschedule]");
    b.wait_js(
        "the schedule to go",
        "document.querySelectorAll('#q-schedules tbody tr').length === 1",
    );
    let left = rpq(&server)
        .args(["--queue", "s", "--json", "schedule", "list"])
        .assert()
        .success();
    let left = ndjson(&left.get_output().stdout);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["name"], "hourly");
    assert_eq!(left[0]["last_fired_at"], Value::Null);

    b.size(390, 844);
    b.goto(&s.url("/queues/s"));
    b.wait_js(
        "the schedule on a phone",
        "document.querySelectorAll('#q-schedules tbody tr').length === 1",
    );
    assert_eq!(
        b.js("return document.getElementById('q-schedules').getBoundingClientRect().right <= window.innerWidth;"),
        json!(true)
    );
    b.screenshot("queue-schedules-phone");
}

// --- issue 28: the overview sorted, filtered and folded; workers, types, bulk, previews -----

/// The overview's rows, top to bottom, by queue name.
const ROWS_JS: &str =
    "[...document.querySelectorAll('#queue-rows tr')].map(tr => tr.dataset.queue)";

#[test]
fn browser_overview_of_100_queues_sorts_by_backlog_filters_and_folds_idle_ones() {
    let server = redis();
    let s = Serve::start(&server, &[]);
    // 40 live queues (live-NN holds NN+1 tasks) and 60 idle ones (a task pushed, then cleared).
    for i in 0..40 {
        s.send(
            "POST",
            &format!("/api/queues/live-{i:02}/tasks"),
            "application/x-ndjson",
            &task_lines(i + 1, "t"),
        )
        .expect(200);
    }
    for i in 0..60 {
        let q = format!("/api/queues/idle-{i:02}");
        s.post(&format!("{q}/tasks"), &json!({"type": "t", "priority": 1}))
            .expect(201);
        s.post(&format!("{q}/clear"), &json!({})).expect(200);
    }
    let b = Browser::start();
    b.goto(&s.url("/"));
    b.wait_js("the live rows", &format!("{ROWS_JS}.length === 40"));
    // Idle queues are folded, and the button says how many.
    assert_eq!(b.text("#fold"), "Show 60 idle queues");
    assert_eq!(b.text("#queue-count"), "100 queues");
    // By backlog: the largest first, and the view is in the URL.
    b.click("th[data-sort=waiting] button");
    b.wait_js("sorted by backlog", &format!("{ROWS_JS}[0] === 'live-39'"));
    let rows = b.js(&format!("return {ROWS_JS};"));
    let want: Vec<String> = (0..40).rev().map(|i| format!("live-{i:02}")).collect();
    assert_eq!(rows, json!(want));
    assert_eq!(b.js("return location.hash;"), json!("#sort=waiting"));
    assert_eq!(
        b.js("return document.querySelector('th[data-sort=waiting]').getAttribute('aria-sort');"),
        json!("descending")
    );
    // A second click: smallest first.
    b.click("th[data-sort=waiting] button");
    b.wait_js("smallest first", &format!("{ROWS_JS}[0] === 'live-00'"));
    b.screenshot("overview-sorted");
    // Unfolded: every queue, the idle ones after the live ones' order allows (by backlog).
    b.click("#fold");
    b.wait_js("every row", &format!("{ROWS_JS}.length === 100"));
    assert_eq!(b.text("#fold"), "Fold 60 idle queues");
    // The filter box: by name, idle ones included.
    b.type_into("#queue-filter", "live-3");
    b.wait_js("the filtered rows", &format!("{ROWS_JS}.length === 10"));
    assert_eq!(b.text("#queue-count"), "10 of 100");
    assert!(b
        .js("return location.hash;")
        .as_str()
        .unwrap()
        .contains("q=live-3"));
    // The URL is the view: a reload shows the same.
    b.goto(&s.url("/#sort=dead&q=idle-0"));
    b.wait_js("the idle filter", &format!("{ROWS_JS}.length === 10"));
    assert_eq!(
        b.js("return document.getElementById('queue-sort').value;"),
        json!("dead")
    );
    // A count with many digits is shown whole, with the wait beside it.
    s.send(
        "POST",
        "/api/queues/live-00/tasks",
        "application/x-ndjson",
        &task_lines(1200, "many"),
    )
    .expect(200);
    b.goto(&s.url("/#sort=waiting"));
    b.wait_js(
        "the big queue first",
        &format!("{ROWS_JS}[0] === 'live-00'"),
    );
    let cell = "document.querySelector('tr[data-queue=\"live-00\"] td.prio-high')";
    b.wait_js(
        "its wait",
        &format!("/\\d/.test({cell}.querySelector('.oldest').textContent)"),
    );
    assert_eq!(
        b.text("tr[data-queue=\"live-00\"] td.prio-high .count"),
        "401"
    );
    assert_eq!(
        b.js(&format!("const c = {cell}.querySelector('.count'); return c.scrollWidth <= c.clientWidth + 1 && c.getBoundingClientRect().right <= {cell}.getBoundingClientRect().right;")),
        json!(true),
        "the count is cut"
    );
    b.js("window.scrollTo(0, 0); document.activeElement.blur(); return 0;");
    b.screenshot("overview-100-desktop");
    // On a phone, a dense row per queue: one line each, and tiles that show their numbers whole.
    b.size(390, 844);
    b.wait_js(
        "dense rows",
        "document.querySelector('#queue-rows tr').getBoundingClientRect().height < 64",
    );
    assert_eq!(
        b.js("return [...document.querySelectorAll('#totals .tile .value')].every(v => v.scrollWidth <= v.clientWidth + 1);"),
        json!(true)
    );
    b.js("document.getElementById('queues').scrollIntoView(); return 0;");
    b.screenshot("overview-100-phone");
}

#[test]
fn browser_workers_types_previews_search_and_bulk_actions() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    let s = Serve::start(&server, &[]);
    let push = |t: Value| s.post("/api/queues/jobs/tasks", &t).expect(201);
    // Dead: 30 of type a and 10 of type b.
    let dead: Vec<String> = (0..40)
        .map(|i| {
            json!({"type": if i < 30 { "a" } else { "b" }, "priority": 2, "id": format!("d{i}")})
                .to_string()
        })
        .collect();
    crate::support::push_lines(&server, "jobs", &dead);
    crate::support::fail_to_dead(&server, "jobs", 40, "exit 1");
    // Held by a consumer of two slots.
    push(json!({"type": "slow", "priority": 1, "id": "s1"}));
    push(json!({"type": "slow", "priority": 1, "id": "s2"}));
    let worker = Proc::start(
        &server,
        &[
            "--queue",
            "jobs",
            "consume",
            "--name",
            "<i>w1</i>",
            "-j",
            "2",
            "--exec",
            "sleep 60",
        ],
    );
    crate::support::wait_in_flight(&mut c, "jobs", 2);
    // Waiting: a 3 MB payload and a few small ones.
    push(
        json!({"type": "big", "priority": 3, "id": "big", "payload": {"s": "x".repeat(3_000_000)}}),
    );
    for i in 0..4 {
        push(json!({"type": "w", "priority": 3, "id": format!("w{i}"), "payload": i}));
    }
    let b = Browser::start();

    // Workers: host, pid, -j, handler, and what it holds, for how long.
    b.goto(&s.url("/queues/jobs#state=consumers"));
    b.wait_js(
        "the worker",
        "document.querySelector('#tasks tbody tr td.holding small')",
    );
    let cells = b.js("return [...document.querySelectorAll('#tasks tbody tr:first-child td')].map(td => td.textContent);");
    assert_eq!(cells[0], json!("<i>w1</i>"), "{cells}");
    assert_eq!(cells[2], json!(worker.pid().to_string()));
    assert_eq!(cells[3], json!("2"));
    assert_eq!(cells[4], json!("exec: sleep 60"));
    assert!(cells[7].as_str().unwrap().contains("s1 · slow"), "{cells}");
    b.wait_js(
        "the tab's count",
        "document.getElementById('tab-consumers').textContent === 'Workers2'",
    );
    b.screenshot("workers-desktop");
    b.size(390, 844);
    b.js("document.getElementById('tabs').scrollIntoView(); return 0;");
    b.screenshot("workers-phone");
    b.size(1280, 900);

    // Types: waiting and in flight by type; a type lists its waiting tasks.
    b.goto(&s.url("/queues/jobs#state=types"));
    b.wait_js(
        "the types",
        "document.querySelector('#tasks tbody tr[data-id=slow]')",
    );
    let slow = b.js("return [...document.querySelectorAll('#tasks tbody tr[data-id=slow] td')].map(td => td.textContent);");
    assert_eq!((&slow[1], &slow[2]), (&json!("0"), &json!("2")), "{slow}");
    b.screenshot("types-desktop");
    b.size(390, 844);
    b.js("document.getElementById('tabs').scrollIntoView(); return 0;");
    b.screenshot("types-phone");
    b.size(1280, 900);
    b.click_now("#tasks tbody tr[data-id=w] button[data-type]");
    b.wait_js(
        "the w tasks",
        "document.querySelectorAll('#tasks tbody tr').length === 4",
    );
    assert_eq!(
        b.js("return document.getElementById('filter').value;"),
        json!("type:w")
    );

    // Previews: the 3 MB payload is a preview in the list, whole in the drawer.
    b.goto(&s.url("/queues/jobs"));
    b.wait_js(
        "the big task",
        "document.querySelector('#tasks tbody tr[data-id=big] td.payload')",
    );
    let cell = b.text("#tasks tbody tr[data-id=big] td.payload");
    assert!(cell.ends_with("… (2.9 MB)") && cell.len() < 400, "{cell}");
    b.click_now("#tasks tbody tr[data-id=big] button[data-open]");
    b.wait_js(
        "the whole payload",
        "(document.querySelector('#d-body .payload-json')?.textContent || '').length > 3000000",
    );
    b.click("#d-close");

    // A selection: two waiting tasks moved to high, after a confirming second click.
    b.wait_js("closed", "document.getElementById('drawer').hidden");
    b.click_now("#tasks input[data-select=w0]");
    b.click_now("#tasks input[data-select=w1]");
    b.wait_js(
        "the bulk bar",
        "document.querySelector('#bulk .what')?.textContent === '2 selected tasks:'",
    );
    b.screenshot("bulk-selection");
    b.click_now("#bulk button[data-bulk=move][data-priority='1']");
    assert_eq!(
        b.text("#bulk button[data-bulk=move][data-priority='1']"),
        "Sure?"
    );
    b.click_now("#bulk button[data-bulk=move][data-priority='1']");
    b.wait_js(
        "moved",
        "document.getElementById('toast').textContent.startsWith('Moved: 2 tasks')",
    );
    let page = s
        .get("/api/queues/jobs/tasks?state=waiting&priority=1")
        .expect(200)
        .json();
    let moved: Vec<&str> = page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["w0", "w1"]);

    // Everything matching a filter: the 30 dead tasks of type a retried, the 10 of b left.
    b.goto(&s.url("/queues/jobs#state=dead"));
    b.wait_js(
        "the dead tab",
        "document.querySelectorAll('#tasks tbody tr').length === 40",
    );
    b.type_into("#filter", "type:a");
    b.wait_js(
        "the a tasks",
        "document.querySelectorAll('#tasks tbody tr').length === 30",
    );
    assert_eq!(b.text("#bulk .what"), "Every dead task matching type a:");
    b.click_now("#bulk button[data-bulk=retry]");
    b.click_now("#bulk button[data-bulk=retry]");
    b.wait_js(
        "retried",
        "document.getElementById('toast').textContent.startsWith('Retry: 30 tasks')",
    );
    let dead = s
        .get("/api/queues/jobs/tasks?state=dead&limit=100")
        .expect(200)
        .json();
    assert_eq!(dead["total"], 10);
    assert!(dead["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["type"] == "b"));

    // Search across queues, from the overview: by id and by type, each hit a link to its task.
    b.goto(&s.url("/#find=type:b"));
    b.wait_js(
        "the hits",
        "document.querySelectorAll('#found li').length === 10",
    );
    b.screenshot("search");
    b.click_now("#found li a");
    b.wait_js("its drawer", "!document.getElementById('drawer').hidden && document.getElementById('d-title').textContent.startsWith('d3')");
    worker.signal(libc::SIGKILL);
}

/// Whether the page made markup of data: images other than the icon, scripts past its own,
/// inline handlers, bold or italic elements in the lists or the drawer; and no alert fired.
fn assert_no_markup(b: &Browser) {
    let markup = b.js(
        "return { imgs: [...document.images].filter(i => !i.src.endsWith('/assets/icon.svg')).length,
                  scripts: document.scripts.length,
                  handlers: document.querySelectorAll('[onerror],[onmouseover]').length,
                  bold: document.querySelectorAll('#tasks b, #tasks i, #drawer b, #drawer i').length };",
    );
    assert_eq!(
        markup,
        json!({"imgs": 0, "scripts": 1, "handlers": 0, "bold": 0})
    );
    assert_eq!(b.alert(), None);
}

/// Issue 23 on the page: the Groups tab (largest first, paged, weights, a hostile key as text),
/// a group's name lists its waiting tasks through the server-side filter `group:KEY`, a bulk
/// action on every task that filter matches moves exactly those; and issue 24's blocked state
/// as a tab and a column of the overview.
#[test]
fn browser_groups_view_group_filter_and_the_blocked_state() {
    let server = redis();
    let hostile = "<img src=x onerror=alert(7)>";
    let mut lines = Vec::new();
    for (group, n, prefix) in [
        (Some("big"), 60, "b"),
        (Some(hostile), 5, "h"),
        (None, 3, "n"),
    ] {
        for i in 0..n {
            let mut t = json!({"type": "t", "priority": 2, "id": format!("{prefix}{i}")});
            if let Some(g) = group {
                t["group"] = json!(g);
            }
            lines.push(t.to_string());
        }
    }
    // 55 more groups of one task each: the groups come in two pages of 50.
    for i in 0..55 {
        lines.push(
            json!({"type": "t", "priority": 3, "id": format!("s{i}"), "group": format!("small-{i:02}")})
                .to_string(),
        );
    }
    crate::support::push_lines(&server, "g", &lines);
    rpq(&server)
        .args(["--queue", "g", "group", "weight", "big", "3"])
        .assert()
        .success();
    // A group's own limit and a pause of another: the Limits column says each.
    for args in [
        &["limit", "--group", "big", "--max-in-flight", "2"][..],
        &["pause", "--group", hostile][..],
    ] {
        rpq(&server)
            .args(["--queue", "g"])
            .args(args)
            .assert()
            .success();
    }
    // Blocked: a child waiting for its parent, in a queue of its own.
    for args in [
        &["produce", "--type", "p", "--id", "parent"][..],
        &[
            "produce", "--type", "c", "--id", "child", "--after", "parent",
        ][..],
    ] {
        rpq(&server)
            .args(["--queue", "flow"])
            .args(args)
            .assert()
            .success();
    }
    let s = Serve::start(&server, &[]);
    let b = Browser::start();

    b.goto(&s.url("/queues/g#state=groups"));
    b.wait_js(
        "the groups",
        "document.querySelectorAll('#tasks tbody tr').length === 50",
    );
    // Row n's group, waiting and weight, read by their columns' names (a build whose listing
    // has more fields shows more columns).
    let row = |n: usize| {
        b.js(&format!(
            "const r = document.querySelector('#tasks tbody tr:nth-child({n})');
             return ['Group', 'Waiting', 'In flight', 'Weight', 'Limits'].map(l => r.querySelector(`td[data-label='${{l}}']`).textContent);"
        ))
    };
    assert_eq!(
        row(1),
        json!(["big", "60", "0", "3", "at most 2 in flight"])
    );
    assert_eq!(row(2), json!([hostile, "5", "0", "1", "paused"]));
    assert_eq!(row(3), json!(["(none)", "3", "0", "1", "–"]));
    assert_eq!(b.text("#tab-groups .count"), "58");
    // The waiting tile shows each priority's count whole, on two lines if it must.
    assert_eq!(
        b.js(
            "const t = document.querySelector('#q-tiles .tile[data-key=waiting]');
              return [...t.querySelectorAll('.sub .pair')].map(p => [p.textContent,
                p.getBoundingClientRect().right <= t.getBoundingClientRect().right]);"
        ),
        json!([["high 0", true], ["medium 68", true], ["low 55", true]])
    );
    assert_eq!(b.text("#page-info"), "1–50 of 58");
    b.screenshot("groups-desktop");
    b.click_now("#next");
    b.wait_js(
        "the second page",
        "document.querySelectorAll('#tasks tbody tr').length === 8",
    );
    assert_eq!(b.text("#page-info"), "51–58 of 58");
    b.click_now("#prev");
    b.wait_js(
        "the first page again",
        "document.querySelectorAll('#tasks tbody tr').length === 50",
    );
    b.size(390, 844);
    b.js("document.getElementById('tabs').scrollIntoView(); return 0;");
    b.screenshot("groups-phone");
    b.size(1280, 900);

    // A group's name: its waiting tasks, every page of them filtered by the server.
    b.click_now("#tasks tbody tr:nth-child(2) button[data-group]");
    b.wait_js(
        "the hostile group's tasks",
        "document.querySelectorAll('#tasks tbody tr').length === 5",
    );
    assert_eq!(
        b.js("return document.getElementById('filter').value;"),
        json!(format!("group:\"{hostile}\""))
    );
    assert_eq!(
        b.js("return document.getElementById('tab-waiting').getAttribute('aria-selected');"),
        json!("true")
    );
    assert_eq!(b.text("#tasks tbody tr:first-child td.group"), hostile);
    // Everything the filter matches, moved to high after a confirming second click.
    assert_eq!(
        b.text("#bulk .what"),
        format!("Every waiting task matching group {hostile}:")
    );
    b.click_now("#bulk button[data-bulk=move][data-priority='1']");
    b.click_now("#bulk button[data-bulk=move][data-priority='1']");
    b.wait_js(
        "moved",
        "document.getElementById('toast').textContent.startsWith('Moved: 5 tasks')",
    );
    let high = s
        .get("/api/queues/g/tasks?state=waiting&priority=1&limit=100")
        .expect(200)
        .json();
    let moved: Vec<&str> = high["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["h0", "h1", "h2", "h3", "h4"]);
    // The filtered list has a URL: a reload shows the same tasks.
    let hash = b.js("return location.hash;");
    assert_eq!(
        hash,
        json!("#filter=group%3A%22%3Cimg+src%3Dx+onerror%3Dalert%287%29%3E%22")
    );
    b.js("location.reload(); return 0;");
    b.wait_js(
        "the group's tasks after a reload",
        "document.querySelectorAll('#tasks tbody tr').length === 5 && document.querySelector('#tasks tbody tr td.group')",
    );
    assert_eq!(
        b.js("return document.getElementById('filter').value;"),
        json!(format!("group:\"{hostile}\""))
    );
    // A task's detail names its group, as text.
    b.click_now("#tasks tbody tr[data-id=h0] button[data-open]");
    b.wait_js(
        "h0's detail",
        "document.querySelector('#drawer:not([hidden]) #d-body dd[data-field=group]')",
    );
    assert_eq!(b.text("#d-body dd[data-field=group]"), hostile);
    b.click("#d-close");
    b.wait_js("closed", "document.getElementById('drawer').hidden");
    // Typed by hand: a group of the big ones, a page of 50 of its 60.
    b.js("const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); return 0;");
    b.type_into("#filter", "group:big");
    b.wait_js(
        "the big group's first page",
        "document.querySelectorAll('#tasks tbody tr').length === 50 && document.querySelector('#tasks tbody tr td.id').textContent === 'b0'",
    );
    assert_no_markup(&b);

    // The blocked state: a tab with its parents, a tile and a column of the overview.
    b.goto(&s.url("/queues/flow#state=blocked"));
    b.wait_js(
        "the blocked child",
        "document.querySelector('#tasks tbody tr[data-id=child] td.type')",
    );
    assert_eq!(b.text("#tab-blocked .count"), "1");
    assert_eq!(
        b.text("#tasks tbody tr[data-id=child] td[data-label=After]"),
        "parent"
    );
    b.screenshot("queue-blocked");
    b.goto(&s.url("/"));
    b.wait_js(
        "the flow row",
        "document.querySelector('tr[data-queue=\"flow\"]')",
    );
    let row = b.js(&format!("return {};", row_js("flow")));
    assert_eq!(row[11], json!("1"), "{row}");
    // Shown because a queue has blocked tasks, with room left for the queues' names.
    assert_eq!(
        b.js("const n = document.querySelector('tr[data-queue=\"flow\"] td.name a'); return [getComputedStyle(document.querySelector('#queues th.blocked')).display !== 'none', n.scrollWidth <= n.parentElement.clientWidth];"),
        json!([true, true])
    );
    b.screenshot("overview-blocked");
    assert_no_markup(&b);
}

/// Issue 24 on the page: a diamond A → (B, C) → D part-way done (A and B done, C waiting, D
/// blocked), every id hostile. D's detail lists its parents and what it still waits for as
/// links, and the flow's progress; a parent's link opens that task, whose dependents link back;
/// every id stays text.
#[test]
fn browser_flow_detail_links_parents_and_dependents_and_shows_progress() {
    let server = redis();
    let a = "a<img src=x onerror=alert(8)>";
    let b_id = "b<b>bold</b>";
    let c = "c\"><i>it</i>";
    let d = "d<script>alert(9)</script>";
    let q = |args: &[&str]| {
        rpq(&server)
            .args(["--queue", "flow"])
            .args(args)
            .assert()
            .success();
    };
    q(&["produce", "--type", "a", "--id", a, "--keep-result", "1h"]);
    q(&["produce", "--type", "b", "--id", b_id, "--after", a]);
    q(&["produce", "--type", "c", "--id", c, "--after", a]);
    q(&[
        "produce",
        "--type",
        "d",
        "--id",
        d,
        "--after",
        &format!("{b_id},{c}"),
    ]);
    q(&["consume", "--count", "2", "--exec", "echo ok"]);
    let s = Serve::start(&server, &[]);
    let br = Browser::start();
    let enc = |id: &str| {
        id.bytes()
            .map(|x| {
                if x.is_ascii_alphanumeric() {
                    (x as char).to_string()
                } else {
                    format!("%{x:02X}")
                }
            })
            .collect::<String>()
    };
    // The links of one field of the detail, as their text.
    let links = |field: &str| {
        br.js(&format!(
            "return [...document.querySelectorAll('#d-body dd[data-field={field}] button[data-open]')].map(x => x.textContent);"
        ))
    };
    br.goto(&s.url(&format!("/queues/flow#task={}", enc(d))));
    br.wait_js(
        "the flow's progress",
        "document.querySelector('#d-body [data-field=flow]')",
    );
    assert_eq!(br.text("#d-title"), d);
    assert_eq!(br.text("#d-body dd[data-field=state]"), "Blocked");
    assert_eq!(links("parents"), json!([b_id, c]));
    assert_eq!(links("waits_for"), json!([c]));
    assert_eq!(
        br.text("#d-body [data-field=flow]"),
        "4 tasks: 2 done · 1 waiting · 1 blocked"
    );
    br.screenshot("flow-detail");
    assert_no_markup(&br);

    // C's link: its detail, its parent A and its dependent D as links.
    br.js("[...document.querySelectorAll('#d-body dd[data-field=waits_for] button[data-open]')][0].click(); return 0;");
    br.wait_js(
        "C's detail",
        &format!(
            "document.getElementById('d-title').textContent === {} && document.querySelector('#d-body [data-field=flow]')",
            serde_json::to_string(c).unwrap()
        ),
    );
    assert_eq!(links("parents"), json!([a]));
    assert_eq!(links("dependents"), json!([d]));
    assert_eq!(br.text("#d-body dd[data-field=state]"), "Waiting");
    assert_eq!(
        br.text("#d-body [data-field=flow]"),
        "4 tasks: 2 done · 1 waiting · 1 blocked"
    );
    // A, done with its result kept: shown as done.
    br.js("document.querySelector('#d-body dd[data-field=parents] button[data-open]').click(); return 0;");
    br.wait_js(
        "A's detail",
        &format!(
            "document.getElementById('d-title').textContent === {} && document.getElementById('d-result')",
            serde_json::to_string(a).unwrap()
        ),
    );
    assert_eq!(br.text("#d-body dd[data-field=state]"), "done");
    assert_no_markup(&br);
    // A task opened over another replaces it: Close closes the detail.
    br.click("#d-close");
    br.wait_js(
        "the drawer to close",
        "document.getElementById('drawer').hidden",
    );
    br.size(390, 844);
    br.goto(&s.url(&format!("/queues/flow#task={}", enc(d))));
    br.wait_js(
        "the flow's progress on a phone",
        "document.querySelector('#d-body [data-field=flow]')",
    );
    br.screenshot("flow-detail-phone");
    assert_no_markup(&br);
}

/// Issue 24 across queues on the page: a child in one queue waits for a parent in another
/// (a queue name that needs encoding in a URL, a hostile id). The child's detail links the
/// parent on its own queue's page as QUEUE=ID and counts the flow over both queues; the link
/// opens the parent's detail there, whose dependent links back; every id stays text.
#[test]
fn browser_flow_detail_links_tasks_of_other_queues_to_their_queue() {
    let server = redis();
    let (pq, cq) = ("img/x+1", "mail:2");
    let parent = "p<img src=x onerror=alert(8)>";
    let child = "c\"><script>alert(9)</script>";
    rpq(&server)
        .args(["--queue", pq, "produce", "--type", "a", "--id", parent])
        .assert()
        .success();
    rpq(&server)
        .args(["--queue", cq, "produce", "--type", "b", "--id", child])
        .args(["--after-in", &format!("{pq}={parent}")])
        .assert()
        .success();
    let s = Serve::start(&server, &[]);
    let br = Browser::start();
    let enc = |id: &str| {
        id.bytes()
            .map(|x| {
                if x.is_ascii_alphanumeric() {
                    (x as char).to_string()
                } else {
                    format!("%{x:02X}")
                }
            })
            .collect::<String>()
    };
    let links = |field: &str| {
        br.js(&format!(
            "return [...document.querySelectorAll('#d-body dd[data-field={field}] a[data-queue]')].map(x => [x.dataset.queue, x.textContent]);"
        ))
    };
    br.goto(&s.url(&format!("/queues/{}#task={}", enc(cq), enc(child))));
    br.wait_js(
        "the flow's progress",
        "document.querySelector('#d-body [data-field=flow]')",
    );
    assert_eq!(br.text("#d-title"), child);
    assert_eq!(links("parents"), json!([[pq, format!("{pq}={parent}")]]));
    assert_eq!(links("waits_for"), json!([[pq, format!("{pq}={parent}")]]));
    assert_eq!(
        br.text("#d-body [data-field=flow]"),
        "2 tasks: 1 waiting · 1 blocked · in 2 queues"
    );
    assert_no_markup(&br);
    br.js(
        "document.querySelector('#d-body dd[data-field=parents] a[data-queue]').click(); return 0;",
    );
    br.wait_js(
        "the parent's detail on its queue's page",
        &format!(
            "document.getElementById('d-title').textContent === {} && document.querySelector('#d-body [data-field=flow]')",
            serde_json::to_string(parent).unwrap()
        ),
    );
    assert_eq!(
        br.js("return decodeURIComponent(location.pathname);"),
        json!(format!("/queues/{pq}"))
    );
    assert_eq!(links("dependents"), json!([[cq, format!("{cq}={child}")]]));
    assert_eq!(
        br.text("#d-body [data-field=flow]"),
        "2 tasks: 1 waiting · 1 blocked · in 2 queues"
    );
    assert_no_markup(&br);
    // The Blocked tab of the child's queue names the parent with its queue, as text.
    br.goto(&s.url(&format!("/queues/{}#state=blocked", enc(cq))));
    br.wait_js(
        "the blocked child",
        "document.querySelector('#tasks tbody tr td[data-label=After]')",
    );
    assert_eq!(
        br.text("#tasks tbody tr td[data-label=After]"),
        format!("{pq}={parent}")
    );
    assert_no_markup(&br);
    assert_eq!(br.alert(), None);
}
