//! Running the current step.

use ksr::env::Prompter;

use super::*;

pub(super) fn start(_s: Script, _o: RunOptions, _c: BoxClock) -> Result<Engine, EngineError> {
    Err(EngineError::Input("not yet".into()))
}

pub(super) fn send(_e: &mut Engine, _c: Command, _p: &dyn Prompter) -> Result<(), EngineError> {
    Err(EngineError::Input("not yet".into()))
}

pub(super) fn advance(_e: &mut Engine, _p: &dyn Prompter) -> Result<(), EngineError> {
    Err(EngineError::Input("not yet".into()))
}
