//! Builds a long document's tree on two threads. The work is in the long run
//! of `<RequestBundle>`/`<ResponseBundle>` elements, so the input is split at
//! the start tag of a bundle near its middle: this thread reads from the
//! start to that offset, another reads from it to the end, and the halves
//! are joined only when that gives the very tree one thread gives.
//!
//! Why the join is exact: one reader going through the whole input reaches
//! the split offset at the start of an event (or never, when the candidate
//! start tag sits inside a comment, CDATA or attribute value: then it simply
//! goes on to the end alone). A fresh reader started at that `<` reads the
//! same events from there, save for the end tags of elements opened before
//! the split, which it records instead of checking; and the builder's state
//! there is only its stack of open elements. So the second half's tree is
//! the one-thread tree's if, checked at the join: it closed exactly the
//! elements open at the split, innermost first, under their names; those
//! had no text yet (it drops indentation inside them as the one-thread
//! builder does, and refuses any other text there); and its depth never
//! passed the limit counted from there. Anything else, an error in either
//! half included, falls back to the first builder going on alone: every
//! refusal is the one-thread refusal, byte offset and element path alike.

use super::dom::{Builder, DomError, Reached, MAX_DEPTH};
use super::tree::Tree;
use super::wellformed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Shorter inputs are built on one thread: a thread costs more than it saves.
const TWO_THREADS_FROM: usize = 64 * 1024;

/// How many threads build a tree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Threads {
    /// Two for long documents on a machine with two cores or more.
    Auto,
    /// One (the reference the two-thread build must match).
    One,
    /// Two, split at this offset if it holds a `<` (tests choose hostile ones).
    SplitAt(usize),
}

/// The machine's cores, asked once (the answer reads cgroup files).
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(crate::sign::cores)
}

/// Builds the tree (see [`super::dom::build`]).
pub(crate) fn build(bytes: &[u8], threads: Threads) -> Result<Tree<'_>, DomError> {
    #[cfg(test)]
    JOINED.set(false);
    // quick-xml does not check characters; find the first bad one up front and
    // report it in the event that contains it, so the error names its element.
    // A plain file (printable ASCII, tab, CR, LF) needs no character check of
    // the text and attribute values read straight from it.
    let scan = wellformed::scan(bytes);
    let src = std::str::from_utf8(bytes).ok();
    let split = match threads {
        Threads::One => None,
        Threads::Auto if bytes.len() < TWO_THREADS_FROM || cores() < 2 => None,
        Threads::Auto => candidate(bytes),
        Threads::SplitAt(at) => Some(at).filter(|&at| at > 0 && bytes.get(at) == Some(&b'<')),
    }
    // A document with a bad character is refused; one thread says where.
    .filter(|_| scan.bad.is_none());
    let plain = scan.plain;
    let cancel = AtomicBool::new(false);
    let mut first = Builder::new(bytes, scan, src);
    let Some(split) = split else {
        first.run(None, &cancel)?;
        return Ok(first.into_tree());
    };
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut second = Builder::from_middle(bytes, split, plain, src);
            match second.run(None, &cancel) {
                Ok(Reached::End) => Some(second),
                _ => None,
            }
        });
        match first.run(Some(split), &cancel) {
            Ok(Reached::Stop) => {}
            // Never at the split, or refused before it: the one-thread outcome.
            done => {
                cancel.store(true, Ordering::Relaxed);
                done?;
                return Ok(first.into_tree());
            }
        }
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match second {
            Some(second) if joins(&first, &second) => Ok(join(first, second)),
            _ => {
                first.run(None, &cancel)?;
                Ok(first.into_tree())
            }
        }
    })
}

/// The start tag of a bundle at or after the middle of `bytes`.
fn candidate(bytes: &[u8]) -> Option<usize> {
    let mut from = bytes.len() / 2;
    let finder = memchr::memmem::Finder::new(b"Bundle");
    while let Some(at) = finder.find(&bytes[from..]) {
        let at = from + at;
        for tag in [b"<Request".as_slice(), b"<Response"] {
            if at >= tag.len() && &bytes[at - tag.len()..at] == tag {
                return Some(at - tag.len());
            }
        }
        from = at + 1;
    }
    None
}

/// Whether `second` (read from the split, to the end) continues `first`
/// (stopped at the split) as one builder would have (see the module comment).
fn joins(first: &Builder, second: &Builder) -> bool {
    let Some(context) = &second.context else {
        return false;
    };
    let open = &first.stack;
    let depth = open.len();
    depth >= 1
        && context.closes.len() == depth
        && context
            .closes
            .iter()
            .zip(open.iter().rev())
            .all(|((name, _), &i)| *name == first.part.nodes[i].name.as_bytes())
        && open.iter().all(|&i| first.part.nodes[i].text.is_empty())
        && context
            .excess
            .is_none_or(|excess| depth as isize + excess < MAX_DEPTH as isize)
}

#[cfg(test)]
thread_local! {
    /// Whether the last build on this thread joined two halves (tests check
    /// that the two-thread path is taken, not only that results agree).
    static JOINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The tree of `first` and `second`, after [`joins`] said yes.
fn join<'a>(mut first: Builder<'a>, second: Builder<'a>) -> Tree<'a> {
    #[cfg(test)]
    JOINED.set(true);
    let head = first.part.nodes.len();
    let closes = second.context.as_ref().map_or(&[][..], |c| &c.closes[..]);
    for (&i, &(_, built)) in first.stack.iter().rev().zip(closes) {
        first.part.nodes[i].len = head + built - i;
    }
    Tree {
        head: first.part,
        tail: second.part,
    }
}

#[cfg(test)]
mod tests;
