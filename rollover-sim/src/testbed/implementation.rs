//! The resolvers the test bed drives, their configuration templates and the
//! timer knobs that compress their RFC 5011 clocks (like dns-test's
//! `Implementation`). Knobs are whole wall-clock seconds (Knot Resolver:
//! milliseconds); the model runs on the same knobs scaled back to scenario time,
//! so rounding never makes the two disagree.

use super::clock::Compressed;
use crate::profile::{Params, Profile};
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Implementation {
    Unbound,
    Bind,
    KnotResolver,
}

/// Compressed RFC 5011 timers in wall-clock units.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Knobs {
    pub add_holddown: u64,
    pub del_holddown: u64,
    /// Unbound `keep-missing` (0: forever).
    pub keep_missing: u64,
    /// BIND `-T mkeytimers=H/D/M`: refresh floor and retry cap.
    pub refresh_floor: u64,
    pub retry_cap: u64,
    /// Knot Resolver `ta_update.refresh_time` in milliseconds.
    pub refresh_ms: u64,
    /// BIND `-T tat=N`: seconds between RFC 8145 trust-anchor telemetry
    /// queries (daily by default, bin/named/globals.h `named_g_tat_interval`).
    pub tat_interval: u64,
}

/// What a configuration template needs.
pub struct Setup<'a> {
    /// The state directory (filled in by `Handle::start`).
    pub dir: PathBuf,
    pub addr: Ipv4Addr,
    pub server: Ipv4Addr,
    pub knobs: &'a Knobs,
    /// Trusted keys as DNSKEY presentation lines (`. TTL IN DNSKEY 257 3 8 ...`).
    pub anchors: &'a [String],
    /// DNSKEY TTL in wall seconds (caps the caches).
    pub ttl: u64,
    /// BIND's rndc secret (base64).
    pub rndc_secret: &'a str,
    /// Free ports on 127.0.0.1 for BIND, which listens only on addresses its
    /// interfaces carry (lo has 127.0.0.1 alone): queries and rndc.
    pub port: u16,
    pub control_port: u16,
}

impl Implementation {
    pub const ALL: [Implementation; 3] = [
        Implementation::Unbound,
        Implementation::Bind,
        Implementation::KnotResolver,
    ];

