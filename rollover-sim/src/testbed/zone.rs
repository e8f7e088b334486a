//! The zones the test bed serves at one moment: a private root `.` whose DNSKEY
//! RRset follows the publisher's timeline (signed, bogus and unsigned-delegation
//! test names, NSEC for denial), and the unsigned child `insecure.`.

use super::keys::ZoneKey;
use crate::key::bits;
use crate::publisher::Rrset;
use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, NS, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Names the validation probes ask for.
pub const SIGNED: &str = "signed.";
pub const BOGUS: &str = "bogus.";
pub const INSECURE: &str = "insecure.";

type RrKey = (Name, RecordType);

/// One zone's records and their signatures.
#[derive(Default)]
struct Data {
    apex: Option<Name>,
    rrsets: BTreeMap<RrKey, Vec<Record>>,
    sigs: BTreeMap<RrKey, Vec<Record>>,
}

impl Data {
    fn add(&mut self, name: &Name, ttl: u32, rdata: RData) {
        let key = (name.clone(), rdata.record_type());
        let rec = Record::from_rdata(name.clone(), ttl, rdata);
        self.rrsets.entry(key).or_default().push(rec);
    }
    fn has_name(&self, name: &Name) -> bool {
        self.rrsets.keys().any(|(n, _)| n == name)
    }
    fn get(&self, name: &Name, t: RecordType, dnssec: bool) -> Vec<Record> {
        let key = (name.clone(), t);
        let mut out = self.rrsets.get(&key).cloned().unwrap_or_default();
        if dnssec {
            out.extend(self.sigs.get(&key).cloned().unwrap_or_default());
        }
        out
    }
}

/// Both zones as served while one publisher version is in force.
pub struct Zone {
    root: Data,
    child: Data,
    child_apex: Name,
}

fn name(s: &str) -> Name {
    Name::from_ascii(s).expect("static name")
}

/// What a version of the publisher's RRset becomes on the wire.
pub struct Build<'a> {
    pub rrset: Rrset,
    /// Scenario keys by index (the KSKs), and the zone-signing key.
    pub ksks: &'a [ZoneKey],
    /// One zone-signing key per algorithm among the KSKs (RFC 4035 section
    /// 2.2: every algorithm in the DNSKEY RRset signs each RRset).
    pub zsks: &'a [ZoneKey],
    pub server: Ipv4Addr,
    /// The child zone's server (its own address, so the root refers to it).
    pub child_server: Ipv4Addr,
    pub ttl: u32,
    pub serial: u32,
    /// RRSIG validity in wall-clock Unix seconds.
    pub inception: i64,
    pub expiration: i64,
}

