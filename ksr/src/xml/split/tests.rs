//! The two-thread build gives exactly the one-thread tree or refusal (byte
//! offset, element path and message), and so the same `Document` or
//! `ParseError`: on the real fixtures split at every tag, on a long generated
//! document, and on hostile documents split at every tag.

use super::*;
use crate::xml::{parse_with, ParseOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/iana-root/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Builds `bytes` on one thread and split at `at`, asserts both give the same
/// tree or refusal and the same parse outcome; true when the halves were joined.
fn agree(bytes: &[u8], at: usize) -> bool {
    let one = build(bytes, Threads::One);
    let two = build(bytes, Threads::SplitAt(at));
    let joined = JOINED.get();
    match (&one, &two) {
        (Ok(a), Ok(b)) => assert_eq!(a.flat(), b.flat(), "split at {at}"),
        (Err(a), Err(b)) => assert_eq!(a, b, "split at {at}"),
        _ => panic!(
            "split at {at}: one thread {:?}, two threads {:?}",
            one.as_ref().err(),
            two.as_ref().err()
        ),
    }
    let options = ParseOptions {
        max_size: usize::MAX,
    };
    assert_eq!(
        parse_with(bytes, "f.xml", &options, Threads::One),
        parse_with(bytes, "f.xml", &options, Threads::SplitAt(at)),
        "split at {at}"
    );
    joined
}

/// Every offset of a `<` in `bytes`.
fn tags(bytes: &[u8]) -> Vec<usize> {
    memchr::memchr_iter(b'<', bytes).collect()
}

/// [`agree`] at every tag; returns the offsets where the halves were joined.
fn agree_everywhere(bytes: &[u8]) -> Vec<usize> {
    tags(bytes)
        .into_iter()
        .filter(|&at| agree(bytes, at))
        .collect()
}

fn bundle_starts(bytes: &[u8]) -> Vec<usize> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut out: Vec<usize> = text.match_indices("<RequestBundle").map(|m| m.0).collect();
    out.extend(text.match_indices("<ResponseBundle").map(|m| m.0));
    out.sort();
    out
}

#[test]
fn fixtures_agree_split_at_every_tag() {
    for name in [
        "ksr-root-2009-q4-2.xml",
        "ksr-root-2010-q1-0.xml",
        "ksr-root-2017-q2-0.xml",
        "skr-root-2017-q1-0.xml",
        "skr-root-2017-q2-0.xml",
    ] {
        let bytes = fixture(name);
        assert!(build(&bytes, Threads::One).is_ok(), "{name}");
        let joined = agree_everywhere(&bytes);
        let bundles = bundle_starts(&bytes);
        assert!(bundles.len() >= 6, "{name}");
        // Every bundle start tag is a split the halves join at.
        for at in &bundles {
            assert!(joined.contains(at), "{name}: not joined at bundle {at}");
        }
    }
}

/// A document of about `size` bytes: the fixture's bundles repeated.
fn long_document(name: &str, size: usize) -> Vec<u8> {
    let bytes = fixture(name);
    let text = std::str::from_utf8(&bytes).unwrap();
    let starts = bundle_starts(&bytes);
    let first = starts[0];
    let tag = if text[first..].starts_with("<Request") {
        "</RequestBundle>"
    } else {
        "</ResponseBundle>"
    };
    let last = text.rfind(tag).unwrap() + tag.len();
    let bundles = &text[first..last];
    let mut out = text[..first].to_string();
    while out.len() < size {
        out.push_str(bundles);
        out.push_str("\n    ");
    }
    out.push_str(&text[last..]);
    out.into_bytes()
}

#[test]
fn long_documents_are_built_on_two_threads_and_agree() {
    for name in ["ksr-root-2017-q2-0.xml", "skr-root-2017-q1-0.xml"] {
        let bytes = long_document(name, 400_000);
        let at = candidate(&bytes).expect("a bundle after the middle");
        assert!(at >= bytes.len() / 2 && at < bytes.len() / 2 + 5_000);
        assert!(agree(&bytes, at), "{name}: joined at the candidate");
        // The automatic choice (two cores or more) joins as well.
        let auto = build(&bytes, Threads::Auto).unwrap();
        assert_eq!(JOINED.get(), cores() >= 2, "{name}");
        assert_eq!(auto.flat(), build(&bytes, Threads::One).unwrap().flat());
        // Elsewhere too, including late and early bundles.
        let starts = bundle_starts(&bytes);
        for at in [
            starts[1],
            starts[starts.len() / 3],
            starts[starts.len() - 1],
        ] {
            assert!(agree(&bytes, at), "{name}: joined at {at}");
        }
        // Before the first bundle and inside the last one.
        let tags = tags(&bytes);
        for at in [tags[3], tags[tags.len() - 4]] {
            agree(&bytes, at);
        }
        // And the document reads the same either way.
        let options = ParseOptions {
            max_size: usize::MAX,
        };
        crate::xml::read::READ_AHEAD.set(false);
        let doc = parse_with(&bytes, "long.xml", &options, Threads::Auto).unwrap();
        assert!(doc.bundles.len() > 100);
        // Read on the threads that built the tree.
        assert_eq!(crate::xml::read::READ_AHEAD.get(), cores() >= 2, "{name}");
        assert_eq!(
            Ok(doc),
            parse_with(&bytes, "long.xml", &options, Threads::One)
        );
    }
}