    pub fn parse(s: &str) -> Result<Vec<Implementation>, String> {
        match s {
            "unbound" => Ok(vec![Implementation::Unbound]),
            "bind" => Ok(vec![Implementation::Bind]),
            "knot-resolver" | "kresd" => Ok(vec![Implementation::KnotResolver]),
            "all" => Ok(Self::ALL.to_vec()),
            _ => Err(format!(
                "unknown resolver {s:?}; use unbound, bind, knot-resolver or all"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Implementation::Unbound => "unbound",
            Implementation::Bind => "bind",
            Implementation::KnotResolver => "knot-resolver",
        }
    }
    /// The model profile of this resolver.
    pub fn profile(self) -> Profile {
        match self {
            Implementation::Unbound => Profile::Unbound,
            Implementation::Bind => Profile::Bind,
            Implementation::KnotResolver => Profile::KnotResolver,
        }
    }
    /// The system user the resolver drops to after binding its port, as its
    /// Debian service does; its state directory belongs to that user.
    pub fn user(self) -> &'static str {
        match self {
            Implementation::Unbound => "unbound",
            Implementation::Bind => "bind",
            Implementation::KnotResolver => "knot-resolver",
        }
    }
    /// Where the resolver answers queries.
    pub fn listen(self, c: &Setup) -> std::net::SocketAddr {
        match self {
            Implementation::Bind => std::net::SocketAddr::from(([127, 0, 0, 1], c.port)),
            _ => std::net::SocketAddr::from((c.addr, 53)),
        }
    }
    pub fn binary(self) -> &'static str {
        match self {
            Implementation::Unbound => "/usr/sbin/unbound",
            Implementation::Bind => "/usr/sbin/named",
            Implementation::KnotResolver => "/usr/sbin/kresd",
        }
    }
    /// The Debian package that provides it (scripts/setup installs it).
    pub fn package(self) -> &'static str {
        match self {
            Implementation::Unbound => "unbound",
            Implementation::Bind => "bind9",
            Implementation::KnotResolver => "knot-resolver",
        }
    }

    /// The wall-clock knobs for the model's `params`, and the params the model
    /// must then use: the knobs scaled back, with each resolver's own floors.
    pub fn knobs(self, p: &Params, clock: &Compressed) -> (Knobs, Params) {
        let s = clock.speedup;
        let w = |d| clock.wall_secs(d);
        let back = |secs: u64| (secs as f64 * s).round() as i64;
        let mut eff = *p;
        let mut k = Knobs {
            add_holddown: w(p.add_holddown),
            del_holddown: w(p.remove_holddown),
            keep_missing: p.keep_missing.map_or(0, w),
            refresh_floor: 1,
            retry_cap: w(p.refresh.retry_cap),
            refresh_ms: 0,
            tat_interval: clock.wall_secs(crate::clock::DAY),
        };
        match self {
            Implementation::Unbound => {
                // permit-small-holddown: the probe floor is 1 s, not 1 hour
                // (unbound validator/autotrust.c, calc_next_probe()).
                eff.refresh.floor = back(1);
                eff.add_holddown = back(k.add_holddown);
                eff.remove_holddown = back(k.del_holddown);
                eff.keep_missing = (k.keep_missing > 0).then(|| back(k.keep_missing));
            }
            Implementation::Bind => {
                // named -T mkeytimers=H/D/M: M is both hold-downs (bin/named/main.c).
                k.retry_cap = k.retry_cap.max(k.refresh_floor);
                k.add_holddown = k.add_holddown.max(k.retry_cap);
                k.del_holddown = k.add_holddown;
                eff.refresh.floor = back(k.refresh_floor);
                eff.refresh.retry_cap = back(k.retry_cap);
                eff.refresh.query_cap = back(15 * k.retry_cap);
                eff.add_holddown = back(k.add_holddown);
                eff.remove_holddown = back(k.add_holddown);
            }
            Implementation::KnotResolver => {
                // ta_update.lua: one hold_down_time for adding and revoking, a
                // fixed refresh_time, and Missing keys dropped after 4x hold-down.
                k.del_holddown = k.add_holddown;
                let refresh = p.fixed_refresh.unwrap_or(p.refresh.query_cap);
                k.refresh_ms = ((refresh as f64 / s) * 1000.0).round().max(100.0) as u64;
                eff.add_holddown = back(k.add_holddown);
                eff.remove_holddown = eff.add_holddown;
                eff.keep_missing = Some(4 * eff.add_holddown);
                eff.fixed_refresh = Some((k.refresh_ms as f64 * s / 1000.0).round() as i64);
            }
        }
        (k, eff)
    }

    /// Writes the configuration (and seeded anchors, root hints) into `dir`;
    /// returns the command line that starts the resolver in the foreground.
    pub fn configure(self, c: &Setup) -> Result<Vec<String>, String> {
        let d = c.dir.display();
        let write = |name: &str, text: &str| {
            std::fs::write(c.dir.join(name), text)
                .map_err(|e| format!("{}: {e}", c.dir.join(name).display()))
        };
        let hints = format!(". 3600000 NS ns.\nns. 3600000 A {}\n", c.server);
        write("root.hints", &hints)?;
        let k = c.knobs;
        match self {
            Implementation::Unbound => {
                write("root.key", &(c.anchors.join("\n") + "\n"))?;
                let conf = format!(
                    "server:\n  directory: \"{d}\"\n  username: \"unbound\"\n  chroot: \"\"\n  pidfile: \"\"\n\
                     \x20 do-daemonize: no\n  use-syslog: no\n  logfile: \"{d}/unbound.log\"\n  verbosity: 1\n\
                     \x20 interface: {a}\n  port: 53\n  outgoing-interface: {a}\n  do-ip6: no\n\
                     \x20 access-control: 127.0.0.0/8 allow\n  do-not-query-localhost: no\n\
                     \x20 num-threads: 1\n  so-reuseport: no\n  qname-minimisation: no\n\
                     \x20 root-hints: \"{d}/root.hints\"\n  auto-trust-anchor-file: \"{d}/root.key\"\n\
                     \x20 add-holddown: {add}\n  del-holddown: {del}\n  keep-missing: {keep}\n\
                     \x20 permit-small-holddown: yes\n  val-bogus-ttl: 1\n  cache-max-ttl: {ttl}\n\
                     \x20 cache-max-negative-ttl: 1\n  aggressive-nsec: no\n  infra-host-ttl: 10\n  prefetch: no\n\
                     remote-control:\n  control-enable: no\n",
                    a = c.addr,
                    add = k.add_holddown,
                    del = k.del_holddown,
                    keep = k.keep_missing,
                    ttl = c.ttl,
                );
                write("unbound.conf", &conf)?;
                Ok(vec![
                    self.binary().into(),
                    "-d".into(),
                    "-c".into(),
                    format!("{d}/unbound.conf"),
                ])
            }
            Implementation::Bind => {
                let mut anchors = String::new();
                for a in c.anchors {
                    // ". TTL IN DNSKEY FLAGS PROTO ALG KEY" -> initial-key FLAGS PROTO ALG "KEY";
                    let f: Vec<&str> = a.split_whitespace().collect();
                    if f.len() < 8 {
                        return Err(format!("bad anchor line {a:?}"));
                    }
                    let _ = writeln!(
                        anchors,
                        "  . initial-key {} {} {} \"{}\";",
                        f[4], f[5], f[6], f[7]
                    );
                }
                let conf = format!(
                    "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n\
                     \x20 listen-on port {port} {{ 127.0.0.1; }};\n  listen-on-v6 {{ none; }};\n\
                     \x20 query-source address {a};\n  recursion yes;\n  allow-query {{ any; }};\n\
                     \x20 allow-recursion {{ any; }};\n  dnssec-validation auto;\n\
                     \x20 bindkeys-file \"{d}/bind.keys\";\n\
                     \x20 managed-keys-directory \"{d}\";\n  max-cache-ttl {ttl};\n  max-ncache-ttl 1;\n\
                     \x20 servfail-ttl 0;\n  synth-from-dnssec no;\n  qname-minimization off;\n  notify no;\n  lame-ttl 0;\n}};\n\
                     zone \".\" {{ type hint; file \"{d}/root.hints\"; }};\n\
                     key \"testbed\" {{ algorithm hmac-sha256; secret \"{sec}\"; }};\n\
                     controls {{ inet 127.0.0.1 port {cport} allow {{ any; }} keys {{ \"testbed\"; }}; }};\n\
                     logging {{ channel f {{ file \"{d}/named.log\"; severity info; print-time yes; }};\n\
                     \x20 category default {{ f; }}; category dnssec {{ f; }}; }};\n",
                    a = c.addr,
                    ttl = c.ttl,
                    sec = c.rndc_secret,
                    port = c.port,
                    cport = c.control_port,
                );
                // RFC 5011 tracking (the managed-keys zone) needs `dnssec-validation
                // auto` in BIND 9.20 (bin/named/server.c, configure_view_dnsseckeys());
                // the bindkeys file replaces the built-in root key with ours.
                write("bind.keys", &format!("trust-anchors {{\n{anchors}}};\n"))?;
                write("named.conf", &conf)?;
                write(
                    "rndc.conf",
                    &format!(
                        "key \"testbed\" {{ algorithm hmac-sha256; secret \"{}\"; }};\n\
                         options {{ default-key \"testbed\"; default-server 127.0.0.1; default-port {}; }};\n",
                        c.rndc_secret, c.control_port
                    ),
                )?;
                Ok(vec![
                    self.binary().into(),
                    "-f".into(),
                    "-4".into(),
                    "-n".into(),
                    "1".into(),
                    "-u".into(),
                    self.user().into(),
                    "-c".into(),
                    format!("{d}/named.conf"),
                    "-T".into(),
                    format!(
                        "mkeytimers={}/{}/{}",
                        k.refresh_floor, k.retry_cap, k.add_holddown
                    ),
                    "-T".into(),
                    format!("tat={}", k.tat_interval),
                ])
            }
            Implementation::KnotResolver => {
                write("root.keys", &(c.anchors.join("\n") + "\n"))?;
                let conf = format!(
                    "net.ipv6 = false\nnet.listen('{a}', 53, {{ kind = 'dns' }})\n\
                     net.outgoing_v4('{a}')\nlog_level('info')\nuser('knot-resolver', 'knot-resolver')\n\
                     cache.open(10 * MB, 'lmdb://{d}/cache')\ncache.min_ttl(0)\ncache.max_ttl({ttl})\n\
                     modules.load('hints > iterate')\nhints.root({{ ['ns.'] = '{s}' }})\n\
                     policy.add(policy.all(policy.FLAGS({{'ALLOW_LOCAL'}})))\n\
                     modules.load('ta_update')\n\
                     ta_update.hold_down_time = {hold} * sec\nta_update.refresh_time = {refresh}\n\
                     ta_update.keep_removed = 0\n\
                     trust_anchors.add_file('{d}/root.keys', false)\n",
                    a = c.addr,
                    s = c.server,
                    ttl = c.ttl.max(1),
                    hold = k.add_holddown,
                    refresh = k.refresh_ms,
                );
                // ALLOW_LOCAL (policy.FLAGS): kresd otherwise ignores loopback
                // addresses of NS names ("ignoring invalid glue"), like our servers'.
                write("kresd.conf", &conf)?;
                Ok(vec![
                    self.binary().into(),
                    "-n".into(),
                    "-c".into(),
                    format!("{d}/kresd.conf"),
                    format!("{d}"),
                ])
            }
        }
    }
}
