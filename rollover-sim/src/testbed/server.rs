//! The authoritative server: UDP and TCP on one loopback address, port 53,
//! EDNS0 with the DO bit, truncation (TC) when a UDP answer exceeds the
//! client's buffer so resolvers retry over TCP. Every query is logged with the
//! RFC 8145 key-tag signals it carries.

use super::clock::{wall_now, Compressed};
use super::keys::ZoneKey;
use super::zone::{Build, Zone};
use crate::clock::Instant;
use crate::publisher::Timeline;
use hickory_proto::op::{Edns, Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
use serde::Serialize;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

/// RFC 8145 section 4: the EDNS key-tag option.
const EDNS_KEY_TAG: u16 = 14;
/// Largest UDP answer we send whatever the client offers (DNS flag day 2020).
const UDP_CAP: usize = 1232;

/// One query as the server saw it.
#[derive(Debug, Clone, Serialize)]
pub struct QueryLog {
    pub sim: Instant,
    pub wall: f64,
    pub from: IpAddr,
    pub qname: String,
    pub qtype: String,
    pub tcp: bool,
    /// Key tags signalled by an `_ta-xxxx` query name or the EDNS key-tag option.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_tags: Vec<u16>,
}

/// RFC 8145 section 5: `_ta-xxxx[-xxxx...]` with 4-hex-digit tags.
pub fn ta_query_tags(qname: &str) -> Vec<u16> {
    let first = qname.split('.').next().unwrap_or("");
    let Some(rest) = first
        .to_ascii_lowercase()
        .strip_prefix("_ta-")
        .map(String::from)
    else {
        return vec![];
    };
    rest.split('-')
        .map(|h| u16::from_str_radix(h, 16).ok().filter(|_| h.len() == 4))
        .collect::<Option<Vec<u16>>>()
        .unwrap_or_default()
}

/// Everything the serving threads share.
pub struct Shared {
    pub clock: Compressed,
    pub timeline: Timeline,
    pub ksks: Vec<ZoneKey>,
    pub zsks: Vec<ZoneKey>,
    pub addr: Ipv4Addr,
    /// The child zone's server address (the root's address with last octet 2).
    pub child_addr: Ipv4Addr,
    pub ttl: u32,
    zone: Mutex<Option<(usize, Arc<Zone>)>>,
    pub log: Mutex<Vec<QueryLog>>,
    stop: AtomicBool,
}

impl Shared {
    pub fn new(
        clock: Compressed,
        timeline: Timeline,
        ksks: Vec<ZoneKey>,
        zsks: Vec<ZoneKey>,
        addr: Ipv4Addr,
        ttl: u32,
    ) -> Shared {
        let o = addr.octets();
        Shared {
            clock,
            timeline,
            ksks,
            zsks,
            addr,
            child_addr: Ipv4Addr::new(o[0], o[1], o[2], o[3].wrapping_add(1)),
            ttl,
            zone: Mutex::new(None),
            log: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        }
    }

    /// The zone of the publisher version in force now, signed when first needed.
    /// Signatures start a little before the version's wall-clock start so a
    /// resolver's clock a moment behind ours still accepts them.
    pub fn zone(&self) -> Result<Arc<Zone>, String> {
        let idx = self.timeline.index_at(self.clock.sim_now()).unwrap_or(0);
        let mut cur = self.zone.lock().map_err(|_| "zone lock poisoned")?;
        if let Some((i, z)) = cur.as_ref() {
            if *i == idx {
                return Ok(z.clone());
            }
        }
        let v = self
            .timeline
            .versions
            .get(idx)
            .ok_or("the timeline is empty")?;
        let inception = self.clock.wall_at(v.rrset.inception).floor() as i64 - 5;
        let expiration = self.clock.wall_at(v.rrset.expiration).ceil() as i64;
        let z = Arc::new(Zone::build(&Build {
            rrset: v.rrset,
            ksks: &self.ksks,
            zsks: &self.zsks,
            server: self.addr,
            child_server: self.child_addr,
            ttl: self.ttl,
            serial: idx as u32 + 1,
            inception,
            expiration,
        })?);
        *cur = Some((idx, z.clone()));
        Ok(z)
    }

    fn respond(&self, req: &[u8], from: IpAddr, tcp: bool, child: bool) -> Option<Vec<u8>> {
        let req = Message::from_vec(req).ok()?;
        if req.metadata.message_type != MessageType::Query {
            return None;
        }
        let q = req.queries.first()?.clone();
        let mut tags = ta_query_tags(&q.name().to_ascii());
        if let Some(EdnsOption::Unknown(_, data)) = req
            .edns
            .as_ref()
            .and_then(|e| e.option(EdnsCode::Unknown(EDNS_KEY_TAG)))
        {
            tags.extend(
                data.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]])),
            );
        }
        let wall = wall_now();
        if let Ok(mut log) = self.log.lock() {
            log.push(QueryLog {
                sim: self.clock.sim_at(wall),
                wall,
                from,
                qname: q.name().to_ascii(),
                qtype: q.query_type().to_string(),
                tcp,
                key_tags: tags,
            });
        }
        let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
        resp.metadata.recursion_desired = req.metadata.recursion_desired;
        resp.add_query(q.clone());
        let dnssec = req.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
        match self.zone() {
            Ok(z) => z.answer(&q, dnssec, child, &mut resp),
            Err(_) => resp.metadata.response_code = ResponseCode::ServFail,
        }
        if req.edns.is_some() {
            let mut edns = Edns::new();
            edns.set_max_payload(UDP_CAP as u16);
            edns.set_dnssec_ok(dnssec);
            resp.set_edns(edns);
        }
        let bytes = resp.to_vec().ok()?;
        let limit = match (&req.edns, tcp) {
            (_, true) => usize::from(u16::MAX),
            (Some(e), false) => usize::from(e.max_payload()).clamp(512, UDP_CAP),
            (None, false) => 512,
        };
        if bytes.len() > limit {
            return resp.truncate().to_vec().ok();
        }
        Some(bytes)
    }
}

