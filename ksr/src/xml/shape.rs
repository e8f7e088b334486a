//! The shape checks every element of the 2010 schema goes through: which
//! children and attributes it may have and how many, leaf values, and the
//! value syntaxes (numbers, algorithm numbers, times, base64). A refusal names
//! the element path and the node's byte offset.

use super::tree::Node;
use crate::dnssec;
use crate::model::Time;
use crate::timefmt;
use base64::Engine;
use std::fmt::Display;
use std::str::FromStr;

/// An element path built only when a refusal names it (`parent/name`).
#[derive(Clone, Copy)]
pub(super) struct Joined<'a>(pub &'a str, pub &'a str);

impl Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.0, self.1)
    }
}

/// A refusal before it is given a file name and line: byte offset, element path, message.
pub(crate) struct Refusal {
    pub pos: usize,
    pub element: String,
    pub message: String,
}

pub(super) type R<T> = Result<T, Refusal>;

pub(super) fn refuse<T>(node: Node, path: impl Display + Copy, message: impl Into<String>) -> R<T> {
    Err(Refusal {
        pos: node.pos(),
        element: path.to_string(),
        message: message.into(),
    })
}

/// Children of `node` checked against a list of (name, min, max) rules; returns
/// them grouped per rule, in document order. Unknown names and wrong counts are refused.
pub(super) fn children<'a>(
    node: Node<'a>,
    path: &str,
    rules: &[(&str, usize, usize)],
) -> R<Vec<Vec<Node<'a>>>> {
    let mut groups: Vec<Vec<Node>> = vec![Vec::new(); rules.len()];
    for child in node.children() {
        let Some(i) = rules.iter().position(|(n, _, _)| *n == child.name()) else {
            let allowed: Vec<String> = rules.iter().map(|(n, _, _)| format!("<{n}>")).collect();
            return refuse(
                child,
                &format!("{path}/{}", child.name()),
                format!(
                    "unknown element <{}> in <{}>; allowed here: {}",
                    child.name(),
                    node.name(),
                    allowed.join(", ")
                ),
            );
        };
        let (name, _, max) = rules[i];
        if groups[i].len() == max {
            let what = if max == 0 {
                format!("element <{name}> is not allowed in <{}>", node.name())
            } else if max == 1 {
                format!(
                    "duplicated element <{name}>: <{}> takes exactly one",
                    node.name()
                )
            } else {
                format!(
                    "too many <{name}> elements in <{}> (at most {max})",
                    node.name()
                )
            };
            return refuse(child, &format!("{path}/{name}"), what);
        }
        groups[i].push(child);
    }
    for (i, (name, min, _)) in rules.iter().enumerate() {
        if groups[i].len() < *min {
            let what = if *min == 1 {
                format!("missing element <{name}> in <{}>", node.name())
            } else {
                format!("<{}> needs at least {min} <{name}> elements", node.name())
            };
            return refuse(node, path, what);
        }
    }
    if !node.text().trim().is_empty() {
        return refuse(
            node,
            path,
            format!(
                "unexpected text {:?} in <{}>",
                node.text().trim(),
                node.name()
            ),
        );
    }
    Ok(groups)
}

/// Attributes of `node`: `required` must all be there, `optional` may be; anything
/// else (bar namespace declarations) is refused.
pub(super) fn attributes<'a, const N: usize, const M: usize>(
    node: Node<'a>,
    path: impl Display + Copy,
    required: &[&str; N],
    optional: &[&str; M],
) -> R<([&'a str; N], [Option<&'a str>; M])> {
    for (k, _) in node.attrs() {
        if !required.contains(&&**k) && !optional.contains(&&**k) && !k.starts_with("xmlns") {
            return refuse(
                node,
                &format!("{path}@{k}"),
                format!("unknown attribute {k:?} on <{}>", node.name()),
            );
        }
    }
    let mut req = [""; N];
    for (value, name) in req.iter_mut().zip(required) {
        match node.attr(name) {
            Some(v) => *value = v,
            None => {
                return refuse(
                    node,
                    path,
                    format!("missing attribute {name:?} on <{}>", node.name()),
                )
            }
        }
    }
    Ok((req, optional.map(|n| node.attr(n))))
}

/// A leaf element's text (no child elements allowed).
pub(super) fn leaf<'a>(node: Node<'a>, path: impl Display + Copy) -> R<&'a str> {
    if let Some(child) = node.first_child() {
        return refuse(
            child,
            &format!("{path}/{}", child.name()),
            format!(
                "unknown element <{}> inside <{}>, which holds a value",
                child.name(),
                node.name()
            ),
        );
    }
    attributes(node, path, &[], &[])?;
    Ok(node.text().trim())
}

pub(super) fn number<T: FromStr>(
    node: Node,
    path: impl Display + Copy,
    text: &str,
    what: &str,
) -> R<T> {
    // Only plain decimal digits: no sign, no spaces, no hex.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return refuse(
            node,
            path,
            format!("{what} {text:?} is not a non-negative integer"),
        );
    }
    text.parse()
        .or_else(|_| refuse(node, path, format!("{what} {text} is out of range")))
}

