//! RFC 5011 exactly: no deviations. Every number is the RFC's:
//! add and remove hold-down 30 days (2.4.1), query/retry formulas (2.3),
//! Missing keys kept as trust anchors until revoked (4.2), 5 keys (2.4).

use super::{rfc_base, Params, Profile};

pub fn params() -> Params {
    rfc_base(Profile::Rfc5011)
}
