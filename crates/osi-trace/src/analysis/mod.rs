//! Analysis: decoded segments → connections, explained. Pure code: no I/O, no
//! clock, no words (the facts are enums; `render` turns them into English).
//!
//! One concern per file; `streams` finds each segment's connection, then `step`
//! calls the others in this order:
//! - `sequence`: relative sequence/acknowledgement numbers and the window scale;
//! - `expert`: Wireshark's TCP analysis flags, with the same meaning;
//! - `roles`: what the segment does (handshake step, data, ACK, FIN, RST…);
//! - `states`: both ends' TCP states after it (`simopen`: where both ends sent a SYN);
//! - `rtt`: the RTT sample of its ACK (Wireshark's `ack_rtt`), RFC 6298's estimate
//!   and the handshake's timing;
//! - then `sequence::record_sent` notes what its sender has now sent.
//!
//! Reading a file, `lookahead` holds the rows behind a SYN until its answer
//! tells what the SYN did to the server (live, the server shows `?` until then).
//!
//! The imports form a tree, no circle: `conn` holds the record they share; the
//! leaves are `facts` (the types handed to rendering), `estimate` (RFC 6298's
//! values) and `decode::seqnum` (sequence-number arithmetic).

mod conn;
mod estimate;
mod expert;
mod facts;
mod lookahead;
mod roles;
mod rtt;
mod sequence;
mod simopen;
mod states;
mod step;
mod streams;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_wireshark;

pub use estimate::{AckRtt, Estimate, RoundTrips, G, LINUX_RTO_MIN, RFC_RTO_MIN};
pub use facts::{Annotated, Anomaly, End, Event, Flow, Role, Side, State, Summary};
pub use lookahead::{Lookahead, HOLD, LIVE_WAIT};
pub use streams::{Analyzer, KEEP_ENDED, MAX_OPEN};