#[test]
fn a_fake_bundle_at_the_middle_falls_back_to_one_thread() {
    let bytes = long_document("ksr-root-2017-q2-0.xml", 200_000);
    let mid = bytes.len() / 2;
    let next = candidate(&bytes).unwrap();
    // Just before the candidate, so it is the first one after the middle.
    for fake in [
        "<!-- <RequestBundle id=\"fake\"> -->",
        "<![CDATA[<RequestBundle id=\"fake\">]]>",
    ] {
        let mut doc = bytes[..mid].to_vec();
        let cut = mid + bytes[mid..].iter().position(|&b| b == b'>').unwrap() + 1;
        doc = [&doc, &bytes[mid..cut], fake.as_bytes(), &bytes[cut..]].concat();
        let at = candidate(&doc).unwrap();
        assert!(at < next + fake.len(), "the fake is the candidate");
        assert!(!agree(&doc, at), "{fake}: cannot be joined");
        let auto = build(&doc, Threads::Auto);
        assert!(!JOINED.get());
        let one = build(&doc, Threads::One);
        match (auto, one) {
            (Ok(a), Ok(b)) => assert_eq!(a.flat(), b.flat()),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("{fake}: {:?} vs {:?}", a.err(), b.err()),
        }
    }
}

/// The 2009 fixture with `from` replaced by `to` at its `nth` occurrence
/// (counted from the middle bundle on when `late`).
fn edited(from: &str, to: &str, late: bool) -> Vec<u8> {
    let text = String::from_utf8(fixture("ksr-root-2009-q4-2.xml")).unwrap();
    let start = if late { text.len() / 2 } else { 0 };
    let at = start
        + text[start..]
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} in the fixture"));
    let mut out = text[..at].to_string();
    out.push_str(to);
    out.push_str(&text[at + from.len()..]);
    out.into_bytes()
}

#[test]
fn hostile_documents_agree_split_at_every_tag() {
    let bundle = "<RequestBundle";
    let deep = format!("{}x{}", "<a>".repeat(8), "</a>".repeat(8));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "fake start in a comment",
            edited(
                bundle,
                "<!-- <RequestBundle id=\"c\"> --><RequestBundle",
                true,
            ),
        ),
        (
            "fake start in CDATA",
            edited(bundle, "<![CDATA[<RequestBundle>]]><RequestBundle", true),
        ),
        (
            "start tag in an attribute value",
            edited(bundle, "<RequestBundle note=\"<RequestBundle\"", true),
        ),
        (
            "unclosed tag before a bundle",
            edited("</RequestBundle>", "</RequestBundle", true),
        ),
        (
            "unclosed start tag of a bundle",
            edited("\">\n      <Inception>", "\"\n      <Inception>", true),
        ),
        (
            "control character late",
            edited("<TTL>", "<TTL>\u{1b}", true),
        ),
        (
            "invalid UTF-8 late",
            [edited("<TTL>", "<TTL>", true), b"\xff".to_vec()].concat(),
        ),
        (
            "mismatched end of Request",
            edited("</Request>", "</Requests>", true),
        ),
        ("mismatched end of KSR", edited("</KSR>", "</KSX>", true)),
        (
            "end tags swapped",
            edited("</Request>\n</KSR>", "</KSR>\n</Request>", true),
        ),
        (
            "a second root",
            edited(
                "</KSR>",
                "</KSR>\n<KSR id=\"a\" domain=\".\" serial=\"1\"/>",
                true,
            ),
        ),
        ("an extra end tag", edited("</KSR>", "</KSR></KSR>", true)),
        ("no end of KSR", edited("</KSR>", "", true)),
        (
            "text between bundles",
            edited(bundle, "stray<RequestBundle", true),
        ),
        (
            "no-break space between bundles",
            edited(bundle, "\u{a0}<RequestBundle", true),
        ),
        (
            "reference between bundles",
            edited(bundle, "&amp;<RequestBundle", true),
        ),
        (
            "CDATA between bundles",
            edited(bundle, "<![CDATA[ ]]><RequestBundle", true),
        ),
        (
            "text early in Request",
            edited("<Request>", "<Request>x", false),
        ),
        (
            "white space in end tags",
            edited("</Request>\n</KSR>", "</Request >\n</KSR\n>", true),
        ),
        (
            "nesting too deep late",
            edited("<TTL>", &format!("<TTL>{deep}"), true),
        ),
        (
            "nesting at the limit late",
            edited("<TTL>", &format!("<TTL>{}", &deep[6..deep.len() - 8]), true),
        ),
        (
            "declaration late",
            edited(bundle, "<?xml version=\"1.0\"?><RequestBundle", true),
        ),
        (
            "DOCTYPE late",
            edited(bundle, "<!DOCTYPE KSR><RequestBundle", true),
        ),
        (
            "processing instruction late",
            edited(bundle, "<?pi x?><RequestBundle", true),
        ),
        (
            "bad comment late",
            edited(bundle, "<!-- a -- b --><RequestBundle", true),
        ),
        ("CRLF line ends late", edited("<TTL>", "<TTL>\r\n", true)),
        (
            "character references late",
            edited("<TTL>", "<TTL>&#49;&#x30;", true),
        ),
        ("CR reference late", edited("<TTL>", "<TTL>&#13;", true)),
        ("unknown entity late", edited("<TTL>", "<TTL>&nbsp;", true)),
        (
            "escaped attribute late",
            edited("keyTag=\"", "keyTag=\"&#49;", true),
        ),
        (
            "tab in attribute late",
            edited("keyTag=\"", "keyTag=\"\t", true),
        ),
        (
            "unclosed comment late",
            edited(bundle, "<!-- <RequestBundle", true),
        ),
        (
            "stray text after the root",
            edited("</KSR>", "</KSR>x", true),
        ),
    ];
    for (what, bytes) in &cases {
        let outcome = std::panic::catch_unwind(|| agree_everywhere(bytes));
        assert!(outcome.is_ok(), "{what}");
    }
    // The clean fixture joins at its middle bundle; the cases that break the
    // document after it must not.
    let clean = fixture("ksr-root-2009-q4-2.xml");
    let middle = *bundle_starts(&clean)
        .iter()
        .find(|&&b| b >= clean.len() / 2)
        .unwrap();
    assert!(agree(&clean, middle));
    for (what, bytes) in &cases {
        if what.contains("mismatched") || what.contains("extra") || what.contains("second root") {
            let at = *bundle_starts(bytes)
                .iter()
                .find(|&&b| b >= bytes.len() / 2)
                .unwrap();
            assert!(!agree(bytes, at), "{what}: joined");
        }
    }
}

