//! From the element tree to the model, checking the shape the 2010 schema gives:
//! every element known, every required element present exactly once, numbers,
//! times, durations, base64 and algorithm numbers well-formed.

use super::dom::Node;
use crate::dnssec;
use crate::model::{
    AlgorithmParams, AlgorithmPolicy, Bundle, Document, Key, Kind, PolicyBlock, Signature, Time,
};
use crate::timefmt;
use base64::Engine;
use std::fmt::Display;
use std::str::FromStr;

/// An element path built only when a refusal names it (`parent/name`).
#[derive(Clone, Copy)]
struct Joined<'a>(&'a str, &'a str);

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

type R<T> = Result<T, Refusal>;

fn refuse<T>(node: &Node, path: impl Display + Copy, message: impl Into<String>) -> R<T> {
    Err(Refusal {
        pos: node.pos,
        element: path.to_string(),
        message: message.into(),
    })
}

/// Children of `node` checked against a list of (name, min, max) rules; returns
/// them grouped per rule, in document order. Unknown names and wrong counts are refused.
fn children<'a>(
    node: &'a Node<'a>,
    path: &str,
    rules: &[(&str, usize, usize)],
) -> R<Vec<Vec<&'a Node<'a>>>> {
    let mut groups: Vec<Vec<&Node>> = vec![Vec::new(); rules.len()];
    for child in &node.children {
        let Some(i) = rules.iter().position(|(n, _, _)| *n == child.name) else {
            let allowed: Vec<String> = rules.iter().map(|(n, _, _)| format!("<{n}>")).collect();
            return refuse(
                child,
                &format!("{path}/{}", child.name),
                format!(
                    "unknown element <{}> in <{}>; allowed here: {}",
                    child.name,
                    node.name,
                    allowed.join(", ")
                ),
            );
        };
        let (name, _, max) = rules[i];
        if groups[i].len() == max {
            let what = if max == 0 {
                format!("element <{name}> is not allowed in <{}>", node.name)
            } else if max == 1 {
                format!(
                    "duplicated element <{name}>: <{}> takes exactly one",
                    node.name
                )
            } else {
                format!(
                    "too many <{name}> elements in <{}> (at most {max})",
                    node.name
                )
            };
            return refuse(child, &format!("{path}/{name}"), what);
        }
        groups[i].push(child);
    }
    for (i, (name, min, _)) in rules.iter().enumerate() {
        if groups[i].len() < *min {
            let what = if *min == 1 {
                format!("missing element <{name}> in <{}>", node.name)
            } else {
                format!("<{}> needs at least {min} <{name}> elements", node.name)
            };
            return refuse(node, path, what);
        }
    }
    if !node.text.trim().is_empty() {
        return refuse(
            node,
            path,
            format!("unexpected text {:?} in <{}>", node.text.trim(), node.name),
        );
    }
    Ok(groups)
}

