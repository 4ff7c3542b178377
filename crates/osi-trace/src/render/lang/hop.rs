//! The Vietnamese of the hop view (`render::words::hop`): the title, the
//! router's time, what changed at each layer, why a frame is on one link only,
//! and the closing counts. Sentence for sentence the English; link names,
//! addresses, TTL and hop limit as they are.

use std::time::Duration;

use crate::hop::matcher::MAX_HELD;
use crate::hop::{Only, Pair, Tally, What, Why, MAX_FLOWS};
use crate::render::words::hop::{micros, reason_name};

/// The view's title.
pub fn title(names: &[String; 2], files: &[String; 2]) -> String {
    format!(
        "Chế độ xem hop: {} = {}, {} = {}; mỗi datagram thấy trên cả hai đường truyền một lần, các bản sao \
         của nó cạnh nhau",
        names[0], files[0], names[1], files[1]
    )
}

/// How long the router held a datagram.
pub fn router_time(t: Option<Duration>) -> String {
    match t {
        Some(t) => format!("{} trong router", micros(t)),
        None => "dấu thời gian sau router sớm hơn trước router: đồng hồ của hai file không khớp nhau".into(),
    }
}

/// What happened to L2 at the router.
pub fn l2_verdict(p: &Pair) -> &'static str {
    if p.macs_rewritten() {
        "được viết lại"
    } else if p.copies[0].macs.is_some() && p.copies[0].macs == p.copies[1].macs {
        "không đổi: không router nào viết lại chúng (một đường truyền bị bắt hai lần?)"
    } else {
        "không so sánh được: một đường truyền không có MAC, hoặc chỉ một bên đổi"
    }
}

/// What happened to L3 at the router: `lower` is how much the TTL went down.
pub fn l3_verdict(name: &str, lower: u8) -> String {
    match lower {
        0 => format!("{name} không đổi: không router nào giảm nó"),
        1 => format!("{name} giảm một"),
        n => format!("{name} giảm {n}"),
    }
}

/// Why a frame is on its link only: `links` is (this link, the other),
/// `ends` the datagram's (source, destination) when it is one.
pub fn why(o: &Only, links: [&str; 2], ends: [&str; 2]) -> String {
    let ([here, other], [src, dst]) = (links, ends);
    const ARP: &str = "ARP là link-local (L2), không bao giờ được chuyển tiếp";
    match o.why {
        Why::Arp { request, by_router, for_router, answered } => {
            let (sender, target) = match &o.seen.what {
                What::Arp(c) => (c.message.src(), c.message.dst()),
                _ => return ARP.to_string(),
            };
            let unanswered = if answered { "" } else { "; không ai trả lời" };
            match (request, by_router, for_router) {
                (true, _, true) => format!("{ARP}: router tự trả lời nó{unanswered}"),
                (true, true, _) => format!("{ARP}: chính router hỏi MAC của {target} trên {here}{unanswered}"),
                (true, false, _) => format!("{ARP}: {sender} hỏi MAC của {target} trên {here}{unanswered}"),
                (false, true, _) => format!("{ARP}: câu trả lời của chính router, chỉ trên {here}"),
                (false, false, _) => format!("{ARP}: câu trả lời của {sender}, chỉ trên {here}"),
            }
        }
        Why::LinkLocal => match &o.seen.what {
            What::Datagram(d) if d.is_neighbour_discovery() => format!(
                "neighbour discovery là link-local: hop limit {}, không bao giờ được chuyển tiếp (RFC 4861)",
                d.ttl
            ),
            _ => format!("gửi tới {dst}, một địa chỉ chỉ của đường truyền này: không bao giờ được chuyển tiếp"),
        },
        Why::RouterSent => {
            format!("chính router gửi nó, từ MAC của nó trên {here}: không có gì đến từ {other}")
        }
        Why::Missed => format!(
            "router đã chuyển tiếp nó từ {other} (nguồn của nó, {src}, ở phía sau {other}), nhưng bản bắt gói \
             của {other} thiếu bản sao đó: bản ấy bắt đầu muộn hơn, kết thúc sớm hơn hoặc đã làm mất nó"
        ),
        Why::ToRouter => format!("gửi tới chính router ({dst}): nó dừng ở đó"),
        Why::NotForwarded { unanswered: true } => format!(
            "không hề thấy trên {other}: router đã không chuyển tiếp nó; MAC của {dst} đã được hỏi trên {other} \
             và không ai trả lời"
        ),
        Why::NotForwarded { unanswered: false } => format!(
            "không hề thấy trên {other}: router đã không chuyển tiếp nó (bị tường lửa bỏ, hàng đợi đầy hoặc \
             không có route), hoặc bản bắt gói đã kết thúc trước"
        ),
        Why::Fragment => format!(
            "một mảnh IP (fragment) không có bản sao giống hệt trên {other}: chế độ xem này ghép các datagram \
             nguyên vẹn, không đổi"
        ),
        Why::Forgotten => format!(
            "không ghép được: hơn {MAX_HELD} frame cùng lúc chờ bản sao của chúng, nên frame chờ lâu nhất bị \
             quên, và bản sao của nó trên {other} cũng vậy nếu có (giới hạn bộ nhớ)"
        ),
        Why::Unknown => format!(
            "không thấy trên {other}, và không từ cũng không tới một MAC router nào mà các bản bắt gói này cho thấy"
        ),
        Why::NotIp => "không phải IP cũng không phải ARP: không phải thứ để router chuyển tiếp".into(),
    }
}