#[test]
fn splits_that_are_not_at_a_tag_are_not_taken() {
    let bytes = fixture("ksr-root-2009-q4-2.xml");
    for at in [
        0,
        1,
        5,
        bytes.len() / 2,
        bytes.len() - 1,
        bytes.len(),
        usize::MAX,
    ] {
        if bytes.get(at) != Some(&b'<') || at == 0 {
            assert!(!agree(&bytes, at), "split at {at}");
        }
    }
}

/// `text` with its `nth` occurrence of `from` (counting from byte `after`)
/// replaced by `to`.
fn replace_after(text: &str, after: usize, from: &str, to: &str) -> String {
    let at = after + text[after..].find(from).expect("found");
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// Bundles read ahead on the building threads give the refusal one thread
/// gives: the first in the document, and a refusal of the document's shape
/// before any refusal of a bundle.
#[test]
fn bundles_read_ahead_refuse_as_one_thread() {
    let options = ParseOptions {
        max_size: usize::MAX,
    };
    let long = String::from_utf8(long_document("skr-root-2017-q1-0.xml", 300_000)).unwrap();
    let split = candidate(long.as_bytes()).unwrap();
    let late = replace_after(&long, split + 1000, "<TTL>", "<TTL>x");
    let early = replace_after(&late, 2_000, "<Algorithm>", "<Algorithm>99");
    let cases = [
        ("late bundle refused", late.clone()),
        ("early and late bundles refused", early.clone()),
        (
            "stray element after the bundles",
            replace_after(&late, split, "</Response>", "<Stray/></Response>"),
        ),
        (
            "request bundle among response bundles",
            replace_after(&long, split + 1000, "<ResponseBundle", "<RequestBundle"),
        ),
        (
            "response bundle element renamed late",
            replace_after(&long, split + 1000, "ResponseBundle", "ResponseBundleX"),
        ),
        (
            "no policy",
            replace_after(&late, 0, "ResponsePolicy", "ResponsePolicyX"),
        ),
    ];
    for (what, text) in cases {
        let bytes = text.as_bytes();
        let one = parse_with(bytes, "f.xml", &options, Threads::One);
        let at = candidate(bytes).unwrap();
        let two = parse_with(bytes, "f.xml", &options, Threads::SplitAt(at));
        assert!(one.is_err(), "{what}");
        assert_eq!(one, two, "{what}");
        assert_eq!(
            one,
            parse_with(bytes, "f.xml", &options, Threads::Auto),
            "{what}"
        );
    }
    // The first refusal in the document is the early one.
    let one = parse_with(early.as_bytes(), "f.xml", &options, Threads::One).unwrap_err();
    let late_one = parse_with(late.as_bytes(), "f.xml", &options, Threads::One).unwrap_err();
    assert!(one.line < late_one.line, "{one} / {late_one}");
}