/// Attributes of `node`: `required` must all be there, `optional` may be; anything
/// else (bar namespace declarations) is refused.
fn attributes<'a>(
    node: &'a Node<'a>,
    path: impl Display + Copy,
    required: &[&str],
    optional: &[&str],
) -> R<(Vec<&'a str>, Vec<Option<&'a str>>)> {
    for (k, _) in &node.attrs {
        if !required.contains(&k.as_str())
            && !optional.contains(&k.as_str())
            && !k.starts_with("xmlns")
        {
            return refuse(
                node,
                &format!("{path}@{k}"),
                format!("unknown attribute {k:?} on <{}>", node.name),
            );
        }
    }
    let get = |name: &str| {
        node.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut req = Vec::new();
    for name in required {
        match get(name) {
            Some(v) => req.push(v),
            None => {
                return refuse(
                    node,
                    path,
                    format!("missing attribute {name:?} on <{}>", node.name),
                )
            }
        }
    }
    Ok((req, optional.iter().map(|n| get(n)).collect()))
}

/// A leaf element's text (no child elements allowed).
fn leaf<'a>(node: &'a Node<'a>, path: impl Display + Copy) -> R<&'a str> {
    if let Some(child) = node.children.first() {
        return refuse(
            child,
            &format!("{path}/{}", child.name),
            format!(
                "unknown element <{}> inside <{}>, which holds a value",
                child.name, node.name
            ),
        );
    }
    attributes(node, path, &[], &[])?;
    Ok(node.text.trim())
}

fn number<T: FromStr>(node: &Node, path: impl Display + Copy, text: &str, what: &str) -> R<T> {
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

fn algorithm(node: &Node, path: impl Display + Copy, text: &str) -> R<u8> {
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

fn time(node: &Node, path: impl Display + Copy, text: &str) -> R<Time> {
    timefmt::parse_xml_time(text).or_else(|m| refuse(node, path, m))
}

fn base64(node: &Node, path: impl Display + Copy, text: &str) -> R<Vec<u8>> {
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

struct Leaf<'a> {
    node: &'a Node<'a>,
    parent: &'a str,
    name: &'a str,
    text: &'a str,
}

/// Children that are all leaves, each exactly once, returned in `names` order.
fn leaves<'a>(
    node: &'a Node<'a>,
    path: &'a str,
    names: &[&'a str],
    extra: &[(&str, usize, usize)],
) -> R<(Vec<Leaf<'a>>, Vec<Vec<&'a Node<'a>>>)> {
    let (found, rest) = match sorted(node, names, extra) {
        Some(sorted) => sorted,
        None => {
            // Something is missing, extra or unknown: `children` says what.
            let mut rules: Vec<(&str, usize, usize)> = names.iter().map(|n| (*n, 1, 1)).collect();
            rules.extend_from_slice(extra);
            let mut groups = children(node, path, &rules)?;
            let rest = groups.split_off(names.len());
            (groups.into_iter().map(|g| g[0]).collect(), rest)
        }
    };
    let mut out = Vec::with_capacity(names.len());
    for (name, n) in names.iter().zip(found) {
        let text = leaf(n, Joined(path, name))?;
        out.push(Leaf {
            node: n,
            parent: path,
            name,
            text,
        });
    }
    Ok((out, rest))
}

/// The usual case of [`leaves`] without a vector per child: every child is one
/// of `names`, each exactly once, or within an `extra` rule; and no text. None
/// when anything is off, for [`children`] to refuse with the reason.
#[allow(clippy::type_complexity)]
fn sorted<'a>(
    node: &'a Node<'a>,
    names: &[&str],
    extra: &[(&str, usize, usize)],
) -> Option<(Vec<&'a Node<'a>>, Vec<Vec<&'a Node<'a>>>)> {
    let mut found: Vec<Option<&Node>> = vec![None; names.len()];
    let mut rest: Vec<Vec<&Node>> = vec![Vec::new(); extra.len()];
    for child in &node.children {
        if let Some(i) = names.iter().position(|n| *n == child.name) {
            if found[i].replace(child).is_some() {
                return None;
            }
        } else {
            let j = extra.iter().position(|(n, _, _)| *n == child.name)?;
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
    if !counts_ok || !node.text.trim().is_empty() {
        return None;
    }
    Some((found.into_iter().collect::<Option<Vec<_>>>()?, rest))
}

impl Leaf<'_> {
    fn path(&self) -> Joined<'_> {
        Joined(self.parent, self.name)
    }
    fn num<T: FromStr>(&self) -> R<T> {
        number(self.node, self.path(), self.text, self.name)
    }
    fn time(&self) -> R<Time> {
        time(self.node, self.path(), self.text)
    }
    fn duration(&self) -> R<i64> {
        timefmt::parse_duration(self.text).or_else(|m| refuse(self.node, self.path(), m))
    }
    fn algorithm(&self) -> R<u8> {
        algorithm(self.node, self.path(), self.text)
    }
    fn base64(&self) -> R<Vec<u8>> {
        base64(self.node, self.path(), self.text)
    }
}

pub(crate) fn document(root: &Node) -> R<Document> {
    if root.name != "KSR" {
        return refuse(
            root,
            &root.name,
            format!(
                "the top element is <{}>; a KSR or SKR starts with <KSR>",
                root.name
            ),
        );
    }
    let path = "KSR";
    let (req, _) = attributes(root, path, &["id", "domain", "serial"], &[])?;
    let (id, domain, serial) = (req[0], req[1], req[2]);
    if id.trim().is_empty() {
        return refuse(root, "KSR@id", "empty id");
    }
    if domain.trim().is_empty() {
        return refuse(
            root,
            "KSR@domain",
            "empty domain; the root zone is written \".\"",
        );
    }
    if let Err(e) = dnssec::parse_name(domain) {
        return refuse(
            root,
            "KSR@domain",
            format!("domain {domain:?} is not a DNS name: {e}"),
        );
    }
    let serial: u64 = number(root, "KSR@serial", serial, "serial")?;
    let groups = children(root, path, &[("Request", 0, 1), ("Response", 0, 1)])?;
    let (kind, body) = match (groups[0].first(), groups[1].first()) {
        (Some(r), None) => (Kind::Request, *r),
        (None, Some(r)) => (Kind::Response, *r),
        (None, None) => {
            return refuse(
                root,
                path,
                "missing element <Request> or <Response> in <KSR>",
            )
        }
        (Some(_), Some(r)) => {
            return refuse(
                r,
                "KSR/Response",
                "<KSR> holds either <Request> or <Response>, not both",
            )
        }
    };
    let (tag, policy_tag, bundle_tag) = match kind {
        Kind::Request => ("Request", "RequestPolicy", "RequestBundle"),
        Kind::Response => ("Response", "ResponsePolicy", "ResponseBundle"),
    };
    let bpath = format!("{path}/{tag}");
    let (_, opt) = attributes(body, &bpath, &[], &["timestamp"])?;
    let timestamp = match opt[0] {
        Some(t) => Some(time(body, &format!("{bpath}@timestamp"), t)?),
        None => None,
    };
    let groups = children(
        body,
        &bpath,
        &[(policy_tag, 1, 1), (bundle_tag, 1, usize::MAX)],
    )?;
    let ppath = format!("{bpath}/{policy_tag}");
    let policy = groups[0][0];
    attributes(policy, &ppath, &[], &[])?;
    let (ksk_policy, zsk_policy) = match kind {
        Kind::Request => {
            let g = children(policy, &ppath, &[("ZSK", 1, 1)])?;
            (None, policy_block(g[0][0], &format!("{ppath}/ZSK"))?)
        }
        Kind::Response => {
            let g = children(policy, &ppath, &[("KSK", 1, 1), ("ZSK", 1, 1)])?;
            (
                Some(policy_block(g[0][0], &format!("{ppath}/KSK"))?),
                policy_block(g[1][0], &format!("{ppath}/ZSK"))?,
            )
        }
    };
    let bundle_path = format!("{bpath}/{bundle_tag}");
    let bundles = bundles(&groups[1], &bundle_path, kind)?;
    Ok(Document {
        id: id.to_string(),
        serial,
        domain: domain.to_string(),
        kind,
        timestamp,
        ksk_policy,
        zsk_policy,
        bundles,
    })
}

const POLICY_DURATIONS: [&str; 6] = [
    "PublishSafety",
    "RetireSafety",
    "MaxSignatureValidity",
    "MinSignatureValidity",
    "MaxValidityOverlap",
    "MinValidityOverlap",
];

fn policy_block(node: &Node, path: &str) -> R<PolicyBlock> {
    attributes(node, path, &[], &[])?;
    let (d, rest) = leaves(
        node,
        path,
        &POLICY_DURATIONS,
        &[("SignatureAlgorithm", 1, usize::MAX)],
    )?;
    let apath = format!("{path}/SignatureAlgorithm");
    let algorithms = rest[0]
        .iter()
        .map(|a| algorithm_policy(a, &apath))
        .collect::<R<Vec<_>>>()?;
    Ok(PolicyBlock {
        publish_safety: d[0].duration()?,
        retire_safety: d[1].duration()?,
        max_signature_validity: d[2].duration()?,
        min_signature_validity: d[3].duration()?,
        max_validity_overlap: d[4].duration()?,
        min_validity_overlap: d[5].duration()?,
        algorithms,
    })
}

fn algorithm_policy(node: &Node, path: &str) -> R<AlgorithmPolicy> {
    let (req, _) = attributes(node, path, &["algorithm"], &[])?;
    let alg = algorithm(node, &format!("{path}@algorithm"), req[0])?;
    let g = children(node, path, &[("RSA", 0, 1), ("ECDSA", 0, 1)])?;
    let rsa_family = matches!(alg, 1 | 5 | 7 | 8 | 10);
    let ec_family = matches!(alg, 13 | 14);
    let params = match (g[0].first(), g[1].first()) {
        (Some(rsa), None) => {
            let p = format!("{path}/RSA");
            if !rsa_family {
                return refuse(
                    rsa,
                    &p,
                    format!("<RSA> parameters given for non-RSA algorithm {alg}"),
                );
            }
            let (a, _) = attributes(rsa, &p, &["size", "exponent"], &[])?;
            if !rsa.children.is_empty() || !rsa.text.trim().is_empty() {
                return refuse(rsa, &p, "<RSA> must be empty");
            }
            AlgorithmParams::Rsa {
                size: number(rsa, &format!("{p}@size"), a[0], "size")?,
                exponent: number(rsa, &format!("{p}@exponent"), a[1], "exponent")?,
            }
        }
        (None, Some(ec)) => {
            let p = format!("{path}/ECDSA");
            if !ec_family {
                return refuse(
                    ec,
                    &p,
                    format!("<ECDSA> parameters given for non-ECDSA algorithm {alg}"),
                );
            }
            let (a, _) = attributes(ec, &p, &["size"], &[])?;
            if !ec.children.is_empty() || !ec.text.trim().is_empty() {
                return refuse(ec, &p, "<ECDSA> must be empty");
            }
            AlgorithmParams::Ecdsa {
                size: number(ec, &format!("{p}@size"), a[0], "size")?,
            }
        }
        (None, None) => {
            if rsa_family || ec_family {
                let want = if rsa_family {
                    "<RSA size= exponent=/>"
                } else {
                    "<ECDSA size=/>"
                };
                return refuse(
                    node,
                    path,
                    format!("missing element {want} for algorithm {alg}"),
                );
            }
            AlgorithmParams::None
        }
        (Some(_), Some(ec)) => {
            return refuse(
                ec,
                &format!("{path}/ECDSA"),
                "<SignatureAlgorithm> takes <RSA> or <ECDSA>, not both",
            )
        }
    };
    Ok(AlgorithmPolicy {
        algorithm: alg,
        params,
    })
}

/// Every bundle, in document order. Bundles read independently, so a long
/// document is read on two threads, halves joined in order: the refusal
/// reported is the first in the document, whatever the thread count.
fn bundles(nodes: &[&Node], path: &str, kind: Kind) -> R<Vec<Bundle>> {
    const TWO_THREADS_FROM: usize = 256;
    let read = |part: &[&Node]| {
        part.iter()
            .map(|b| bundle(b, path, kind))
            .collect::<R<Vec<_>>>()
    };
    if nodes.len() < TWO_THREADS_FROM || crate::sign::cores() < 2 {
        return read(nodes);
    }
    let (first, second) = nodes.split_at(nodes.len() / 2);
    let (a, b) = std::thread::scope(|scope| {
        let later = scope.spawn(|| read(second));
        let a = read(first);
        (a, later.join().expect("bundle reading thread panicked"))
    });
    let mut all = a?;
    all.extend(b?);
    Ok(all)
}

fn bundle(node: &Node, path: &str, kind: Kind) -> R<Bundle> {
    let (req, _) = attributes(node, path, &["id"], &[])?;
    let id = req[0];
    if id.trim().is_empty() {
        return refuse(node, &format!("{path}@id"), "empty bundle id");
    }
    let (t, rest) = leaves(
        node,
        path,
        &["Inception", "Expiration"],
        &[
            // The schema lets a request name the KSKs it wants; a response has no Signer.
            (
                "Signer",
                0,
                if kind == Kind::Request { usize::MAX } else { 0 },
            ),
            ("Key", 1, usize::MAX),
            ("Signature", 1, usize::MAX),
        ],
    )?;
    let spath = format!("{path}/Signer");
    let mut signers = Vec::new();
    for s in &rest[0] {
        let (a, _) = attributes(s, &spath, &["keyIdentifier"], &[])?;
        if !s.children.is_empty() || !s.text.trim().is_empty() {
            return refuse(s, &spath, "<Signer> must be empty");
        }
        signers.push(a[0].to_string());
    }
    let kpath = format!("{path}/Key");
    let keys = rest[1]
        .iter()
        .map(|k| key(k, &kpath))
        .collect::<R<Vec<_>>>()?;
    let sigpath = format!("{path}/Signature");
    let signatures = rest[2]
        .iter()
        .map(|s| signature(s, &sigpath))
        .collect::<R<Vec<_>>>()?;
    Ok(Bundle {
        id: id.to_string(),
        inception: t[0].time()?,
        expiration: t[1].time()?,
        signers,
        keys,
        signatures,
    })
}

fn key(node: &Node, path: &str) -> R<Key> {
    let (a, _) = attributes(node, path, &["keyIdentifier", "keyTag"], &[])?;
    let key_tag = number(node, format_args!("{path}@keyTag"), a[1], "keyTag")?;
    let (f, _) = leaves(
        node,
        path,
        &["TTL", "Flags", "Protocol", "Algorithm", "PublicKey"],
        &[],
    )?;
    Ok(Key {
        key_identifier: a[0].to_string(),
        key_tag,
        ttl: f[0].num()?,
        flags: f[1].num()?,
        protocol: f[2].num()?,
        algorithm: f[3].algorithm()?,
        public_key: {
            let pk = f[4].base64()?;
            dnssec::check_public_key_len(&pk).or_else(|m| refuse(f[4].node, f[4].path(), m))?;
            pk
        },
    })
}

fn signature(node: &Node, path: &str) -> R<Signature> {
    let (a, _) = attributes(node, path, &["keyIdentifier"], &[])?;
    let (f, _) = leaves(
        node,
        path,
        &[
            "TTL",
            "TypeCovered",
            "Algorithm",
            "Labels",
            "OriginalTTL",
            "SignatureExpiration",
            "SignatureInception",
            "KeyTag",
            "SignersName",
            "SignatureData",
        ],
        &[],
    )?;
    if f[1].text.is_empty() {
        return refuse(
            f[1].node,
            f[1].path(),
            "empty TypeCovered (expected DNSKEY)",
        );
    }
    if let Err(e) = dnssec::parse_name(f[8].text) {
        return refuse(
            f[8].node,
            f[8].path(),
            format!("{:?} is not a DNS name: {e}", f[8].text),
        );
    }
    Ok(Signature {
        key_identifier: a[0].to_string(),
        ttl: f[0].num()?,
        type_covered: f[1].text.to_string(),
        algorithm: f[2].algorithm()?,
        labels: f[3].num()?,
        original_ttl: f[4].num()?,
        expiration: f[5].time()?,
        inception: f[6].time()?,
        key_tag: f[7].num()?,
        signers_name: f[8].text.to_string(),
        signature_data: f[9].base64()?,
    })
}
