//! Every English phrase osi-trace prints, one module per view, made from the
//! decoder's and the analysis's facts: a segment and its connection (this
//! module's own items, from `segment`), a control message ([`control`]), the
//! hop view ([`hop`]). The one place a translation would change: the
//! Vietnamese forms are in `render::lang`, each English function hands over to its own.

pub mod control;
pub mod hop;
mod segment;

pub use segment::*;
