//! From the element tree to the model, checking the shape the 2010 schema gives
//! (see `shape`): every element known, every required element present exactly
//! once, numbers, times, durations, base64 and algorithm numbers well-formed.

use super::shape::{algorithm, attributes, children, leaves, number, refuse, time, R};
use super::tree::{Node, Tree};
use crate::dnssec;
use crate::model::{
    AlgorithmParams, AlgorithmPolicy, Bundle, Document, Key, Kind, PolicyBlock, Signature,
};

/// The document in `root`'s tree; `ahead`: its bundles as read ahead on
/// the two threads that built the tree (see [`Ahead`]).
pub(crate) fn document(root: Node, ahead: Option<[Ahead; 2]>) -> R<Document> {
    if root.name() != "KSR" {
        return refuse(
            root,
            root.name(),
            format!(
                "the top element is <{}>; a KSR or SKR starts with <KSR>",
                root.name()
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
    let (kind, body) = match (groups[0].first().copied(), groups[1].first().copied()) {
        (Some(r), None) => (Kind::Request, r),
        (None, Some(r)) => (Kind::Response, r),
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
    let bundles = bundles(&groups[1], &bundle_path, kind, ahead)?;
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

fn policy_block(node: Node, path: &str) -> R<PolicyBlock> {
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
        .map(|a| algorithm_policy(*a, &apath))
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

fn algorithm_policy(node: Node, path: &str) -> R<AlgorithmPolicy> {
    let (req, _) = attributes(node, path, &["algorithm"], &[])?;
    let alg = algorithm(node, &format!("{path}@algorithm"), req[0])?;
    let g = children(node, path, &[("RSA", 0, 1), ("ECDSA", 0, 1)])?;
    let rsa_family = matches!(alg, 1 | 5 | 7 | 8 | 10);
    let ec_family = matches!(alg, 13 | 14);
    let params = match (g[0].first().copied(), g[1].first().copied()) {
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
            if rsa.has_children() || !rsa.text().trim().is_empty() {
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
            if ec.has_children() || !ec.text().trim().is_empty() {
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

/// Every bundle, in document order. A long document's bundles were read on
/// the two threads that built its tree (`split`): those halves are taken when
/// they hold exactly these bundles, and carry the same refusal, the first in
/// the document.
fn bundles(nodes: &[Node], path: &str, kind: Kind, ahead: Option<[Ahead; 2]>) -> R<Vec<Bundle>> {
    if let Some([first, second]) = ahead {
        let read_ahead = first.nodes.iter().chain(&second.nodes).copied();
        if first.kind == kind && second.kind == kind && nodes.iter().map(Node::index).eq(read_ahead)
        {
            #[cfg(test)]
            READ_AHEAD.set(true);
            let mut all = first.read?;
            all.extend(second.read?);
            return Ok(all);
        }
    }
    let mut names = Names::new(path);
    nodes.iter().map(|b| bundle(*b, kind, &mut names)).collect()
}

#[cfg(test)]
thread_local! {
    /// Whether a document's bundles were last taken as read ahead (tests).
    pub(crate) static READ_AHEAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Bundles read on a thread that built part of the tree, before the
/// document's shape is checked: what reading the elements at `nodes` (tree
/// indices, in document order) as bundles of `kind` gave. [`document`] takes
/// it only when they are exactly the document's bundles (of that kind), so the
/// outcome is the one of reading them there.
pub(crate) struct Ahead {
    kind: Kind,
    nodes: Vec<usize>,
    read: R<Vec<Bundle>>,
}

impl Ahead {
    /// Reads the elements at `nodes` of `tree` that are named as the first
    /// one named as a bundle.
    pub(crate) fn read(tree: &Tree, nodes: Vec<usize>) -> Option<Ahead> {
        let kind = nodes.iter().find_map(|&i| match tree.node(i).name() {
            "RequestBundle" => Some(Kind::Request),
            "ResponseBundle" => Some(Kind::Response),
            _ => None,
        })?;
        let (tag, bundle_tag) = match kind {
            Kind::Request => ("Request", "RequestBundle"),
            Kind::Response => ("Response", "ResponseBundle"),
        };
        let path = format!("KSR/{tag}/{bundle_tag}");
        let nodes: Vec<usize> = nodes
            .into_iter()
            .filter(|&i| tree.node(i).name() == bundle_tag)
            .collect();
        let mut names = Names::new(&path);
        let read = nodes
            .iter()
            .map(|&i| bundle(tree.node(i), kind, &mut names))
            .collect();
        Some(Ahead { kind, nodes, read })
    }

    /// The same, read in a part of the tree that now starts at `offset`.
    pub(crate) fn shifted(mut self, offset: usize) -> Ahead {
        for node in &mut self.nodes {
            *node += offset;
        }
        self
    }
}

/// What reading a run of bundles keeps: the element paths, built once, and
/// the last signer's name found to be a DNS name (every signature of a
/// document names the same signer, and checking the name is not free).
struct Names {
    bundle: String,
    signer: String,
    key: String,
    signature: String,
    last_good: Option<String>,
}

impl Names {
    /// For bundles at element path `bundle`.
    fn new(bundle: &str) -> Self {
        Names {
            bundle: bundle.to_string(),
            signer: format!("{bundle}/Signer"),
            key: format!("{bundle}/Key"),
            signature: format!("{bundle}/Signature"),
            last_good: None,
        }
    }
}

fn bundle(node: Node, kind: Kind, names: &mut Names) -> R<Bundle> {
    let path = &*names.bundle;
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
    let mut signers = Vec::new();
    for s in &rest[0] {
        let (a, _) = attributes(*s, &*names.signer, &["keyIdentifier"], &[])?;
        if s.has_children() || !s.text().trim().is_empty() {
            return refuse(*s, &*names.signer, "<Signer> must be empty");
        }
        signers.push(a[0].to_string());
    }
    let keys = rest[1]
        .iter()
        .map(|k| key(*k, &names.key))
        .collect::<R<Vec<_>>>()?;
    let signatures = rest[2]
        .iter()
        .map(|s| signature(*s, &names.signature, &mut names.last_good))
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

fn key(node: Node, path: &str) -> R<Key> {
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

fn signature(node: Node, path: &str, last_good: &mut Option<String>) -> R<Signature> {
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
    if last_good.as_deref() != Some(f[8].text) {
        if let Err(e) = dnssec::parse_name(f[8].text) {
            return refuse(
                f[8].node,
                f[8].path(),
                format!("{:?} is not a DNS name: {e}", f[8].text),
            );
        }
        *last_good = Some(f[8].text.to_string());
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
