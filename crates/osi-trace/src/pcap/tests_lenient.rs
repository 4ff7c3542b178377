//! Files tcpdump and tshark read whole, each odd in one way, on crafted bytes:
//! osi-trace reads them whole too, and says once what was odd.

use std::io;
use std::time::Duration;

use super::tests::{pcap, read, Ng};
use super::CaptureReader;
use crate::decode::{segment, Skip};
use crate::frame::LinkType;

/// Reads every frame of `bytes`, and the notes the reader gave.
fn read_with_notes(bytes: Vec<u8>) -> anyhow::Result<(Vec<crate::frame::Frame>, Vec<String>)> {
    let mut r = CaptureReader::from_reader(io::Cursor::new(bytes))?;
    let frames = r.by_ref().collect::<anyhow::Result<Vec<_>>>()?;
    Ok((frames, r.take_notes()))
}

#[test]
fn a_header_snap_length_of_zero_is_no_limit() -> anyhow::Result<()> {
    let f = read(pcap(false, false, 0, 1, &[(1, 0, 1514, &[7; 1514])]))?;
    assert_eq!((f.len(), f[0].data.len()), (1, 1514));
    Ok(())
}

#[test]
fn records_longer_than_the_header_snap_length_are_read_whole() -> anyhow::Result<()> {
    let f = read(pcap(true, false, 64, 1, &[(1, 0, 200, &[7; 200]), (2, 0, 60, &[8; 60])]))?;
    assert_eq!(f.iter().map(|f| f.data.len()).collect::<Vec<_>>(), [200, 60]);
    Ok(())
}

#[test]
fn a_captured_length_above_the_wire_length_raises_the_wire_length() -> anyhow::Result<()> {
    let f = read(pcap(false, true, 65535, 1, &[(1, 0, 20, &[7; 60])]))?;
    assert_eq!((f[0].orig_len, f[0].data.len()), (60, 60));
    Ok(())
}

#[test]
fn a_fraction_of_a_second_out_of_range_is_carried_and_noted_once() -> anyhow::Result<()> {
    let recs: [(u32, u32, u32, &[u8]); 3] =
        [(1, 1_000_000, 1, &[1]), (1, 2_500_000, 1, &[1]), (1, 999_999, 1, &[1])];
    let (f, notes) = read_with_notes(pcap(false, false, 65535, 1, &recs))?;
    let ts: Vec<Duration> = f.iter().map(|f| f.ts).collect();
    assert_eq!(ts, [Duration::new(2, 0), Duration::new(3, 500_000_000), Duration::new(1, 999_999_000)]);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("1000000 µs"), "{notes:?}");
    Ok(())
}

#[test]
fn old_raw_ip_numbers_and_ppp_are_read() -> anyhow::Result<()> {
    for (number, want) in [(12, LinkType::RawIp), (14, LinkType::RawIp), (9, LinkType::Ppp)] {
        let f = read(pcap(false, false, 65535, number, &[(1, 0, 4, &[0x45, 0, 0, 20])]))?;
        assert_eq!(f[0].link, want, "link type {number}");
    }
    Ok(())
}

/// libpcap's LT_FCS_DATALINK_EXT(2): Ethernet whose frames end in a 4-byte FCS.
#[test]
fn fcs_length_bits_are_masked_and_the_fcs_stripped() -> anyhow::Result<()> {
    let f = read(pcap(false, false, 65535, 0x2400_0001, &[(1, 0, 64, &[7; 64]), (1, 0, 1514, &[7; 96])]))?;
    assert_eq!(f[0].link, LinkType::Ethernet);
    assert_eq!((f[0].orig_len, f[0].data.len()), (60, 60), "a whole frame loses its FCS");
    assert_eq!((f[1].orig_len, f[1].data.len()), (1514, 96), "a cut frame has no FCS in it");
    // Upper bits without the FCS-present bit: only the link type counts.
    let f = read(pcap(false, false, 65535, 0x3000_0001, &[(1, 0, 64, &[7; 64])]))?;
    assert_eq!((f[0].link, f[0].data.len()), (LinkType::Ethernet, 64));
    Ok(())
}

#[test]
fn pcapng_if_tzone_unknown_blocks_and_non_utf8_names_are_read() -> anyhow::Result<()> {
    let mut n = Ng::new(false);
    n.idb(1, 0, &[(10, &[0, 0, 0x0e, 0x10]), (2, &[0xc3, 0x28, b'x']), (3, &[0xff])], true)
        .block(0x0bad_cafe, &[1; 12])
        .block(7, &[0; 8]) // an Interface Statistics-like block number that is not one
        .epb(0, 1_000_000, 60, &[1; 60]);
    let f = read(n.v)?;
    assert_eq!((f.len(), f[0].ts), (1, Duration::from_secs(1)));
    Ok(())
}

/// A pcapng whose second interface is of a link type osi-trace does not
/// decode: its frames come through marked, the decoder skips them with a
/// reason, the frames after are read, and a note says it once.
#[test]
fn a_frame_of_an_unsupported_link_type_in_mid_file_is_skipped_not_the_end() -> anyhow::Result<()> {
    let mut n = Ng::new(false);
    n.idb(1, 0, &[], true)
        .idb(147, 0, &[], true)
        .epb(0, 1, 60, &[1; 60])
        .epb(1, 2, 5, &[9; 5])
        .epb(1, 3, 5, &[9; 5])
        .epb(0, 4, 60, &[1; 60]);
    let (f, notes) = read_with_notes(n.v)?;
    assert_eq!(f.len(), 4);
    assert_eq!(f[1].link, LinkType::Unsupported(147));
    assert_eq!(segment(&f[1]), Err(Skip::UnsupportedLink(147)));
    assert_eq!(
        segment(&f[1]).map(|_| ()).unwrap_err().to_string(),
        "link type 147, which osi-trace does not decode"
    );
    assert_eq!(f[3].link, LinkType::Ethernet);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("interface 1 of the pcapng file: unsupported link type 147"), "{notes:?}");
    Ok(())
}

#[test]
fn a_huge_captured_length_is_damage_not_an_allocation() {
    let mut v = pcap(false, false, 65535, 1, &[]);
    for x in [1u32, 0, 0x7fff_ffff, 0x7fff_ffff] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    let e = read(v).expect_err("damaged");
    assert!(format!("{e:#}").contains("a record of 2147483647 captured bytes"), "{e:#}");
}
