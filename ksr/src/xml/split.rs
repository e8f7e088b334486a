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
//! The second thread scans its own half for bad characters (any: it gives
//! up, and one thread says where), so it starts before the first thread's
//! scan of the whole input. Each thread then reads the bundles it built
//! (`read::Ahead`), taken only if they are exactly the document's bundles.

use super::dom::{Builder, DomError, Reached, MAX_DEPTH};
use super::read::Ahead;
use super::tree::{Part, Tree};
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
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(crate::sign::cores)
}

/// Builds the tree (see [`super::dom::build`]).
pub(crate) fn build(bytes: &[u8], threads: Threads) -> Result<Tree<'_>, DomError> {
    build_reading(bytes, threads, false).map(|(tree, _)| tree)
}

/// Builds the tree, and with `read_ahead`, each thread that built part of it
/// reads the bundles it built right away (see [`Ahead`]).
#[allow(clippy::type_complexity)]
pub(crate) fn build_reading(
    bytes: &[u8],
    threads: Threads,
    read_ahead: bool,
) -> Result<(Tree<'_>, Option<[Ahead; 2]>), DomError> {
    #[cfg(test)]
    JOINED.set(false);
    let split = match threads {
        Threads::One => None,
        Threads::Auto if bytes.len() < TWO_THREADS_FROM || cores() < 2 => None,
        Threads::Auto => candidate(bytes),
        Threads::SplitAt(at) => Some(at).filter(|&at| at > 0 && bytes.get(at) == Some(&b'<')),
    };
    let cancel = AtomicBool::new(false);
    let Some(split) = split else {
        let mut first = first_builder(bytes, bytes.len());
        first.run(None, &cancel)?;
        return Ok((first.into_tree(), None));
    };
    std::thread::scope(|scope| {
        // Started first: the other thread's scan of the whole input need not wait.
        let second = scope.spawn(|| {
            // Its half must hold no bad character (else one thread says
            // where); whether it is plain settles its character checks.
            let half = &bytes[split..];
            let scan = wellformed::scan(half);
            if scan.bad.is_some() {
                return None;
            }
            let src = std::str::from_utf8(half).ok();
            let mut second = Builder::from_middle(bytes, split, scan.plain, src);
            match second.run(None, &cancel) {
                Ok(Reached::End) => {
                    // Its elements directly inside those opened before the split.
                    let ahead = read_ahead.then(|| read_part(&mut second.part, 0)).flatten();
                    Some((second, ahead))
                }
                _ => None,
            }
        });
        let mut first = first_builder(bytes, split);
        match first.run(Some(split), &cancel) {
            Ok(Reached::Stop) => {}
            // Never at the split, or refused before it: the one-thread outcome.
            done => {
                cancel.store(true, Ordering::Relaxed);
                done?;
                return Ok((first.into_tree(), None));
            }
        }
        // The elements directly inside the request or response (a bundle
        // start tag is the split), read while the other thread works.
        let ahead_first = match first.stack[..] {
            [_, body] if read_ahead => read_part(&mut first.part, body + 1),
            _ => None,
        };
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match second {
            Some((second, ahead_second)) if joins(&first, &second) => {
                let head = first.part.nodes.len();
                let ahead = ahead_first
                    .zip(ahead_second)
                    .map(|(a, b)| [a, b.shifted(head)]);
                Ok((join(first, second), ahead))
            }
            _ => {
                first.run(None, &cancel)?;
                Ok((first.into_tree(), None))
            }
        }
    })
}

/// The builder that reads from the start; names, text and values are
/// borrowed from `bytes[..borrow]` (elsewhere they are copied).
fn first_builder(bytes: &[u8], borrow: usize) -> Builder<'_> {
    // quick-xml does not check characters; find the first bad one up front and
    // report it in the event that contains it, so the error names its element.
    // A plain file (printable ASCII, tab, CR, LF) needs no character check of
    // the text and attribute values read straight from it.
    let scan = wellformed::scan(bytes);
    let src = std::str::from_utf8(&bytes[..borrow]).ok();
    Builder::new(bytes, scan, src)
}

/// [`Ahead::read`] of the closed sibling elements of `part` from `from` on
/// (as the part's own tree, whose indices are the part's).
fn read_part(part: &mut Part, from: usize) -> Option<Ahead> {
    let mut nodes = Vec::new();
    let mut i = from;
    while let Some(node) = part.nodes.get(i) {
        if node.len == 0 {
            return None; // still open: not a whole element
        }
        nodes.push(i);
        i += node.len;
    }
    let tree = Tree {
        head: std::mem::take(part),
        tail: Part::default(),
    };
    let ahead = Ahead::read(&tree, nodes);
    *part = tree.head;
    ahead
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
