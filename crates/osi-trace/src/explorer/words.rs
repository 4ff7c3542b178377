//! The explorer page's own words, in English (the Vietnamese in [`super::words_vi`]):
//! the labels of its controls and panes, and the sentences its scripts write,
//! keyed by name. The page carries the table of its language (`words` in its
//! data); the template's `{{w:NAME}}` marks and the scripts' `say('NAME', {…})`
//! read it, `{name}` filled in. The header fields' values in words are here too.

use std::collections::BTreeMap;

/// (name, words): `{x}` is filled in by the page.
pub const EN: &[(&str, &str)] = &[
    ("lang", "en"),
    ("title", "osi-trace explorer"),
    ("stream", "stream"),
    ("flag", "flag"),
    ("anomalies", "anomalies only"),
    ("filter", "filter text ( / )"),
    ("filter_label", "filter text"),
    ("step", "step"),
    ("step_title", "step mode: → and ← one segment at a time (s)"),
    ("smaller", "smaller (-)"),
    ("larger", "larger, for a projector (+)"),
    ("theme", "theme"),
    ("theme_title", "light or dark (t)"),
    ("ladder", "Ladder"),
    ("ladder_label", "ladder"),
    ("segments", "Segments"),
    ("segments_label", "segments"),
    ("graphs_label", "graphs and stream"),
    ("tab_tsg", "time-sequence (1)"),
    ("tab_rtt", "RTT (2)"),
    ("tab_follow", "follow stream (3)"),
    ("segment_label", "segment"),
    ("select", "Select a segment"),
    ("code", "The code"),
    ("layers", "Layers"),
    ("bytes", "Bytes"),
    (
        "keys",
        "↑ ↓ select · s step mode, then → ← · / filter · 1 2 3 tabs · + − zoom · t theme · click anything: the \
         other panes follow",
    ),
    ("rows", "{n} rows ({links})"),
    ("and", " and "),
    ("one_segment", "{n} segment"),
    ("n_segments", "{n} segments"),
    ("one_connection", "{n} connection"),
    ("n_connections", "{n} connections"),
    ("programs", " · programs: {list}"),
    (
        "left_out",
        "This page holds the first {cap} rows; {n} more were left out. Pick what to show with --stream N or \
         --count N (e.g. osi-trace --read FILE --html page.html --stream 3).",
    ),
    ("all", "all"),
    ("any", "any"),
    ("by_kernel", "The {side}’s kernel sent it on its own: no socket call."),
    ("kernel_for", "The {side}’s kernel, for its {call}:"),
    ("call_of", "The {side}’s {call}:"),
    (
        "program_unknown",
        "The {side}’s program is not known: the call is {call} (osi-trace --programs names the kit’s programs \
         that ran, e.g. --programs server-basic,client).",
    ),
    ("no_line", "{program}: no line of its listing makes {call}."),
    ("close_either", "The wire cannot tell which of these two lines of the {side} sent it; the run decides:"),
    (
        "close_if_close",
        "Closing the socket (close()), at the end of every run: it sends this FIN unless shutdown(SHUT_WR) \
         sent one before.",
    ),
    (
        "close_if_shutdown",
        "shutdown(SHUT_WR), only when the {side} ran with --half-close: the FIN goes out before the echo is read.",
    ),
    (
        "close_proven_shutdown",
        "After this FIN the {side} still took the other end’s data and acknowledged it: only its write side was \
         shut, by shutdown(SHUT_WR) (after close() its kernel would have answered with RST).",
    ),
    (
        "close_proven_close",
        "The {side} closed its socket: an RST (this one, or its answer to data after this FIN) comes only from a \
         closed socket, never from shutdown(SHUT_WR).",
    ),
    ("no_bytes", "This frame’s bytes are not on the page (see the note at the top)."),
    ("relative_seq", "{n} (relative; {raw})"),
    ("no_ack", "not set (no ACK flag)"),
    ("relative", "{n} (relative)"),
    ("field_bytes", "{field}: bytes {from}–{to}"),
    ("kept", "The page keeps the first {kept} of the {captured} bytes captured (the pcap has them all)."),
    ("snap", "{wire} bytes on the wire, {captured} captured (snap length)."),
    ("frame_title", "Frame {frame}"),
    ("after_it", "after it: client {client}, server {server}"),
    (
        "joined",
        "states unknown (?): the capture began after the handshake; client and server are guessed from the ports",
    ),
    ("forwarded", "{src} → {dst} · forwarded by the router"),
    ("clocks", "the two files’ clocks disagree"),
    ("in_router", "{ms} ms in the router"),
    ("hop_changed", "L2 rewritten (new MACs on each link), L3 TTL one lower, L4 and up unchanged; {time}."),
    ("copy_above", "above: the copy on {link} (before the router)"),
    ("only_title", "{link} only · frame {frame}"),
    ("only_on", "{link} only:"),
    ("count_of", "{n} of {all}"),
    (
        "follow_head",
        "stream {stream}{ends} · client’s bytes in one colour, the server’s in the other; click a part to select \
         its segment",
    ),
    ("follow_cut", "[… {n} bytes not on the page]"),
    ("follow_missing", "{n} bytes of this stream are not on the page: it keeps the first {k} bytes of each frame."),
    (
        "tsg_hint",
        "stream {stream}, the {side}’s segments (bars, red: retransmitted), the {other}’s ACK line and window \
         line (dashed). Wheel: zoom · drag: pan · double-click: all",
    ),
    (
        "rtt_hint",
        "stream {stream}: the {other}’s ACKs timing the {side}’s segments (ms; red: the bytes were sent twice, \
         Karn). Wheel: zoom · drag: pan · double-click: all",
    ),
    ("nothing", "Nothing to draw here."),
    ("acks_frame", "frame {frame} ACKs frame {acked}: {ms} ms"),
];