/// The running server; dropping it stops its threads.
pub struct Server {
    pub shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Serves the root on `shared.addr` and the child zone on `child_addr`,
    /// UDP and TCP each.
    pub fn start(shared: Shared) -> Result<Server, String> {
        // Root hints name port 53, so the server needs root (or CAP_NET_BIND_SERVICE).
        let hint = "run the test bed as root (resolvers find the root servers on port 53)";
        let mut sockets = Vec::new();
        for (addr, child) in [(shared.addr, false), (shared.child_addr, true)] {
            let sa = SocketAddr::new(IpAddr::V4(addr), 53);
            let udp =
                UdpSocket::bind(sa).map_err(|e| format!("test server: UDP {sa}: {e}; {hint}"))?;
            let tcp =
                TcpListener::bind(sa).map_err(|e| format!("test server: TCP {sa}: {e}; {hint}"))?;
            udp.set_read_timeout(Some(StdDuration::from_millis(100)))
                .map_err(|e| e.to_string())?;
            tcp.set_nonblocking(true).map_err(|e| e.to_string())?;
            sockets.push((udp, tcp, child));
        }
        shared.zone()?;
        let shared = Arc::new(shared);
        let mut threads = Vec::new();
        for (udp, tcp, child) in sockets {
            let s1 = shared.clone();
            threads.push(std::thread::spawn(move || serve_udp(&s1, &udp, child)));
            let s2 = shared.clone();
            threads.push(std::thread::spawn(move || serve_tcp(&s2, &tcp, child)));
        }
        Ok(Server { shared, threads })
    }

    pub fn queries(&self) -> Vec<QueryLog> {
        self.shared
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn serve_udp(s: &Shared, sock: &UdpSocket, child: bool) {
    let mut buf = [0u8; 4096];
    while !s.stop.load(Ordering::SeqCst) {
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            if let Some(out) = s.respond(&buf[..n], from.ip(), false, child) {
                let _ = sock.send_to(&out, from);
            }
        }
    }
}

fn serve_tcp(s: &Arc<Shared>, listener: &TcpListener, child: bool) {
    while !s.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((conn, from)) => {
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = serve_conn(&s, conn, from.ip(), child);
                });
            }
            Err(_) => std::thread::sleep(StdDuration::from_millis(20)),
        }
    }
}

