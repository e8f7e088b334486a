//! The audit records of a ceremony, and reading them back for `--resume`.
