//! The `--ladder` view: a time-sequence diagram per connection, client on the
//! left, server on the right, each segment an arrow labelled with its flags
//! and numbers, both ends' states beside it. The arrow narrows to fit the width.
//! Captured on several links, each arrow ends with the link its segment was
//! seen on (`[va]`), in a column of its own after the server's state.

use std::fmt::Write as _;

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{self, plain, span, Paint};
use super::{flag_names, secs};
use crate::analysis::{Annotated, Role, Side, State};

/// Width of the arrow between the two columns of a ladder, when there is room.
const LADDER: usize = 44;
/// The columns around the arrow: time, gaps, the client's and the server's state.
const AROUND: usize = 10 + 2 + 12 + 1 + 1 + 12;

/// The arrow's width in a view `width` wide (0: no limit).
fn arrow_width(width: usize) -> usize {
    if width == 0 {
        LADDER
    } else {
        width.saturating_sub(AROUND).clamp(8, LADDER)
    }
}

/// The columns a link's tag takes after the server's state: two spaces and `[name]`.
fn link_width(link: Option<&str>) -> usize {
    link.map_or(0, |l| 2 + fit::width(&tag(l)))
}

fn tag(link: &str) -> String {
    format!("[{link}]")
}

/// The heading of a connection's ladder diagram.
/// `first` is the connection's first segment: the states before it follow from it.
/// `link`: the link `first` was seen on, when there are several (a `link` column then).
pub fn ladder_head(first: &Annotated, width: usize, link: Option<&str>) -> Vec<String> {
    let (client, server) = first.endpoints();
    // Joined after the handshake, no end's state is known (the title says so).
    let before = if first.joined_late {
        (State::Unknown, State::Unknown)
    } else {
        // A refused SYN found no socket at all: the server end was never LISTENing.
        let server = match first.server_state {
            State::Closed | State::Unknown => first.server_state,
            _ => State::Listen,
        };
        (State::Closed, server)
    };
    let w = arrow_width(width.saturating_sub(link_width(link)));
    let joined = if first.joined_late { super::joined_note() } else { "" };
    let title = format!("stream {}: client {client} ⇄ server {server}{joined}", first.stream);
    let mut head = super::fit_line(&[super::fit::span(title, |t| t.bold().to_string())], width, "", "    ");
    let (time, link_head) = super::words::ladder::heads();
    let names = format!("{time:>10}  {:<12} {:^w$} {}", "client", "", "server");
    head.push(match link {
        Some(_) => format!("{names:<width$}  {link_head}", width = 10 + 2 + 12 + 1 + w + 1 + 12),
        None => names,
    });
    head.push(format!("{:>10}  {:<12} {:^w$} {}", "", before.0, "", before.1));
    head
}