/// RFC 7766: two-byte length prefix per message; several queries per connection.
fn serve_conn(s: &Shared, mut conn: TcpStream, from: IpAddr, child: bool) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(StdDuration::from_secs(2)))?;
    loop {
        let mut len = [0u8; 2];
        conn.read_exact(&mut len)?;
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        conn.read_exact(&mut msg)?;
        if let Some(out) = s.respond(&msg, from, true, child) {
            conn.write_all(&(out.len() as u16).to_be_bytes())?;
            conn.write_all(&out)?;
        }
        if s.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publisher::{Action, Event};
    use hickory_proto::op::{OpCode, Query};
    use hickory_proto::rr::{Name, RecordType};

    fn ask(to: SocketAddr, name: &str, t: RecordType, payload: u16, tcp: bool) -> Message {
        let mut q = Message::new(7, MessageType::Query, OpCode::Query);
        q.add_query(Query::query(Name::from_ascii(name).unwrap(), t));
        let mut e = Edns::new();
        e.set_max_payload(payload);
        e.set_dnssec_ok(true);
        q.set_edns(e);
        let bytes = q.to_vec().unwrap();
        if tcp {
            let mut c = TcpStream::connect(to).unwrap();
            c.write_all(&(bytes.len() as u16).to_be_bytes()).unwrap();
            c.write_all(&bytes).unwrap();
            let mut len = [0u8; 2];
            c.read_exact(&mut len).unwrap();
            let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
            c.read_exact(&mut buf).unwrap();
            Message::from_vec(&buf).unwrap()
        } else {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(StdDuration::from_secs(2))).unwrap();
            s.send_to(&bytes, to).unwrap();
            let mut buf = [0u8; 4096];
            let (n, _) = s.recv_from(&mut buf).unwrap();
            Message::from_vec(&buf[..n]).unwrap()
        }
    }

    /// The server on its own 127/8 address: a DNSKEY answer too big for a
    /// 512-byte buffer comes back truncated over UDP and whole over TCP; a
    /// missing name gets NXDOMAIN with signed NSEC proofs; every query is logged.
    #[test]
    fn truncation_tcp_fallback_and_denial() {
        let start = 1_800_000_000;
        let ev = |action, key| Event {
            at: start,
            action,
            key,
            source: String::new(),
        };
        let tl = Timeline::from_events(
            &[
                ev(Action::Publish, 0),
                ev(Action::Sign, 0),
                ev(Action::Publish, 1),
            ],
            86_400,
            864_000,
            0,
            start + 864_000,
        )
        .unwrap();
        let ksks = vec![
            ZoneKey::generate("A", 8, true).unwrap(),
            ZoneKey::generate("B", 13, true).unwrap(),
        ];
        let zsks = vec![
            ZoneKey::generate("Z8", 8, false).unwrap(),
            ZoneKey::generate("Z13", 13, false).unwrap(),
        ];
        let addr = Ipv4Addr::new(127, 251, (std::process::id() % 250) as u8, 1);
        let clock = Compressed::start(start, 1.0);
        let srv = Server::start(Shared::new(clock, tl, ksks, zsks, addr, 3)).unwrap();
        let to = SocketAddr::from((addr, 53));

        let small = ask(to, ".", RecordType::DNSKEY, 512, false);
        assert!(small.metadata.truncation && small.answers.is_empty());
        let whole = ask(to, ".", RecordType::DNSKEY, 512, true);
        assert!(!whole.metadata.truncation);
        let keys = whole
            .answers
            .iter()
            .filter(|r| r.record_type() == RecordType::DNSKEY);
        let sigs = whole
            .answers
            .iter()
            .filter(|r| r.record_type() == RecordType::RRSIG);
        assert_eq!(
            (keys.count(), sigs.count()),
            (4, 1),
            "2 KSKs + 2 ZSKs, signed by A only"
        );

        // Signed by two ZSKs (RSA and ECDSA) the denial outgrows 1232 bytes: TCP.
        let nx = ask(to, "nothere.", RecordType::A, 1232, false);
        assert!(nx.metadata.truncation);
        let nx = ask(to, "nothere.", RecordType::A, 1232, true);
        assert_eq!(nx.metadata.response_code, ResponseCode::NXDomain);
        let nsec = nx
            .authorities
            .iter()
            .filter(|r| r.record_type() == RecordType::NSEC)
            .count();
        assert_eq!(
            nsec, 2,
            "covering NSEC and wildcard NSEC: {:?}",
            nx.authorities
        );
        // The root refers to the unsigned child, proving the absence of a DS.
        let referral = ask(to, "insecure.", RecordType::TXT, 1232, false);
        assert!(referral.answers.is_empty() && !referral.metadata.authoritative);
        let types: Vec<RecordType> = referral
            .authorities
            .iter()
            .map(|r| r.record_type())
            .collect();
        assert_eq!(
            types,
            [
                RecordType::NS,
                RecordType::NSEC,
                RecordType::RRSIG,
                RecordType::RRSIG
            ]
        );
        assert!(
            referral.additionals.is_empty(),
            "ns2. is the root's own name: no glue"
        );
        let child_to = SocketAddr::from((srv.shared.child_addr, 53));
        let child = ask(child_to, "insecure.", RecordType::TXT, 1232, false);
        assert!(child.metadata.authoritative);
        let types: Vec<RecordType> = child.answers.iter().map(|r| r.record_type()).collect();
        assert_eq!(
            types,
            [RecordType::TXT],
            "the unsigned child answers, without RRSIG"
        );
        let refused = ask(child_to, "signed.", RecordType::TXT, 1232, false);
        assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
        let ds = ask(to, "insecure.", RecordType::DS, 1232, false);
        assert!(ds.answers.is_empty(), "no DS: the delegation is insecure");
        assert!(ds
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::NSEC));
        let _ = ask(to, "_ta-4f66-9728.", RecordType::NULL, 1232, false);
        let log = srv.queries();
        assert_eq!(log.len(), 9);
        assert_eq!(log.last().unwrap().key_tags, vec![0x4f66, 0x9728]);
        assert!(log.iter().any(|q| q.tcp));
    }

    #[test]
    fn ta_labels() {
        assert_eq!(ta_query_tags("_ta-4f66-9728."), vec![0x4f66, 0x9728]);
        assert_eq!(ta_query_tags("_TA-4F66."), vec![0x4f66]);
        assert!(ta_query_tags("_ta-4f6.").is_empty());
        assert!(ta_query_tags("signed.").is_empty());
    }
}
