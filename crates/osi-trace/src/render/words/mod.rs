//! Every English phrase osi-trace prints, one module per view, made from the
//! decoder's and the analysis's facts: a segment and its connection (this
//! module's own items, from `segment`), a control message ([`control`]), the
//! hop view ([`hop`]), the layers of `--layers` ([`layers`]), the ladder's
//! heads ([`ladder`]). The one place a translation would change: the
//! Vietnamese forms are in `render::lang`, each English function hands over to
//! its own (a table of two words keeps its Vietnamese beside the English).

pub mod control;
pub mod hop;
pub mod ladder;
pub mod layers;
mod segment;

pub use segment::*;
