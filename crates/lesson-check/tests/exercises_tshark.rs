//! The reference answers of lessons 13 to 17, each found again by tshark on the
//! same capture, independently of osi-trace: the numbers a student is marked
//! against are Wireshark's. (What tshark cannot say — which socket call made a
//! segment — is checked through the fact it rests on: a FIN is a close().)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The reference captures' folder, and the answers' folder.
fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// The frames of `pcap` matching `filter`, each as its `fields` (every occurrence, comma-joined).
fn tshark(pcap: &Path, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(pcap).args(["-Y", filter, "-T", "fields", "-E", "separator=/t"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = harness::run(cmd, b"", Duration::from_secs(120)).expect("tshark runs");
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split('\t').map(String::from).collect()).collect()
}

/// The first frame matching `filter`: its one field.
fn first(pcap: &Path, filter: &str, field: &str) -> String {
    let rows = tshark(pcap, filter, &[field]);
    let row = rows.first().unwrap_or_else(|| panic!("{}: no frame {filter}", pcap.display()));
    row[0].split(',').next().unwrap_or_default().to_string()
}

fn number(text: &str) -> f64 {
    text.parse().unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// RFC 6298's SRTT (seconds) of the segments `toward` (`"65432"`: sent to the
/// server) from tshark's ack_rtt samples of the other side's ACKs, without the
/// samples Karn's rule leaves out: an ACK of bytes, newly acknowledged, that
/// were sent more than once before it.
fn srtt(pcap: &Path, to_server: bool) -> f64 {
    let fields = ["frame.number", "tcp.srcport", "tcp.seq", "tcp.nxtseq", "tcp.ack", "tcp.analysis.ack_rtt"];
    let fields = [&fields[..], &["tcp.analysis.acks_frame", "tcp.analysis.retransmission"]].concat();
    let rows = tshark(pcap, "tcp", &fields);
    // Each retransmission: frame, sent by the server, seq, nxtseq.
    let mut resent: Vec<(u64, bool, f64, f64)> = Vec::new();
    // The highest ack each side (client, server) has sent so far.
    let mut acked = [0.0f64; 2];
    let (mut srtt, mut rttvar): (Option<f64>, f64) = (None, 0.0);
    for r in &rows {
        let (frame, from_server) = (number(&r[0]) as u64, r[1] == "65432");
        if !r[7].is_empty() {
            resent.push((frame, from_server, number(&r[2]), number(&r[3])));
        }
        let ack = if r[4].is_empty() { 0.0 } else { number(&r[4]) };
        // An ACK from the server times the client's segments, and the other way round.
        if !r[6].is_empty() && from_server == to_server {
            let before = acked[usize::from(from_server)];
            let karn = resent
                .iter()
                .any(|&(f, s, seq, nxt)| s != from_server && f < frame && seq < ack && nxt > before);
            let sample = if r[5].is_empty() { 0.0 } else { number(&r[5]) };
            if !karn {
                srtt = Some(match srtt {
                    None => {
                        rttvar = sample / 2.0;
                        sample
                    }
                    Some(s) => {
                        rttvar = 0.75 * rttvar + 0.25 * (s - sample).abs();
                        0.875 * s + 0.125 * sample
                    }
                });
            }
        }
        let side = &mut acked[usize::from(from_server)];
        *side = side.max(ack);
    }
    srtt.expect("an RTT sample")
}

/// What tshark answers to each question of lesson `lesson` on `pcap`.
fn by_tshark(lesson: &str, pcap: &Path) -> Vec<(&'static str, String)> {
    let f = |filter: &str, field: &str| first(pcap, filter, field);
    let times = |filter: &str| -> Vec<f64> {
        tshark(pcap, filter, &["frame.time_relative"]).iter().map(|r| number(&r[0])).collect()
    };
    let side = |port: String| if port == "65432" { "server" } else { "client" }.to_string();
    match lesson {
        "13" => {
            let fin = "tcp.stream == 0 && tcp.flags.fin == 1";
            let fin_at = times(fin)[0];
            let handshake_done = times("tcp.stream == 0 && tcp.flags == 0x010")[0];
            let sent: f64 = tshark(pcap, "tcp.stream == 0 && tcp.dstport == 65432", &["tcp.len"])
                .iter()
                .map(|r| number(&r[0]))
                .sum();
            let echo = times("tcp.stream == 1 && tcp.srcport == 65432 && tcp.len > 0")[0];
            let fin_flags = f(fin, "tcp.flags.str");
            vec![
                ("idle_closed_by", side(f(fin, "tcp.srcport"))),
                ("idle_seconds", format!("{}", (fin_at - handshake_done).floor())),
                ("idle_bytes", format!("{sent}")),
                ("echoed_while_idle", if echo < fin_at { "yes" } else { "no" }.into()),
                ("idle_fin_call", if fin_flags.contains('F') { "close" } else { "?" }.into()),
            ]
        }
        "14" => vec![
            ("arp_asks_for", f("arp.opcode == 1", "arp.dst.proto_ipv4")),
            ("next_hop_mac", f("arp.opcode == 2", "arp.src.hw_mac")),
            ("syn_ttl", f("tcp.flags == 0x002", "ip.ttl")),
            ("syn_ack_ttl", f("tcp.flags == 0x012", "ip.ttl")),
            ("server_mss", f("tcp.flags == 0x012", "tcp.options.mss_val")),
        ],
        "15" => {
            let data = times("tcp.dstport == 65432 && tcp.len > 0");
            let waits: Vec<f64> = data.windows(2).map(|w| w[1] - w[0]).collect();
            let [.., before, last] = waits[..] else { panic!("fewer than three copies") };
            let rst = f("tcp.flags.reset == 1 && tcp.dstport == 65432", "frame.number");
            vec![
                ("copies", data.len().to_string()),
                ("first_resend_ms", format!("{}", (waits[0] * 10.0).round() * 100.0)),
                ("backoff", format!("{}", (last / before).round())),
                ("rst_seq", f("tcp.flags.reset == 1 && tcp.dstport == 65432", "tcp.seq")),
                ("challenge_ack", f(&format!("tcp.srcport == 65432 && frame.number > {rst}"), "tcp.ack")),
            ]
        }
        "16" => {
            let (client, server) = (srtt(pcap, true), srtt(pcap, false));
            let resent =
                tshark(pcap, "tcp.analysis.retransmission && tcp.dstport == 65432", &["frame.number"]);
            let sack = "tcp.srcport == 65432 && tcp.options.sack_le";
            vec![
                ("client_srtt_ms", format!("{}", (client * 1000.0).round())),
                ("timed_across_the_queues", if client > server { "client" } else { "server" }.into()),
                ("client_retransmissions", resent.len().to_string()),
                ("first_sack_ack", f(sack, "tcp.ack")),
                ("first_sack_left", f(sack, "tcp.options.sack_le")),
            ]
        }
        "17" => {
            let lens = tshark(pcap, "tcp.dstport == 65432", &["tcp.len"]);
            let largest = lens.iter().map(|r| number(&r[0]) as u64).max().expect("segments");
            let frag = "icmp.type == 3 && icmp.code == 4";
            vec![
                ("client_mss", f("tcp.flags == 0x002", "tcp.options.mss_val")),
                ("server_mss", f("tcp.flags == 0x012", "tcp.options.mss_val")),
                ("largest_client_len", largest.to_string()),
                ("frag_needed_from", f(frag, "ip.src")),
                ("next_hop_mtu", f(frag, "icmp.mtu")),
            ]
        }
        other => panic!("no tshark reading for lesson {other}"),
    }
}

/// The lessons whose reference answers tshark checks: lesson, capture, answers.
const CHECKED: [(&str, &str, &str); 5] = [
    ("13", "13-idle.pcap", "13-idle.answers"),
    ("14", "14-echo-link1.pcap", "14-echo-link1.answers"),
    ("15", "15-rto-link1.pcap", "15-rto-link1.answers"),
    ("16", "16-bottleneck-link1.pcap", "16-bottleneck-link1.answers"),
    ("17", "17-mtu-link1.pcap", "17-mtu-link1.answers"),
];

#[test]
fn tshark_gives_every_reference_answer_of_lessons_13_to_17() {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return;
    }
    for (lesson, pcap, file) in CHECKED {
        let text =
            std::fs::read_to_string(repo("crates/lesson-check/answers").join(file)).expect("answers file");
        let reference = lesson_check::answers::parse_answers(&text).given;
        let theirs = by_tshark(lesson, &repo("lessons/captures").join(pcap));
        let keys: Vec<&str> = lesson_check::exercises::exercise(lesson.parse().expect("a number"))
            .expect("an exercise")
            .iter()
            .map(|q| q.key)
            .collect();
        assert_eq!(theirs.iter().map(|t| t.0).collect::<Vec<_>>(), keys, "lesson {lesson}: every question");
        for (key, value) in &theirs {
            let ours = reference.iter().find(|g| g.key == *key).unwrap_or_else(|| panic!("{file}: no {key}"));
            assert_eq!(&ours.value, value, "{file}: {key}, as tshark reads {pcap}");
        }
    }
}
