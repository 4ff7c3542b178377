//! Unit tests of IP fragment reassembly, on crafted fragments.

use std::time::Duration;

use super::craft::frame;
use super::flags::*;
use super::*;
use crate::frame::LinkType;

/// A TCP segment of `len` payload bytes in IPv4 fragments of `chunk` bytes
/// (a multiple of 8), as raw-IP frames at `t` seconds, IP id `id`.
fn v4_fragments(id: u16, len: usize, chunk: usize, t: u64) -> Vec<Frame> {
    let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
    let whole = frame(0, 1234, 80, 7, 9, PSH | ACK, 512, &[], &payload).data[14..].to_vec();
    let transport = &whole[20..];
    let pieces: Vec<&[u8]> = transport.chunks(chunk).collect();
    let n = pieces.len();
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut h = whole[..20].to_vec();
            h[2..4].copy_from_slice(&((20 + piece.len()) as u16).to_be_bytes());
            h[4..6].copy_from_slice(&id.to_be_bytes());
            let off = (i * chunk / 8) as u16 | if i + 1 < n { 0x2000 } else { 0 };
            h[6..8].copy_from_slice(&off.to_be_bytes());
            h.extend_from_slice(piece);
            Frame { ts: Duration::from_secs(t), link: LinkType::RawIp, orig_len: h.len() as u32, data: h }
        })
        .collect()
}

#[test]
fn the_frame_that_completes_the_datagram_carries_the_segment() {
    let frags = v4_fragments(1, 3000, 1480, 0);
    assert_eq!(frags.len(), 3);
    let mut d = Decoder::new();
    assert_eq!(d.decode(&frags[0]).and_then(Decoded::tcp), Err(Skip::Fragment));
    assert_eq!(d.decode(&frags[1]).and_then(Decoded::tcp), Err(Skip::Fragment));
    let s = d.decode(&frags[2]).and_then(Decoded::tcp).unwrap();
    assert_eq!((s.tcp.src_port, s.tcp.seq, s.payload_len, s.payload.len()), (1234, 7, 3000, 3000));
    assert_eq!(s.payload[2999], (2999 % 256) as u8);
    assert_eq!((s.ip.total_len, s.ip.length), (3040, IpLength::Reassembled { fragments: 3 }));
    assert_eq!(d.defrag_stats(), DefragStats { reassembled: 1, dropped: 0 });
    // Without memory, every piece is skipped.
    assert!(frags.iter().all(|f| decode(f) == Err(Skip::Fragment)));
}

#[test]
fn pieces_out_of_order_and_interleaved_datagrams() {
    let (a, b) = (v4_fragments(1, 2000, 800, 0), v4_fragments(2, 1000, 512, 0));
    let mut d = Decoder::new();
    let order = [&a[2], &b[1], &a[0], &b[0], &a[1]];
    let results: Vec<_> =
        order.iter().map(|f| d.decode(f).and_then(Decoded::tcp).map(|s| s.payload_len)).collect();
    assert_eq!(results, [Err(Skip::Fragment), Err(Skip::Fragment), Err(Skip::Fragment), Ok(1000), Ok(2000)]);
}

#[test]
fn ipv6_fragment_headers_are_reassembled() {
    let payload = [5u8; 100];
    let tcp = frame(0, 1234, 80, 7, 9, ACK, 512, &[], &payload).data[34..].to_vec();
    let (first, second) = tcp.split_at(64);
    let piece = |off: u16, more: bool, data: &[u8]| {
        let mut d = vec![0x60, 0, 0, 0];
        d.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        d.extend_from_slice(&[44, 64]);
        d.extend_from_slice(&[0; 15]);
        d.push(1);
        d.extend_from_slice(&[0; 15]);
        d.push(2);
        d.extend_from_slice(&[6, 0]);
        d.extend_from_slice(&(off | u16::from(more)).to_be_bytes());
        d.extend_from_slice(&[0, 0, 0, 77]);
        d.extend_from_slice(data);
        Frame { ts: Duration::ZERO, link: LinkType::RawIp, orig_len: d.len() as u32, data: d }
    };
    let mut d = Decoder::new();
    assert_eq!(d.decode(&piece(0, true, first)).and_then(Decoded::tcp), Err(Skip::Fragment));
    let s = d.decode(&piece(64, false, second)).and_then(Decoded::tcp).unwrap();
    assert_eq!((s.payload_len, s.ip.src.to_string()), (100, "::1".to_string()));
}

/// Linux's ipfrag_time: pieces older than 30 s (capture time) are dropped.
#[test]
fn an_incomplete_datagram_expires_after_30_seconds() {
    let early = v4_fragments(1, 1980, 1000, 100);
    let late = v4_fragments(1, 1980, 1000, 131);
    let mut d = Decoder::new();
    assert_eq!(d.decode(&early[0]).and_then(Decoded::tcp), Err(Skip::Fragment));
    assert_eq!(d.decode(&late[1]).and_then(Decoded::tcp), Err(Skip::Fragment), "the first piece expired");
    assert_eq!(d.defrag_stats().dropped, 1);
    // 29 s after the held piece: in time, it completes the datagram.
    let in_time = v4_fragments(1, 1980, 1000, 160);
    assert_eq!(d.decode(&in_time[0]).and_then(Decoded::tcp).map(|s| s.payload_len), Ok(1980));
}

/// A flood of first pieces that never complete stays within the bound, and
/// a datagram after it is still put together.
#[test]
fn memory_is_bounded_under_a_flood_of_incomplete_datagrams() {
    let mut d = Decoder::new();
    for id in 0..20_000u16 {
        let f = v4_fragments(id, 1980, 1000, 0);
        assert_eq!(d.decode(&f[0]).and_then(Decoded::tcp), Err(Skip::Fragment));
    }
    assert!(d.defrag.bytes <= 4 << 20, "{} bytes held", d.defrag.bytes);
    assert!(d.defrag.pending.len() <= 4096);
    assert!(d.defrag_stats().dropped >= 20_000 - 4096);
    let f = v4_fragments(60_000, 1980, 1000, 1);
    assert!(d.decode(&f[0]).and_then(Decoded::tcp).is_err());
    assert_eq!(d.decode(&f[1]).and_then(Decoded::tcp).map(|s| s.payload_len), Ok(1980));
}

/// A first piece that is not all in the frame can never be reassembled:
/// Wireshark decodes what it holds, and so does osi-trace; later pieces are skipped.
#[test]
fn a_first_piece_not_all_captured_is_decoded_as_it_is() {
    let mut f = v4_fragments(1, 1980, 1000, 0);
    f[0].data.truncate(96);
    f[0].orig_len = 1020;
    let mut d = Decoder::new();
    let s = d.decode(&f[0]).and_then(Decoded::tcp).unwrap();
    assert_eq!((s.tcp.seq, s.payload_len, s.payload.len()), (7, 980, 56));
    assert_eq!(d.defrag.bytes, 0);
    assert_eq!(d.decode(&f[1]).and_then(Decoded::tcp), Err(Skip::Fragment), "the first piece is missing");
    // Shorter than its header says, on the wire: the same.
    f[0].orig_len = 96;
    assert_eq!(d.decode(&f[0]).and_then(Decoded::tcp).map(|s| s.payload.len()), Ok(56));
}
