//! The ceremony's terminal UI (ratatui). The engine owns the ceremony and
//! knows nothing of the terminal; the UI only draws the engine's snapshots and
//! sends back what people typed.
//!
//! - [`model`]: the snapshot the UI draws: the engine's `State` and a bundle table.
//! - [`runner`]: the engine's loop with the UI as its face (`interactive`).
//! - [`app`]: UI state and `update` (keys and engine messages in, answers out).
//! - [`view`] and [`widgets`]: drawing, apart from state.
//! - [`bridge`]: the channel pair; the engine's end is a `Prompter`.
//! - [`terminal`]: raw mode and alternate screen, restored on every way out.

pub mod app;
pub mod bridge;
pub mod model;
pub mod runner;
pub mod terminal;
pub mod view;
pub mod widgets;

pub use app::{Answer, App, Msg, Prompt, Tab};
pub use bridge::{link, EngineSide, UiSide};
pub use model::{BundleCache, Snapshot};
pub use runner::interactive;
pub use terminal::run;
