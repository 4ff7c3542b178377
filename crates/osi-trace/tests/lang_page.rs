//! `--html --lang vi`: the explorer page speaks Vietnamese. Its words table
//! has every name of the English one, with the same places to fill in, and
//! only names and numbers left the same; the field meanings and values are
//! Vietnamese; a page written with `--lang vi` says `lang="vi"`, carries that
//! table, and its records' sentences are Vietnamese while their facts are
//! `--json`'s (English, as JSON always is).

#[path = "vi_check/mod.rs"]
mod vi_check;

use std::collections::BTreeSet;

use kit::Lang;
use osi_trace::explorer::{meanings, words, words_vi};
use osi_trace::render::words::layers;
use vi_check::{check, check_line, in_lang, osi_trace, root, LANG};

/// The `{x}` places of a text (a language puts them in its own order).
fn places(s: &str) -> BTreeSet<&str> {
    s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(x, _)| x)).collect()
}

/// The names whose words are the same in both languages: names and numbers.
const SAME: [&str; 7] = ["title", "stream", "flag", "tab_rtt", "segment_label", "frame_title", "one_segment"];

#[test]
fn the_pages_words_have_their_vietnamese_form() {
    let mut bad = Vec::new();
    let en: Vec<&str> = words::EN.iter().map(|(k, _)| *k).collect();
    let vi: Vec<&str> = words_vi::VI.iter().map(|(k, _)| *k).collect();
    assert_eq!(en, vi, "the two tables name the same words, in the same order");
    let mut same = BTreeSet::new();
    for ((name, e), (_, v)) in words::EN.iter().zip(words_vi::VI) {
        assert_eq!(places(e), places(v), "{name}: the same places to fill in");
        check_line(name, e, v, &mut bad);
        if e == v {
            same.insert(*name);
        }
    }
    assert_eq!(same, BTreeSet::from(SAME), "only names and numbers stay as they are");
    // The meanings of the header fields: the same fields, sentences in Vietnamese.
    assert_eq!(meanings::MEANINGS.len(), words_vi::MEANINGS.len());
    for ((f, el, em), (g, vl, vm)) in meanings::MEANINGS.iter().zip(words_vi::MEANINGS) {
        assert_eq!(f, g, "the same fields, in the same order");
        check_line(&format!("{f}'s label"), el, vl, &mut bad);
        check(&format!("{f}'s meaning"), em, vm, &mut bad);
    }
    assert!(bad.is_empty(), "{} words without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The pieces of the layer lines and of the page's field values, in both languages.
#[test]
fn the_layers_pieces_have_their_vietnamese_form() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let pieces = |lang| {
        in_lang(lang, || {
            let (l, f) = (layers::words(), words::fields());
            [
                l.loopback,
                l.no_link_header,
                l.none_recorded,
                l.bsd_loopback,
                l.point_to_point,
                l.total_length,
                l.raw,
                l.scale_unknown,
                l.bytes,
                l.options,
                l.blocks,
                l.malformed_options,
                l.no_payload,
                l.captured,
                l.cause,
                f.loopback,
                f.no_link_header,
                f.none_recorded,
                f.address_family,
                f.bytes,
                f.no_flags,
                f.not_captured,
                f.raw,
                f.padding_only,
                f.data,
                f.inside_tunnel,
            ]
        })
    };
    let mut bad = Vec::new();
    for (e, v) in pieces(Lang::En).iter().zip(pieces(Lang::Vi)) {
        check_line(e, e, v, &mut bad);
        if e == &v {
            bad.push(format!("{e:?} is the same in Vietnamese"));
        }
    }
    assert!(bad.is_empty(), "{} pieces without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The JSON object a page embeds.
fn embedded(html: &str) -> serde_json::Value {
    let open = r#"<script id="data" type="application/json">"#;
    let start = html.find(open).expect("a data element") + open.len();
    let end = start + html[start..].find("</script>").expect("closed");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

#[test]
fn a_page_written_in_vietnamese_speaks_vietnamese() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pcap = root().join("lessons/captures/05-endings.pcap");
    let page = |lang: &str| {
        let html = dir.path().join(format!("{lang}.html"));
        let (p, h) = (pcap.to_string_lossy(), html.to_string_lossy());
        osi_trace(&["--read", &p, "--html", &h, "--programs", "server-loop,client", "--lang", lang]);
        std::fs::read_to_string(&html).expect("the page")
    };
    let (en, vi) = (page("en"), page("vi"));
    assert!(en.contains(r#"<html lang="en">"#) && vi.contains(r#"<html lang="vi">"#));
    assert!(!vi.contains("{{") && vi.contains("<h2>Sơ đồ bậc thang</h2>"), "the template's marks filled");
    let (en, vi) = (embedded(&en), embedded(&vi));
    let table = words_vi::VI.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect();
    assert_eq!(vi["words"], serde_json::Value::Object(table), "the page carries the Vietnamese table");
    let mut bad = Vec::new();
    let (er, vr) = (en["records"].as_array().expect("records"), vi["records"].as_array().expect("records"));
    assert_eq!(er.len(), vr.len());
    for (e, v) in er.iter().zip(vr) {
        let mut facts = v.clone();
        for text in ["role_text", "cause", "text"] {
            if let (Some(e), Some(v)) = (e[text].as_str(), v[text].as_str()) {
                check(&format!("frame {} {text}", facts["frame"]), e, v, &mut bad);
                facts[text] = serde_json::Value::from(e);
            }
        }
        assert_eq!(&facts, e, "only the sentences differ");
    }
    assert!(bad.is_empty(), "{} sentences without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}
