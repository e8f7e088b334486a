//! Ceremony scripts: the paper script as a TOML file the engine follows step by
//! step. A script names the zone, the roles and the people who fill them, the
//! quorums, the tokens, the files that exist before the ceremony, and the
//! ordered steps. Steps declare their inputs and outputs by artifact name, so a
//! later step uses what an earlier one produced and [`check`] can prove that
//! nothing is used before it exists.
//!
//! - [`model`]: the parsed script (every step knows its line).
//! - [`parse`]: TOML to [`Script`], errors naming the line.
//! - [`check`]: validation (unknown operations, missing roles, unreachable
//!   quorums, outputs used before they are produced).

pub mod check;
pub mod model;
pub mod parse;

pub use check::{check, Problem};
pub use model::{
    ArtifactSource, InterruptRule, OpKind, OpStep, Person, Quorum, RoleDecl, Script, Step,
    StepKind, TokenDecl,
};
pub use parse::{parse, ScriptError};

/// Reads, parses and checks the script at `path`: every problem, or the script.
pub fn load(path: &std::path::Path) -> Result<Script, Vec<ScriptError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![ScriptError {
            file: path.display().to_string(),
            line: 0,
            message: format!("cannot read the script: {e}"),
        }]
    })?;
    let script = parse(&path.display().to_string(), &text).map_err(|e| vec![e])?;
    let problems = check(&script);
    if problems.is_empty() {
        Ok(script)
    } else {
        Err(problems
            .into_iter()
            .map(|p| ScriptError {
                file: path.display().to_string(),
                line: p.line,
                message: p.message,
            })
            .collect())
    }
}
