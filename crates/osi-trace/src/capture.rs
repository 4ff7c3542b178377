//! Live capture on a Linux interface (AF_PACKET), one copy of each frame,
//! filtered in the kernel. Owned by the capture work; this is its interface.

use std::time::Duration;

use crate::frame::{Frame, LinkType};

/// What to capture.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Interface name, `lo` by default.
    pub interface: String,
    /// Keep only TCP segments to or from this port (in the kernel), or all TCP when `None`.
    pub port: Option<u16>,
}

/// Counters of the kernel's packet socket, as tcpdump reports them at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames that passed the filter.
    pub received: u64,
    /// Frames the kernel dropped because the socket's buffer was full.
    pub dropped: u64,
}

/// An open live capture.
#[derive(Debug)]
pub struct LiveCapture {
    link: LinkType,
}

impl LiveCapture {
    /// Opens the capture; errors carry a hint (permission, unknown interface).
    pub fn open(opts: &LiveOptions) -> anyhow::Result<LiveCapture> {
        anyhow::bail!("live capture on {} is not built yet", opts.interface)
    }

    /// The next frame, or `None` when `timeout` passed without one, so the
    /// caller can check Ctrl-C and `--duration` between frames.
    pub fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Frame>> {
        let _ = timeout;
        Ok(None)
    }

    /// Kernel counters so far.
    pub fn stats(&mut self) -> anyhow::Result<CaptureStats> {
        Ok(CaptureStats::default())
    }

    /// The link type of every frame this capture returns.
    pub fn link(&self) -> LinkType {
        self.link
    }
}
