//! The scenario file as TOML deserialises it, with spans for error lines;
//! [`super::Scenario::parse`] checks it and turns it into the model.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawScenario {
    pub(super) trust_point: RawTrustPoint,
    #[serde(default, rename = "key")]
    pub(super) keys: Vec<Spanned<RawKey>>,
    pub(super) publisher: Spanned<RawPublisher>,
    #[serde(default, rename = "resolver")]
    pub(super) resolvers: Vec<Spanned<RawResolver>>,
    #[serde(default, rename = "attack")]
    pub(super) attacks: Vec<Spanned<RawAttack>>,
    #[serde(default)]
    pub(super) plan: RawPlan,
    #[serde(default)]
    pub(super) population: RawPopulation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawTrustPoint {
    pub(super) zone: Spanned<String>,
    pub(super) dnskey_ttl: Spanned<String>,
    pub(super) rrsig_validity: Spanned<String>,
    pub(super) resign_every: Option<Spanned<String>>,
    pub(super) start: Spanned<String>,
    pub(super) end: Spanned<String>,
    #[serde(default)]
    pub(super) seed: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum StrOrInt {
    Str(String),
    Int(i64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawKey {
    pub(super) name: String,
    pub(super) algorithm: Spanned<StrOrInt>,
    /// Base64 DNSKEY public key; generated from the seed when absent.
    pub(super) public_key: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPublisher {
    #[serde(default, rename = "event")]
    pub(super) events: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    pub(super) skrs: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawEvent {
    pub(super) at: Spanned<String>,
    pub(super) action: Spanned<String>,
    pub(super) key: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawPersistence {
    Word(String),
    Reset {
        #[serde(rename = "reset-every")]
        reset_every: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawOutage {
    pub(super) from: Spanned<String>,
    pub(super) to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawResolver {
    pub(super) name: String,
    pub(super) profile: Spanned<String>,
    pub(super) trusted: Spanned<Vec<Spanned<String>>>,
    pub(super) start: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) outages: Vec<Spanned<RawOutage>>,
    pub(super) persistence: Option<Spanned<RawPersistence>>,
    /// Shorthand for `persistence = { reset-every = ... }`.
    pub(super) reset_every: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) restarts: Vec<Spanned<String>>,
    pub(super) clock_skew: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) timers: BTreeMap<String, Spanned<StrOrInt>>,
    pub(super) seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawAttack {
    pub(super) kind: Spanned<String>,
    pub(super) resolver: Spanned<String>,
    pub(super) from: Spanned<String>,
    pub(super) to: Spanned<String>,
    pub(super) captured: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPlan {
    pub(super) safety_margin: Option<Spanned<String>>,
    pub(super) add_holddown: Option<Spanned<String>>,
    pub(super) remove_holddown: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPopulation {
    #[serde(default)]
    pub(super) trusted: Vec<Spanned<String>>,
    pub(super) start_from: Option<Spanned<String>>,
    pub(super) start_to: Option<Spanned<String>>,
}
