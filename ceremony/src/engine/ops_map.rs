//! Script operations onto `crate::ops`.
