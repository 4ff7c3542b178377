//! What only the page needs, as typed records next to `--json`'s: each
//! frame's bytes and layers ([`FrameRecord`]), the field meanings, the
//! programs' listings, and the page's own facts ([`PageRecord`]). The
//! segment, connection, control and hop records are `--json`'s own types.

use serde::{Deserialize, Serialize};

use crate::json::Record;

/// One header field: where it lies in the frame and what it holds. Written as
/// an array `[field, offset, length, value]`: a page holds some twenty per
/// frame, and names repeated in each would make it a third larger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "FieldTuple", from = "FieldTuple")]
pub struct FieldRecord {
    /// Wireshark's field name (`ip.ttl`, `tcp.seq`, …), the key of its meaning.
    pub field: String,
    /// Bytes from the frame's start, and how many, as tshark's PDML `pos` and `size`.
    pub length: usize,
    pub offset: usize,
    /// The value, as osi-trace reads it.
    pub value: String,
}

/// A [`FieldRecord`] as the page holds it.
type FieldTuple = (String, usize, usize, String);

impl From<FieldRecord> for FieldTuple {
    fn from(f: FieldRecord) -> FieldTuple {
        (f.field, f.offset, f.length, f.value)
    }
}

impl From<FieldTuple> for FieldRecord {
    fn from((field, offset, length, value): FieldTuple) -> FieldRecord {
        FieldRecord { field, length, offset, value }
    }
}

/// One layer's header (or the payload): its byte range and fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    pub fields: Vec<FieldRecord>,
    /// `L2`, `L2.5`, `L3`, `L4` or `L7`.
    pub layer: String,
    pub length: usize,
    /// e.g. `Ethernet`, `IPv4`, `TCP`, `802.1Q VLAN tag`.
    pub name: String,
    pub offset: usize,
    /// The layer in one line, as `--layers` says it.
    pub text: String,
}

/// One frame's bytes and layers (a segment's, or a hop copy's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRecord {
    /// The first [`super::MAX_FRAME_BYTES`] captured bytes, in hex.
    pub bytes: String,
    /// Bytes the capture held (before the page's cap).
    pub captured: usize,
    /// Frame number in its file (`frame.number`).
    pub frame: u64,
    pub layers: Vec<LayerRecord>,
    /// Hop pages: the link's name; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The frame's length on the wire.
    pub wire: u32,
}

/// A program's source, embedded for the code pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingRecord {
    /// Its path in the repository, e.g. `crates/client/src/main.rs`.
    pub file: String,
    /// The program it belongs to, e.g. `client`.
    pub program: String,
    /// `client` or `server`: the end it plays.
    pub side: String,
    pub text: String,
}

/// Where a segment's socket call is in a program's listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The call, as the segment record's `call`.
    pub call: String,
    pub file: String,
    /// Of a `close`: `close` (the socket dropped) or `shutdown` (shutdown(SHUT_WR), which
    /// only some runs take); left out for the other calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// 1-based line numbers of the calls found, in file order.
    pub lines: Vec<usize>,
    pub program: String,
}

/// The page's own facts: what it shows and what it left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    /// At most this many segments (or hop rows) are on the page.
    pub cap: usize,
    /// Frames' bytes beyond this many are left out.
    pub frame_bytes: usize,
    /// Segments (or hop rows) not on the page because of `cap`.
    pub left_out: u64,
    /// Hop pages: the two links' names; empty otherwise.
    pub links: Vec<String>,
    /// `trace` or `hop`.
    pub mode: String,
    /// The programs named by `--programs`, in order.
    pub programs: Vec<String>,
    /// `--stream N`: the one connection on the page; null for all.
    pub stream: Option<u64>,
    /// Where the frames came from (file names, or interfaces), escaped as the terminal shows them.
    pub source: String,
}

/// Everything the page holds: its scripts read this one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageData {
    /// The FINs and RSTs whose close call the capture proves (`super::closes`): frame →
    /// `close` or `shutdown`; the others could be either of a program's close sites.
    pub closes: std::collections::BTreeMap<u64, String>,
    pub code: Vec<CodeRecord>,
    /// Field name → (label, meaning).
    pub fields: std::collections::BTreeMap<String, (String, String)>,
    pub frames: Vec<FrameRecord>,
    /// `--hop --json`'s lines after the start record, in order (hop pages).
    pub hop: Vec<Record>,
    pub listings: Vec<ListingRecord>,
    pub page: PageRecord,
    /// `--json`'s lines after the start record, in order (trace pages).
    pub records: Vec<Record>,
    /// The page's own words in its language (`super::words`): name → text.
    pub words: std::collections::BTreeMap<String, String>,
}
