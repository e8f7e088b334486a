//! What the `ceremony` process does to itself for safety, apart from any
//! command: it never dumps core once a token's module is loaded
//! ([`no_dump`]), and SIGINT or SIGTERM stop a command cleanly
//! ([`interrupt`]).

pub mod interrupt;
pub mod no_dump;
