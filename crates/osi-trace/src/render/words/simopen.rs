//! The words of a simultaneous open (RFC 9293 §3.5): both ends called connect(), or
//! one socket connected to its own address and port (a self-connect: `src` is `dst`).
//! Each English phrase hands over to its Vietnamese in `lang::simopen`.

use std::fmt;

use kit::lang::vi;

use crate::analysis::{Annotated, Side};
use crate::render::lang::simopen as vi_words;

/// The role of a segment of a simultaneous open, `step` 1 (SYN), 2 (SYN+ACK), 3 (ACK).
pub(super) fn describe(step: u8, again: bool, from: Side, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if vi() {
        return vi_words::describe(step, again, from, f);
    }
    let who = from.name();
    match (step, again) {
        (1, _) => write!(f, "simultaneous open: {who}'s SYN (both ends called connect())"),
        (2, false) => write!(f, "simultaneous open: {who}'s SYN+ACK"),
        (2, true) => write!(f, "simultaneous open: {who}'s SYN+ACK again"),
        _ => write!(f, "simultaneous open: {who}'s ACK, {who} ESTABLISHED"),
    }
}

/// What sent it: connect() (the SYN), or the kernel inside connect(). A copy sent by
/// the timer is said as every retransmission is, before this is asked.
pub(super) fn cause(n: &Annotated, step: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let one = n.src == n.dst;
    if vi() {
        return vi_words::cause(n, step, one, f);
    }
    let (who, peer) = (n.from.name(), n.from.other().name());
    match (step, one) {
        (1, true) => write!(
            f,
            "{who}'s connect(), to its own address and port: a self-connect, one socket is both client \
             and server, and its SYN comes back to it"
        ),
        (1, false) => write!(f, "{who}'s connect()"),
        (2, true) => write!(
            f,
            "{who}'s kernel, inside connect(): its own SYN came back while it waited in SYN_SENT, so it \
             answers SYN+ACK, to itself"
        ),
        (2, false) => write!(
            f,
            "{who}'s kernel, inside connect(): the {peer}'s SYN came while it waited in SYN_SENT, so it \
             answers SYN+ACK"
        ),
        (_, true) => write!(
            f,
            "{who}'s kernel: its own SYN+ACK came back and ACKs its SYN, so it is ESTABLISHED and \
             connect() returns; it ACKs at once"
        ),
        (_, false) => write!(
            f,
            "{who}'s kernel: the {peer}'s SYN+ACK ACKs its SYN, so it is ESTABLISHED and its connect() \
             returns; it ACKs at once"
        ),
    }?;
    if step == 2 && n.is_retransmission() {
        f.write_str(" (Wireshark calls it a retransmission: it repeats the SYN's sequence number)")?;
    }
    if step == 3 && n.seg.tcp.dsack() == Some(true) {
        f.write_str("; its D-SACK block says the SYN in that SYN+ACK came twice")?;
    }
    Ok(())
}

/// Why the server's state is `?` before its own SYN in a split handshake.
pub(super) fn ack_before_syn() -> &'static str {
    if vi() {
        return vi_words::ACK_BEFORE_SYN;
    }
    "it ACKs the SYN before it sends its own, a split handshake: no state of RFC 9293 does that"
}