impl Zone {
    pub fn build(b: &Build) -> Result<Zone, String> {
        let root_name = Name::root();
        let ns = name("ns.");
        let soa = |mname: &Name| {
            RData::SOA(SOA::new(
                mname.clone(),
                name("hostmaster.test."),
                b.serial,
                60,
                60,
                600,
                b.ttl,
            ))
        };
        let mut root = Data {
            apex: Some(root_name.clone()),
            ..Data::default()
        };
        root.add(&root_name, b.ttl, soa(&ns));
        root.add(&root_name, b.ttl, RData::NS(NS(ns.clone())));
        for k in bits(b.rrset.published) {
            let revoked = b.rrset.revoked & (1 << k) != 0;
            let dnskey = b.ksks[k].dnskey(revoked);
            root.add(
                &root_name,
                b.ttl,
                RData::DNSSEC(DNSSECRData::DNSKEY(dnskey)),
            );
        }
        for z in b.zsks {
            root.add(
                &root_name,
                b.ttl,
                RData::DNSSEC(DNSSECRData::DNSKEY(z.dnskey(false))),
            );
        }
        root.add(&ns, b.ttl, RData::A(A(b.server)));
        root.add(
            &name(SIGNED),
            b.ttl,
            RData::TXT(TXT::new(vec!["signed".into()])),
        );
        root.add(
            &name(BOGUS),
            b.ttl,
            RData::TXT(TXT::new(vec!["bogus".into()])),
        );
        let child_apex = name(INSECURE);
        // The child's server has a name in the root (signed, no glue needed):
        // Knot Resolver ignores loopback glue addresses (lib/layer/iterate.c).
        let child_ns = name("ns2.");
        root.add(&child_apex, b.ttl, RData::NS(NS(child_ns.clone())));
        root.add(&child_ns, b.ttl, RData::A(A(b.child_server)));
        // NSEC chain over the root's owner names (RFC 4034 section 4), canonical order.
        let mut owners: Vec<Name> = root.rrsets.keys().map(|(n, _)| n.clone()).collect();
        owners.dedup();
        for (i, owner) in owners.iter().enumerate() {
            let next = owners[(i + 1) % owners.len()].clone();
            let mut types: Vec<RecordType> = root
                .rrsets
                .keys()
                .filter(|(n, _)| n == owner)
                .map(|(_, t)| *t)
                .collect();
            // Every owner has at least its signed NSEC, so RRSIG is always present.
            types.extend([RecordType::NSEC, RecordType::RRSIG]);
            root.add(
                owner,
                b.ttl,
                RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(next, types))),
            );
        }
        // Signatures: the publisher's signers over DNSKEY, the ZSK over the rest;
        // no signature over the delegation's NS (RFC 4035 section 2.2).
        let mut sigs: BTreeMap<RrKey, Vec<Record>> = BTreeMap::new();
        for (key, rrset) in &root.rrsets {
            let mut list = Vec::new();
            if key.1 == RecordType::DNSKEY {
                for k in bits(b.rrset.signing & b.rrset.published) {
                    let revoked = b.rrset.revoked & (1 << k) != 0;
                    list.push(b.ksks[k].sign(
                        &root_name,
                        rrset,
                        revoked,
                        b.inception,
                        b.expiration,
                        false,
                    )?);
                }
            } else if !(key.0 == child_apex && key.1 == RecordType::NS) {
                let bogus = key.0 == name(BOGUS) && key.1 == RecordType::TXT;
                for z in b.zsks {
                    list.push(z.sign(
                        &root_name,
                        rrset,
                        false,
                        b.inception,
                        b.expiration,
                        bogus,
                    )?);
                }
            }
            sigs.insert(key.clone(), list);
        }
        root.sigs = sigs;

        let mut child = Data {
            apex: Some(child_apex.clone()),
            ..Data::default()
        };
        child.add(&child_apex, b.ttl, soa(&child_ns));
        child.add(&child_apex, b.ttl, RData::NS(NS(child_ns.clone())));
        child.add(
            &child_apex,
            b.ttl,
            RData::TXT(TXT::new(vec!["insecure".into()])),
        );
        Ok(Zone {
            root,
            child,
            child_apex,
        })
    }

    /// Fills `resp` with the answer to `q` from the root server (`child`
    /// false) or from the child zone's server.
    pub fn answer(&self, q: &Query, dnssec: bool, child: bool, resp: &mut Message) {
        let qname = q.name().to_lowercase();
        let qtype = q.query_type();
        let below_cut = self.child_apex.zone_of(&qname);
        if child {
            if !below_cut {
                resp.metadata.response_code = ResponseCode::Refused;
                return;
            }
            resp.metadata.authoritative = true;
            let d = &self.child;
            let found = d.get(&qname, qtype, false);
            if !found.is_empty() {
                resp.answers.extend(found);
            } else {
                if !d.has_name(&qname) {
                    resp.metadata.response_code = ResponseCode::NXDomain;
                }
                resp.authorities
                    .extend(d.get(&self.child_apex, RecordType::SOA, false));
            }
            return;
        }
        // At or below the cut the root refers to the child (RFC 1034 4.3.2),
        // with the signed NSEC that proves there is no DS (RFC 4035 3.1.4);
        // only the DS question at the cut is the root's own.
        if below_cut && !(qname == self.child_apex && qtype == RecordType::DS) {
            let cut = &self.child_apex;
            resp.authorities
                .extend(self.root.get(cut, RecordType::NS, false));
            if dnssec {
                resp.authorities
                    .extend(self.root.get(cut, RecordType::NSEC, true));
            }
            return;
        }
        resp.metadata.authoritative = true;
        let d = &self.root;
        let found = d.get(&qname, qtype, dnssec);
        if !found.is_empty() {
            resp.answers.extend(found);
            return;
        }
        let apex = d.apex.clone().unwrap_or_else(Name::root);
        resp.authorities
            .extend(d.get(&apex, RecordType::SOA, dnssec));
        if d.has_name(&qname) {
            // NODATA: the NSEC at the name shows the type is absent.
            if dnssec {
                resp.authorities
                    .extend(d.get(&qname, RecordType::NSEC, true));
            }
            return;
        }
        resp.metadata.response_code = ResponseCode::NXDomain;
        if dnssec {
            // The NSEC covering the name, and the one covering the wildcard `*.`.
            let mut covers = vec![self.covering(&qname)];
            let wild = self.covering(&name("*."));
            if !covers.contains(&wild) {
                covers.push(wild);
            }
            for owner in covers {
                resp.authorities
                    .extend(d.get(&owner, RecordType::NSEC, true));
            }
        }
    }

    /// The owner of the NSEC whose span covers `qname` (the last owner before it).
    fn covering(&self, qname: &Name) -> Name {
        self.root
            .rrsets
            .keys()
            .filter(|(n, t)| *t == RecordType::NSEC && n < qname)
            .map(|(n, _)| n.clone())
            .next_back()
            .unwrap_or_else(Name::root)
    }
}
