//! Classic pcap records, through pcap-file's raw records.

use std::io::{self, Read};
use std::time::Duration;

use pcap_file::pcap::PcapReader;
use pcap_file::PcapError;

use super::{len_u32, Bad, TRUNCATED};
use crate::frame::{Frame, LinkType};

pub(super) fn next_pcap(
    reader: &mut PcapReader<Box<dyn Read>>,
    link: LinkType,
    nanos: bool,
) -> Result<Option<Frame>, Bad> {
    let Some(p) = reader.next_raw_packet() else {
        return Ok(None);
    };
    let p = p.map_err(|e| Bad::Damaged(pcap_err(e)))?;
    // A fraction of a second past 10^9 ns (or 10^6 µs) is carried, as
    // libpcap and Wireshark show it, rather than refused.
    let frac = u64::from(p.ts_frac) * if nanos { 1 } else { 1000 };
    let ts = Duration::from_secs(u64::from(p.ts_sec)) + Duration::from_nanos(frac);
    let data = p.data.into_owned();
    // The length on the wire is at least what was captured.
    let orig_len = p.orig_len.max(len_u32(data.len()));
    Ok(Some(Frame { ts, link, orig_len, data }))
}

pub(super) fn pcap_err(e: PcapError) -> anyhow::Error {
    match e {
        PcapError::IncompleteBuffer => anyhow::anyhow!(TRUNCATED),
        PcapError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => anyhow::anyhow!(TRUNCATED),
        PcapError::IoError(e) => anyhow::Error::new(e),
        other => anyhow::anyhow!("{other}"),
    }
}