pub(super) fn algorithm(node: Node, path: impl Display + Copy, text: &str) -> R<u8> {
    let n: u8 = number(node, path, text, "algorithm")?;
    if dnssec::algorithm_name(n) == "UNKNOWN" {
        return refuse(
            node,
            path,
            format!("unknown DNSSEC algorithm {n}; expected a registered number such as 8 (RSASHA256), 13 (ECDSAP256SHA256) or 15 (ED25519)"),
        );
    }
    Ok(n)
}

pub(super) fn time(node: Node, path: impl Display + Copy, text: &str) -> R<Time> {
    timefmt::parse_xml_time(text).or_else(|m| refuse(node, path, m))
}

pub(super) fn base64(node: Node, path: impl Display + Copy, text: &str) -> R<Vec<u8>> {
    // Long base64 may be wrapped across lines; whitespace carries no data.
    // Most values are one line: decode them as they are.
    let compact: std::borrow::Cow<[u8]> = if text.bytes().any(|b| b.is_ascii_whitespace()) {
        text.bytes().filter(|b| !b.is_ascii_whitespace()).collect()
    } else {
        text.as_bytes().into()
    };
    if compact.is_empty() {
        return refuse(node, path, "empty base64 value");
    }
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .or_else(|e| refuse(node, path, format!("malformed base64: {e}")))
}

/// A leaf child, its path and its trimmed text.
#[derive(Clone, Copy)]
pub(super) struct Leaf<'a> {
    pub node: Node<'a>,
    pub parent: &'a str,
    pub name: &'a str,
    pub text: &'a str,
}

/// Children that are all leaves, each exactly once, returned in `names`
/// order; and the other children, grouped per `extra` rule.
pub(super) fn leaves<'a, const N: usize>(
    node: Node<'a>,
    path: &'a str,
    names: &[&'a str; N],
    extra: &[(&str, usize, usize)],
) -> R<([Leaf<'a>; N], Vec<Vec<Node<'a>>>)> {
    let (found, rest) = match sorted(node, names, extra) {
        Some(sorted) => sorted,
        None => {
            // Something is missing, extra or unknown: `children` says what.
            let mut rules: Vec<(&str, usize, usize)> = names.iter().map(|n| (*n, 1, 1)).collect();
            rules.extend_from_slice(extra);
            let mut groups = children(node, path, &rules)?;
            let rest = groups.split_off(names.len());
            let mut found = [node; N];
            for (f, g) in found.iter_mut().zip(&groups) {
                *f = g[0];
            }
            (found, rest)
        }
    };
    let mut out = [Leaf {
        node,
        parent: path,
        name: "",
        text: "",
    }; N];
    for ((slot, name), n) in out.iter_mut().zip(names).zip(found) {
        *slot = Leaf {
            node: n,
            parent: path,
            name,
            text: leaf(n, Joined(path, name))?,
        };
    }
    Ok((out, rest))
}

/// The usual case of [`leaves`]: every child is one of `names`, each exactly
/// once, or within an `extra` rule; and no text. None when anything is off,
/// for [`children`] to refuse with the reason.
#[allow(clippy::type_complexity)]
fn sorted<'a, const N: usize>(
    node: Node<'a>,
    names: &[&str; N],
    extra: &[(&str, usize, usize)],
) -> Option<([Node<'a>; N], Vec<Vec<Node<'a>>>)> {
    let mut found: [Option<Node>; N] = [None; N];
    let mut rest: Vec<Vec<Node>> = vec![Vec::new(); extra.len()];
    // Children mostly come in the schema's order: try the next name first.
    let mut next = 0;
    for child in node.children() {
        let name = child.name();
        let i = match names.get(next) {
            Some(n) if *n == name => Some(next),
            _ => names.iter().position(|n| *n == name),
        };
        if let Some(i) = i {
            next = i + 1;
            if found[i].replace(child).is_some() {
                return None;
            }
        } else {
            let j = extra.iter().position(|(n, _, _)| *n == name)?;
            if rest[j].len() == extra[j].2 {
                return None;
            }
            rest[j].push(child);
        }
    }
    let counts_ok = rest
        .iter()
        .zip(extra)
        .all(|(g, (_, min, _))| g.len() >= *min);
    if !counts_ok || !node.text().trim().is_empty() {
        return None;
    }
    let mut all = [node; N];
    for (slot, f) in all.iter_mut().zip(found) {
        *slot = f?;
    }
    Some((all, rest))
}

impl Leaf<'_> {
    pub fn path(&self) -> Joined<'_> {
        Joined(self.parent, self.name)
    }
    pub fn num<T: FromStr>(&self) -> R<T> {
        number(self.node, self.path(), self.text, self.name)
    }
    pub fn time(&self) -> R<Time> {
        time(self.node, self.path(), self.text)
    }
    pub fn duration(&self) -> R<i64> {
        timefmt::parse_duration(self.text).or_else(|m| refuse(self.node, self.path(), m))
    }
    pub fn algorithm(&self) -> R<u8> {
        algorithm(self.node, self.path(), self.text)
    }
    pub fn base64(&self) -> R<Vec<u8>> {
        base64(self.node, self.path(), self.text)
    }
}
