//! The line of a control frame (ARP, ICMP, ICMPv6) between the segments: its
//! time, then what it says in one sentence (`words::control`), continued on
//! indented lines when it does not fit.

use colored::Colorize;

use super::fit::{plain, span};
use super::{fit_line, secs};
use crate::neighbours::ControlFrame;
use crate::render::words::control::{explain, Names};

/// The line view of a control frame: one line, or more when it does not fit `width` (0: no limit).
pub fn control(c: &ControlFrame, width: usize) -> Vec<String> {
    // Addresses as themselves: the trace knows no host names.
    let text = explain(&c.control, &Names::default(), None, c.asked);
    fit_line(
        &[span(format!("{:>10} ", secs(c.time)), plain), span(text, |t| t.magenta().to_string())],
        width,
        "",
        "    ",
    )
}