/// One arrow of a ladder diagram (and its label above it, when the arrow is too short).
/// `link`: the link the segment was seen on, when there are several.
pub fn ladder_row(n: &Annotated, width: usize, link: Option<&str>) -> Vec<String> {
    let seg = &n.seg;
    let mut label = format!("{} seq={}", flag_names(seg.tcp.flags).to_string().replace(", ", "+"), n.seq);
    if let Some(a) = n.ack {
        let _ = write!(label, " ack={a}");
    }
    if n.len > 0 {
        let _ = write!(label, " len={}", n.len);
    }
    for a in &n.analysis {
        let _ = write!(label, " [{}]", a.field());
    }
    // The link's column comes out of the arrow's room, so the row still fits.
    let width = if width == 0 { 0 } else { width.saturating_sub(link_width(link)).max(1) };
    let mut w = arrow_width(width);
    let need = label.chars().count() + 4;
    // The arrow stretches to its label while the row fits; past that the label
    // goes on the line above it, at the arrow's column.
    let apart = width != 0 && need > w && AROUND + need > width;
    if !apart {
        w = w.max(need);
    }
    let inside = if apart { String::new() } else { label.clone() };
    let room = w.saturating_sub(inside.chars().count() + 4);
    let (l, r) = (room / 2, room - room / 2);
    let body = match (n.from, apart) {
        (Side::Client, false) => format!("─{} {inside} {}▶", "─".repeat(l), "─".repeat(r)),
        (Side::Server, false) => format!("◀{} {inside} {}─", "─".repeat(l), "─".repeat(r)),
        (Side::Client, true) => format!("{}▶", "─".repeat(w - 1)),
        (Side::Server, true) => format!("◀{}", "─".repeat(w - 1)),
    };
    let paint: Paint = match n.role {
        Role::Refused | Role::Reset | Role::StaleReset => |t| Ink::Red.paint(t).to_string(),
        Role::Handshake(_)
        | Role::HandshakeAck { .. }
        | Role::Simultaneous { .. }
        | Role::Fin { .. }
        | Role::FinAck { .. } => |t| Ink::Yellow.paint(t).to_string(),
        Role::Data { .. } => |t| Ink::Green.paint(t).to_string(),
        _ => plain,
    };
    let mut rows = Vec::new();
    if apart {
        let column = " ".repeat(10 + 2 + 12 + 1);
        rows.extend(fit::wrap(&[span(label, paint)], width, &column, &column));
    }
    let row = format!("{:>10}  {:<12} {}", secs(n.time), n.client_state.to_string(), paint(&body));
    rows.push(match link {
        // The server's state padded to the longest (SYN_RECEIVED), so the links line up.
        Some(l) => format!("{row} {:<12}  {}", n.server_state.to_string(), Ink::Cyan.paint(tag(l).as_str())),
        None => format!("{row} {}", n.server_state),
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;
    use crate::decode::craft::{frame, SYN_OPTIONS};
    use crate::decode::flags::{ACK, PSH, SYN};
    use crate::decode::segment;

    /// (source port, destination port, seq, ack, flags, TCP options, payload)
    type Seg = (u16, u16, u32, u32, u8, &'static [u8], &'static [u8]);

    /// A handshake and "Hello" with a long label, annotated.
    fn rows() -> Vec<Annotated> {
        let mut a = Analyzer::new();
        let (c, s) = (45678, 65432);
        let segs: [Seg; 4] = [
            (c, s, 1000, 0, SYN, &SYN_OPTIONS, b""),
            (s, c, 9000, 1001, SYN | ACK, &SYN_OPTIONS, b""),
            (c, s, 1001, 9001, ACK, &[], b""),
            (c, s, 1001, 9001, PSH | ACK, &[], b"Hello"),
        ];
        let t0 = frame(0, c, s, 0, 0, 0, 0, &[], b"").ts;
        segs.iter()
            .enumerate()
            .map(|(i, &(sp, dp, seq, ack, fl, opts, data))| {
                let f = frame(i as u64, sp, dp, seq, ack, fl, 65000, opts, data);
                a.push(i as u64 + 1, f.ts - t0, segment(&f).expect("a crafted TCP frame"))
            })
            .collect()
    }

    /// The text as a terminal shows it, without colour codes.
    fn visible(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(ch) = chars.next() {
            if ch == '\x1b' {
                chars.by_ref().find(|&c| c == 'm');
            } else {
                out.push(ch);
            }
        }
        out
    }

    #[test]
    fn on_several_links_each_arrow_ends_with_its_link_and_still_fits() {
        let rows = rows();
        for width in [0, 120, 100, 80, 60] {
            let mut lines = ladder_head(&rows[0], width, Some("veth-long0"));
            assert!(visible(&lines[1]).ends_with("  link"), "{width}: {lines:?}");
            for n in &rows {
                let arrow = ladder_row(n, width, Some("veth-long0"));
                let last = visible(arrow.last().expect("an arrow"));
                assert!(last.ends_with("  [veth-long0]"), "{width}: {arrow:?}");
                lines.extend(arrow);
            }
            for l in &lines {
                assert!(width == 0 || visible(l).chars().count() <= width, "{width}: {l:?}");
            }
        }
    }

    #[test]
    fn on_one_link_the_ladder_says_no_link() {
        for n in rows() {
            for l in ladder_head(&n, 100, None).iter().chain(&ladder_row(&n, 100, None)) {
                assert!(!visible(l).contains('[') && !visible(l).ends_with("link"), "{l:?}");
            }
        }
    }
}
