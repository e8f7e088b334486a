//! Progress of a long operation while it runs: the operation's own log lines
//! (`Signing N bundles`, `signed X of N bundles`, `Signed N bundles`) become
//! [`Progress`] reports for whoever listens (a UI on another thread), since
//! the engine itself is busy until the operation returns.

use std::io::Write;

use super::state::Progress;

/// Called with each progress report while an operation runs.
pub type ProgressSink = Box<dyn FnMut(&Progress) + Send>;

/// A `Write` that keeps the operation's log and reports progress from it.
pub(super) struct ProgressLog<'a> {
    pub what: String,
    pub text: Vec<u8>,
    pub last: Option<Progress>,
    pub sink: Option<&'a mut ProgressSink>,
}

impl ProgressLog<'_> {
    fn line(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| words.get(i).and_then(|w| w.parse::<usize>().ok());
        let p = match words.as_slice() {
            ["Signing", ..] => num(1).map(|total| (0, total)),
            ["signed", _, "of", ..] => num(1).zip(num(3)),
            ["Signed", ..] => num(1).map(|total| (total, total)),
            _ => None,
        };
        if let Some((done, total)) = p {
            let p = Progress {
                what: self.what.clone(),
                done,
                total,
            };
            if let Some(sink) = self.sink.as_mut() {
                sink(&p);
            }
            self.last = Some(p);
        }
    }
}

impl Write for ProgressLog<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let start = self.text.len();
        self.text.extend_from_slice(buf);
        // Whole lines only: the last complete line before `start` ends earlier.
        let from = self.text[..start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let chunk = String::from_utf8_lossy(&self.text[from..]).into_owned();
        let mut lines: Vec<&str> = chunk.split('\n').collect();
        lines.pop(); // an unfinished line waits for its end
        for l in lines {
            self.line(l);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn bundle_counts_are_reported_as_they_are_written() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let mut sink: ProgressSink = Box::new(move |p| s2.lock().unwrap().push((p.done, p.total)));
        let mut log = ProgressLog {
            what: "sign-ksr".into(),
            text: Vec::new(),
            last: None,
            sink: Some(&mut sink),
        };
        write!(
            log,
            "Signing 200 bundles of k.xml (schema normal)\n  signed 20 of 2"
        )
        .unwrap();
        write!(log, "00 bundles\nSigned 200 bundles (400 signatures)\n").unwrap();
        assert_eq!(*seen.lock().unwrap(), [(0, 200), (20, 200), (200, 200)]);
        assert_eq!(log.last.unwrap().done, 200);
    }
}
