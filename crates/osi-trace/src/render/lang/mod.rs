//! The Vietnamese forms of osi-trace's words, one file per family of phrases,
//! beside the English they translate: each English word function asks
//! [`kit::lang::vi`] once and hands over here. The facts, numbers, TCP state
//! names, flags and socket calls are the English's, unchanged.

pub mod closing;
pub mod control;
pub mod files;
pub mod graph;
pub mod hop;
pub mod layers;
pub mod segment;
pub mod simopen;
pub mod summary;
