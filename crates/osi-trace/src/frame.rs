//! A captured frame, before any decoding: the seam between the sources
//! (live capture, pcap files) and the pure decoding and analysis code.

use std::time::Duration;

/// One captured frame, as it came off the wire or out of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Capture time, since the Unix epoch.
    pub ts: Duration,
    /// The link-layer header type of `data`.
    pub link: LinkType,
    /// The frame's length on the wire; more than `data.len()` when the capture cut it.
    pub orig_len: u32,
    /// The bytes captured, starting with the link-layer header.
    pub data: Vec<u8>,
}

/// Link-layer header types the decoder understands (pcap LINKTYPE_* values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1): what `lo` and `veth` give on Linux.
    Ethernet,
    /// LINKTYPE_LINUX_SLL (113): "Linux cooked", what `tcpdump -i any` wrote before libpcap 1.10.
    LinuxSll,
    /// LINKTYPE_LINUX_SLL2 (276): what `tcpdump -i any` writes now.
    LinuxSll2,
    /// LINKTYPE_RAW (101; DLT_RAW 12 or 14 in old files) and LINKTYPE_IPV4/IPV6
    /// (228/229): the frame starts with the IP header.
    RawIp,
    /// LINKTYPE_NULL (0): BSD loopback, a 4-byte address family in host order.
    Null,
    /// LINKTYPE_PPP (9): a PPP protocol number (after an optional 0xff 0x03), then the packet.
    Ppp,
    /// LINKTYPE_IPOIB (242): IP over InfiniBand, a 44-byte header ending in an EtherType.
    IpOverIb,
    /// A link type osi-trace does not decode (its number), e.g. one interface
    /// of a pcapng file that mixes link types: such frames are skipped.
    Unsupported(u32),
}
