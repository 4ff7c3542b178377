//! L4 and L7: the TCP header, its options, and the payload after it.

use pnet::packet::tcp::TcpPacket;

use super::bytes::Bytes;
use super::{bad, truncated, Ip, Skip, Tcp, TcpOptions};

/// L4 and L7: the TCP header and the payload after it. A header whose options
/// were cut (by the snap length, or before the capture: the frame itself is short)
/// is read as far as it goes, as Wireshark does: its fixed 20 bytes give the ports,
/// numbers and flags; cut before the capture, it carries no payload.
pub(super) fn tcp<'a>(b: Bytes<'a>, ip: &Ip) -> Result<(Tcp, &'a [u8], u32), Skip> {
    let data = b.data;
    let p = TcpPacket::new(data).ok_or(truncated("TCP", 20, data.len()))?;
    let header_len = usize::from(p.get_data_offset()) * 4;
    if header_len < 20 {
        return Err(bad("TCP", format!("data offset {header_len} bytes < 20")));
    }
    let cut = data.len() < header_len;
    // The payload length the IP header announces (the capture may hold less).
    let announced = if cut && b.reported() < header_len {
        0
    } else {
        ip.total_len as i64 - ip.header_len as i64 - header_len as i64
    };
    if announced < 0 {
        return Err(bad("TCP", format!("data offset {header_len} runs past the IP datagram")));
    }
    let tcp = Tcp {
        src_port: p.get_source(),
        dst_port: p.get_destination(),
        seq: p.get_sequence(),
        ack: p.get_acknowledgement(),
        flags: p.get_flags(),
        flags12: u16::from_be_bytes([data[12] & 0x0f, data[13]]),
        window: p.get_window(),
        header_len,
        options: if cut {
            TcpOptions { malformed: false, cut: true, ..options(&data[20..]) }
        } else {
            options(&data[20..header_len])
        },
    };
    Ok((tcp, data.get(header_len..).unwrap_or_default(), announced as u32))
}

/// Parses the TCP option list by hand: kind, length, value.
pub(super) fn options(mut raw: &[u8]) -> TcpOptions {
    let mut o = TcpOptions::default();
    while let Some(&kind) = raw.first() {
        match kind {
            0 => break,           // end of option list
            1 => raw = &raw[1..], // no-operation (padding)
            _ => {
                let Some(&len) = raw.get(1) else {
                    o.malformed = true;
                    break;
                };
                let len = usize::from(len);
                if len < 2 || len > raw.len() {
                    o.malformed = true;
                    break;
                }
                let v = &raw[2..len];
                match (kind, v.len()) {
                    (2, 2) => o.mss = Some(u16::from_be_bytes([v[0], v[1]])),
                    (3, 1) => o.wscale = Some(v[0]),
                    (4, 0) => o.sack_perm = true,
                    (5, n) if n % 8 == 0 => {
                        o.sack_blocks = n / 8;
                        let edge = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                        o.sack = v.chunks_exact(8).map(|b| (edge(&b[..4]), edge(&b[4..]))).collect();
                    }
                    (8, 8) => {
                        o.timestamps = Some((
                            u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
                            u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
                        ))
                    }
                    _ => {}
                }
                raw = &raw[len..];
            }
        }
    }
    o
}
