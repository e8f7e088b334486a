//! RFC 5011 exactly: no deviations. Every number and rule is the RFC's (see
//! docs/rfc5011.md): add and remove hold-down 30 days, the add hold-down
//! extended to the TTL of the first RRset with the key (2.4.1), query/retry
//! formulas (2.3), Missing keys kept as trust anchors until revoked (4.2),
//! Removed terminal (4.2), a revocation only with the key's own signature (2.1),
//! the pending hold-down restarted when every key that validated the pending key
//! is revoked (2.2), and a trust point whose anchors are all revoked deleted, so
//! the zone is insecure (4.2). No key cap beyond the model's capacity: the RFC
//! asks for room for at least 5 (2.4), not for a limit.

use super::{rfc_base, Params, Profile};

pub fn params() -> Params {
    Params {
        reset_on_validators_revoked: true,
        ..rfc_base(Profile::Rfc5011)
    }
}
