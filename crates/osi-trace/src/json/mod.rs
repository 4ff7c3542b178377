//! The `--json` output as types: every record osi-trace writes is one variant
//! of [`Record`], one JSON object per line, its `type` the first key. A run
//! starts with a [`StartRecord`] that gives the [`SCHEMA`] version; then a
//! trace writes segments, connections and control frames, the hop view hops
//! and hop-only frames. The schema is these structs (documented in the README,
//! which says what bumps the version); the tests, the explorer and
//! lesson-check read the output back into the same types. After `type`, fields
//! come in the order they are declared, the order the objects have always been
//! written in (alphabetical, but for the hop records' `eth_src` before `eth_dst`).

use serde::{Deserialize, Serialize};

mod connection;
mod control;
pub mod hop;
mod segment;
mod write;

pub use connection::{ConnectionRecord, FlowRecord, RttRecord};
pub use control::ControlRecord;
pub use hop::{CopyRecord, HopOnlyRecord, HopRecord, HopTcpRecord};
pub use segment::{role_name, sack_blocks, SegmentRecord, PAYLOAD};
pub use write::SegmentWriter;

/// The version of the records' schema, in the first record of every `--json`
/// run. Bumped when a reader written for the old one could misread the new:
/// a field or record type removed or renamed, a field's type or meaning
/// changed. A new field or a new record type does not bump it.
pub const SCHEMA: u32 = 1;

/// The first record of every `--json` run: which schema the records follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRecord {
    /// [`SCHEMA`] when written.
    pub schema: u32,
}

impl Default for StartRecord {
    fn default() -> Self {
        StartRecord { schema: SCHEMA }
    }
}

/// Any line of `--json`'s output: the `type` field tells which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// `start`: the first line, with the schema version.
    Start(StartRecord),
    /// `segment`: one TCP segment.
    Segment(Box<SegmentRecord>),
    /// `connection`: one connection, when it ends (or at the end, still open).
    Connection(ConnectionRecord),
    /// `control`: an ARP, ICMP or ICMPv6 frame between the segments.
    Control(ControlRecord),
    /// `hop` (`--hop`): a datagram seen on both links of a router.
    Hop(Box<HopRecord>),
    /// `hop_only` (`--hop`): a frame seen on one link only, and why.
    HopOnly(Box<HopOnlyRecord>),
    /// A record of a type this build does not know (a newer osi-trace's, which
    /// added one without a new schema version): never written; readers skip it.
    #[serde(other)]
    Unknown,
}

impl Record {
    /// The `start` line every run begins with, newline included.
    pub fn start_line() -> String {
        // A record of two integers always serializes.
        serde_json::to_string(&Record::Start(StartRecord::default())).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `type` comes first, and the start record is what the README shows.
    #[test]
    fn the_start_line_gives_the_schema_first_thing() {
        assert_eq!(Record::start_line(), format!("{{\"type\":\"start\",\"schema\":{SCHEMA}}}\n"));
        let back: Record = serde_json::from_str(Record::start_line().trim()).unwrap();
        assert_eq!(back, Record::Start(StartRecord { schema: SCHEMA }));
    }

    /// A record type added later reads as `Unknown`, to be skipped; a known type
    /// without its fields is an error, not skipped.
    #[test]
    fn a_type_this_build_does_not_know_is_unknown() {
        let later: Record = serde_json::from_str(r#"{"type":"later","x":1}"#).unwrap();
        assert_eq!(later, Record::Unknown);
        assert!(serde_json::from_str::<Record>(r#"{"type":"segment","x":1}"#).is_err());
    }
}
