//! Builders of valid frames, for the tests of this crate and of the analysis.

use crate::frame::{Frame, LinkType};
use std::time::Duration;

/// A loopback Ethernet + IPv4 + TCP frame.
#[allow(clippy::too_many_arguments)]
pub fn frame(
    ms: u64,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    options: &[u8],
    payload: &[u8],
) -> Frame {
    let tcp_len = 20 + options.len();
    let total = 20 + tcp_len + payload.len();
    let mut d = vec![0u8; 12];
    d.extend_from_slice(&[0x08, 0x00]);
    d.extend_from_slice(&[0x45, 0, (total >> 8) as u8, total as u8, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0]);
    d.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
    d.extend_from_slice(&sport.to_be_bytes());
    d.extend_from_slice(&dport.to_be_bytes());
    d.extend_from_slice(&seq.to_be_bytes());
    d.extend_from_slice(&ack.to_be_bytes());
    d.push(((tcp_len / 4) as u8) << 4);
    d.push(flags);
    d.extend_from_slice(&window.to_be_bytes());
    d.extend_from_slice(&[0, 0, 0, 0]);
    d.extend_from_slice(options);
    d.extend_from_slice(payload);
    Frame {
        ts: Duration::from_millis(1_700_000_000_000 + ms),
        link: LinkType::Ethernet,
        orig_len: d.len() as u32,
        data: d,
    }
}

/// MSS 65495, SACK permitted, timestamps, window scale 7: what Linux puts in a SYN on lo.
pub const SYN_OPTIONS: [u8; 20] = [2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