/// The closing lines.
pub fn summary(t: &Tally, names: &[String; 2]) -> Vec<String> {
    let mut v = Vec::new();
    let [a, b] = names;
    if t.pairs == 0 {
        v.push(format!(
            "Không datagram nào được thấy trên cả hai đường truyền: không gì đi qua router giữa {a} và {b}."
        ));
    } else {
        v.push(format!(
            "{} datagram được thấy trên cả hai đường truyền ({a} → {b}: {}, {a} ← {b}: {}): MAC được viết lại ở \
             {} (L2 là riêng của từng đường truyền: router gửi từ MAC của chính nó tới MAC của chặng kế tiếp), \
             TTL hoặc hop limit giảm một ở {}; địa chỉ IP và mọi thứ trên L3 giống nhau ở cả {}.",
            t.pairs, t.way[0], t.way[1], t.rewritten, t.lower, t.pairs,
        ));
        if let (Some(lo), Some(hi), Some(median)) = (t.times.lowest(), t.times.highest(), t.times.median()) {
            let median = match t.times.coarse() {
                false => micros(median),
                true => format!("khoảng {} (độ chính xác {})", micros(median), micros(t.times.grain())),
            };
            v.push(format!(
                "Trong router: từ {} tới {}, trung vị {median} (từ bản bắt gói của đường truyền này tới của \
                 đường truyền kia).",
                micros(lo),
                micros(hi),
            ));
        }
    }
    if t.only_total > 0 {
        let kinds: Vec<String> =
            t.only.iter().map(|(w, n)| format!("{n} {}", kind_words(reason_name(*w)))).collect();
        v.push(format!("{} frame chỉ thấy trên một đường truyền: {}.", t.only_total, kinds.join(", ")));
    }
    if t.raw_segments > 0 {
        v.push(format!(
            "{} segment TCP hiện với số thứ tự thô: SYN của các kết nối của chúng đã bị quên (cùng lúc theo dõi \
             tối đa {MAX_FLOWS} luồng TCP).",
            t.raw_segments,
        ));
    }
    v
}

fn kind_words(reason: &str) -> &'static str {
    match reason {
        "arp" => "ARP",
        "link_local" => "link-local",
        "router_sent" => "do chính router gửi",
        "missed_on_other" => "thiếu trong bản bắt gói của đường truyền kia",
        "to_router" => "gửi tới router",
        "not_forwarded" => "không được chuyển tiếp",
        "fragment" => "mảnh IP",
        "forgotten" => "bị quên khi chờ bản sao (giới hạn bộ nhớ)",
        "not_ip" => "không phải IP cũng không phải ARP",
        _ => "không giải thích được",
    }
}
