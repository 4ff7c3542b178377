//! The records' sentences in the page's language: the page embeds `--json`'s
//! records, whose texts are English whatever `--lang` says (JSON is for
//! machines); a page is for a reader, so with `--lang vi` each record's texts
//! (a segment's role and cause, a control frame's explanation, a hop row's
//! words) are written again in Vietnamese. The facts are the record's own.

use crate::analysis::Annotated;
use crate::hop::{HopView, Only, Pair, What};
use crate::json::hop::{HopOnlyRecord, HopRecord};
use crate::json::{ControlRecord, SegmentRecord};
use crate::neighbours::ControlFrame;
use crate::render::words::control::{explain, Names};
use crate::render::words::{self, hop as hop_words};

/// Whether the records' texts need writing again (the page is not in English).
pub fn needed() -> bool {
    kit::lang::vi()
}

pub fn segment(r: &mut SegmentRecord, n: &Annotated) {
    r.role_text = words::describe(n).to_string();
    r.cause = words::cause(n).to_string();
}

pub fn control(r: &mut ControlRecord, c: &ControlFrame) {
    r.text = explain(&c.control, &Names::default(), None, c.asked);
}

pub fn hop(r: &mut HopRecord, view: &HopView, p: &Pair) {
    r.text = hop_words::carries(view, p.datagram(p.from));
}

pub fn hop_only(r: &mut HopOnlyRecord, view: &HopView, o: &Only, names: &[String; 2]) {
    if let What::Datagram(d) = &o.seen.what {
        r.text = hop_words::carries(view, d);
    } else if let What::Arp(c) = &o.seen.what {
        r.text = explain(c, &Names::default(), None, o.asked);
    }
    r.reason_text = hop_words::why(o, names);
}
