//! KSR -> SKR signing, KSR requests and trust anchors.
//!
//! - [`skr`]: the ceremony's side of ksr's SKR builder (options, errors).
//! - [`pipeline`]: the whole `sign-ksr` run: check, confirm the hash, sign, re-verify, write.
//! - [`confirm`]: the operator confirms the KSR's SHA-256 (hex, or at least 16 PGP words).
//! - `out`: the output preflight of `sign-ksr --out`.
//! - [`request`]: builds a KSR from ZSKs on a token, laid out by the policy.
//! - [`trust_anchor`]: RFC 9718 trust-anchor XML and DS records for a KSK.
//! - [`report`]: printing a check report.

pub mod confirm;
mod out;
pub mod pipeline;
pub mod report;
pub mod request;
pub mod skr;
pub mod text;
pub mod trust_anchor;

#[cfg(test)]
pub(crate) mod soft;

pub(crate) use ksr::digest::uuid_shaped;

/// The DNSKEY a token key publishes as, with `flags` and `ttl` chosen by the caller.
pub use ksr::sign::dnskey;
/// `SignatureAlgorithm` entries of keys (for policy blocks and policy checks).
pub use ksr::sign::{algorithm_policies, algorithm_policy};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_open;
#[cfg(test)]
mod tests_policy;
