//! The live test bed: the scenario's trust point served by an authoritative
//! server on loopback to real validating resolvers (Unbound, BIND, Knot
//! Resolver) on a compressed clock; their RFC 5011 states and answers are read
//! and compared with the model run on the same timers. Structured like
//! hickory-dns's conformance/dns-test (an `Implementation` enum, a config per
//! resolver, a handle that starts and stops one). The model never depends on
//! this module.
//!
//! - [`clock`]: scenario time on the wall clock; [`keys`], [`zone`], [`server`]:
//!   the authoritative side.
//! - [`implementation`], [`handle`], [`records`]: the resolvers, their knobs,
//!   processes and RFC 5011 records; [`readonly`]: state made read-only mid-run.
//! - [`session`], [`compare`]: one run and its verdicts; [`text`], [`html`],
//!   [`cli`]: the report and the `testbed` command.

pub mod cli;
pub mod clock;
pub mod compare;
pub mod handle;
pub mod html;
pub mod implementation;
pub mod keys;
pub mod readonly;
pub mod records;
pub mod server;
pub mod session;
pub mod text;
pub mod zone;

/// Text from a resolver's logs or files, safe for a terminal.
pub fn escape(s: &str) -> String {
    ksr::escape::terminal(s).into_owned()
}
