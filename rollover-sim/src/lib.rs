//! `rollover-sim`: RFC 5011 resolver model, rollover plans and population forecasts.
//!
//! Layers, bottom up:
//! - [`clock`]: simulated instants and durations (parsed and printed as
//!   `ksr::timefmt` does for every tool), and the per-resolver agenda.
//! - [`key`], [`publisher`]: the trust point's keys and its DNSKEY RRset over time.
//! - [`state`], [`holddown`], [`refresh`], [`trust_point`]: RFC 5011 per key.
//! - [`profile`]: RFC 5011 exactly, or Unbound / BIND / Knot Resolver deviations.
//! - [`resolver`], [`attacker`]: one resolver's run as an event loop.
//! - [`scenario`], [`skr`]: the TOML scenario files, SKR replay.
//! - [`error`]: input errors and [`error::SimError`], mapped to exit codes in one place.
//! - [`run`]: every scenario resolver in detail.
//! - [`plan`]: the publisher's safety rules.
//! - [`population`]: many resolvers drawn from a mix, aggregated in time buckets.
//! - [`report`]: text, JSON, CSV and SVG output.
//! - [`cli`]: the command line, [`cli::run`] on a `ksr::env::Env`.

pub mod attacker;
pub mod cli;
pub mod clock;
pub mod error;
pub mod holddown;
pub mod key;
pub mod plan;
pub mod population;
pub mod profile;
pub mod publisher;
pub mod refresh;
pub mod report;
pub mod resolver;
pub mod run;
pub mod scenario;
pub mod skr;
pub mod state;
pub mod testbed;
pub mod trust_point;
