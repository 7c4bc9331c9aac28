//! Every secret rpq knows (the passwords of the URL, of a password file or of `RPQ_PASSWORD`),
//! and the scrubbing of any text that may hold one. `config::Secret` protects each as it is
//! read; the log scrubs every line it writes. Below both, so neither imports the other for it.

use std::sync::RwLock;

/// Secrets shorter than this are not searched for: hiding every `a` of a text would make it
/// unreadable, and `config::redact` hides them where rpq shows a URL.
const MIN_SECRET: usize = 4;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// From now on `secret` is never written to stderr, nor its percent-decoded form.
pub fn protect(secret: &str) {
    let mut all = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for s in [secret.to_string(), percent_decoded(secret)] {
        if s.len() >= MIN_SECRET && !all.contains(&s) {
            all.push(s);
        }
    }
    // Longest first, so a secret that contains another is hidden whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every protected secret replaced by `***`.
pub fn scrub(text: &str) -> String {
    let all = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for s in all.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

/// `%2F` -> `/`; anything that is not a valid escape stays as it is.
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden_in_any_text_encoded_or_not() {
        protect("Xy9%2Fsecret");
        protect("abc");
        let t = scrub("auth Xy9%2Fsecret failed, decoded Xy9/secret; abc stays");
        assert_eq!(t, "auth *** failed, decoded ***; abc stays");
        assert_eq!(percent_decoded("a%41%zz%4"), "aA%zz%4");
    }
}