/// The table of the process's language, for the page's data.
pub fn table() -> BTreeMap<String, String> {
    let t = if kit::lang::vi() { super::words_vi::VI } else { EN };
    t.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The field meanings of the process's language: field → (label, meaning).
pub fn meanings() -> BTreeMap<String, (String, String)> {
    let m = if kit::lang::vi() { super::words_vi::MEANINGS } else { super::meanings::MEANINGS };
    m.iter().map(|(f, label, meaning)| (f.to_string(), (label.to_string(), meaning.to_string()))).collect()
}

/// The words in the layers pane's values and names.
pub struct Fields {
    /// A loopback's Ethernet line, after its MACs.
    pub loopback: &'static str,
    pub no_link_header: &'static str,
    pub none_recorded: &'static str,
    pub address_family: &'static str,
    /// `4, header N bytes`: the words around N.
    pub header: &'static str,
    pub bytes: &'static str,
    /// The IPv4 flags when neither DF nor MF is set.
    pub no_flags: &'static str,
    pub not_captured: &'static str,
    /// `raw N` before a number as on the wire.
    pub raw: &'static str,
    pub padding_only: &'static str,
    /// The payload layer's name.
    pub data: &'static str,
    pub tunnel: &'static str,
    pub inside_tunnel: &'static str,
}

const EN_FIELDS: Fields = Fields {
    loopback: " (loopback: a placeholder header)",
    no_link_header: "no link header",
    none_recorded: "none recorded: the capture starts at the IP header",
    address_family: "address family",
    header: "header",
    bytes: "bytes",
    no_flags: "none",
    not_captured: "not captured",
    raw: "raw",
    padding_only: "padding only",
    data: "data",
    tunnel: "tunnel",
    inside_tunnel: "inside the tunnel",
};

/// The field words of the process's language.
pub fn fields() -> &'static Fields {
    if kit::lang::vi() {
        &super::words_vi::FIELDS
    } else {
        &EN_FIELDS
    }
}
