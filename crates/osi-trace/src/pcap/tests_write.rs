//! The writer on frames that mix link types: the pcap it began becomes a
//! whole pcapng, never half a file.

use std::time::Duration;

use super::tests::read;
use super::CaptureWriter;
use crate::frame::{Frame, LinkType};

fn frame(link: LinkType, i: u8) -> Frame {
    Frame {
        ts: Duration::new(1_700_000_000 + u64::from(i), 123_456_789),
        link,
        orig_len: 60 + u32::from(i),
        data: vec![i; 40 + usize::from(i)],
    }
}

#[test]
fn frames_of_a_second_link_type_turn_the_file_into_pcapng() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("mixed.pcap");
    let links =
        [LinkType::Ethernet, LinkType::Ethernet, LinkType::RawIp, LinkType::Ethernet, LinkType::LinuxSll2];
    let frames: Vec<Frame> = links.iter().zip(0..).map(|(l, i)| frame(*l, i)).collect();
    let mut w = CaptureWriter::create(&path, LinkType::Ethernet, 262_144)?;
    for (n, f) in frames.iter().enumerate() {
        w.write(f)?;
        w.flush()?;
        // A whole capture file after every frame.
        assert_eq!(read(std::fs::read(&path)?)?.len(), n + 1, "after frame {}", n + 1);
    }
    assert!(w.is_pcapng());
    drop(w);
    let bytes = std::fs::read(&path)?;
    assert_eq!(bytes[..4], [0x0a, 0x0d, 0x0d, 0x0a], "pcapng");
    let back = read(bytes)?;
    // The two frames written as pcap keep microseconds; the rest keep nanoseconds.
    let mut want = frames.clone();
    for f in &mut want[..2] {
        f.ts = Duration::new(f.ts.as_secs(), f.ts.subsec_micros() * 1000);
    }
    assert_eq!(back, want);
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1, "no temporary file left");

    if harness::require!(harness::Need::Tool("tshark")) {
        let out = std::process::Command::new("tshark")
            .arg("-r")
            .arg(&path)
            .args(["-T", "fields", "-e", "frame.interface_id"])
            .output()?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>(),
            ["0", "0", "1", "0", "2"]
        );
    }
    Ok(())
}
