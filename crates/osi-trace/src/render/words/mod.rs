//! Every English phrase osi-trace prints, one module per view, made from the
//! decoder's and the analysis's facts: a segment and its connection (this
//! module's own items, from `segment`), a control message ([`control`]), the
//! hop view ([`hop`]), the layers of `--layers` ([`layers`]), the ladder's
//! heads ([`ladder`]), the `--tsg` graph ([`graph`]), the files read and
//! written ([`files`]). The one place a translation would change: each English
//! function asks [`kit::lang::vi`] and hands over to its Vietnamese in
//! `render::lang`; a phrase of a few words keeps its Vietnamese beside it.

pub mod control;
pub mod files;
pub mod graph;
pub mod hop;
pub mod ladder;
pub mod layers;
pub mod notes;
mod segment;
mod simopen;

pub use segment::*;
