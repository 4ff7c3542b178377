//! Numbers, times and addresses written as `{}` writes them, without the
//! formatting machinery: a view writes a dozen of them per segment, and a
//! capture has millions of segments. Each says which `{}` it matches; the
//! tests hold them to it.

use std::fmt::{self, Write as _};

/// Seconds to the microsecond, `12.345678`, as `{:.6}` prints them; padded as
/// asked (`{:>10}`).
pub(crate) fn secs(d: std::time::Duration) -> Secs {
    Secs(d)
}

/// The seconds of [`secs`], written where they go.
pub(crate) struct Secs(std::time::Duration);

impl Secs {
    fn digits(&self) -> Digits {
        let d = self.0;
        let mut digits = Digits::new();
        // Whole microseconds under 2^20 s (12 days): their digits are what `{:.6}`
        // prints of the f64, whose error there (under 2^-32 s) is far below half a
        // microsecond; and writing them costs a fraction of rounding the float.
        if d.subsec_nanos() % 1000 == 0 && d.as_secs() < 1 << 20 {
            let micros = d.subsec_micros();
            digits.push_num(d.as_secs());
            digits.push_byte(b'.');
            // Six digits, zero first.
            for i in (0..6).rev() {
                digits.bytes[digits.len + i] = b'0' + (micros / 10u32.pow(5 - i as u32) % 10) as u8;
            }
            digits.len += 6;
        } else {
            // 27 characters at most (u64::MAX seconds): they fit.
            let _ = write!(digits, "{:.6}", d.as_secs_f64());
        }
        digits
    }

    /// Appends the seconds right-aligned in `width` columns, as `{:>width$}` does.
    pub(crate) fn push_to(&self, out: &mut String, width: usize) {
        let digits = self.digits();
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(digits.len)));
        out.push_str(digits.as_str());
    }
}

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.digits().as_str())
    }
}

/// Appends the decimal digits of `v`, as `{}` prints them (without the
/// formatting machinery: a line holds a dozen numbers, a capture millions of lines).
pub(crate) fn push_num(out: &mut String, v: u64) {
    let mut tmp = [0u8; 20];
    let start = digits_of(v, &mut tmp);
    out.extend(tmp[start..].iter().map(|&b| char::from(b)));
}

/// Appends `v` in lowercase hexadecimal, at least `width` digits (`{:0width$x}`,
/// for a width up to 16).
pub(crate) fn push_hex(out: &mut String, v: u64, width: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut tmp = [b'0'; 16];
    let (mut i, mut v) = (tmp.len(), v);
    loop {
        i -= 1;
        tmp[i] = HEX[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    let start = i.min(tmp.len() - width.min(tmp.len()));
    out.extend(tmp[start..].iter().map(|&b| char::from(b)));
}

/// Writes the digits of `v` at the end of `tmp` (20 bytes hold any u64);
/// returns where they start.
fn digits_of(mut v: u64, tmp: &mut [u8; 20]) -> usize {
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return i;
        }
    }
}

/// Appends an IP address as `{}` prints it; an IPv4 one without the
/// formatting machinery (`--layers` writes two per segment).
pub(crate) fn push_ip(out: &mut String, ip: std::net::IpAddr) {
    match ip {
        std::net::IpAddr::V4(a) => out.push_str(ipv4_digits(a).as_str()),
        std::net::IpAddr::V6(a) => {
            // Writing into a String cannot fail.
            let _ = write!(out, "{a}");
        }
    }
}

fn ipv4_digits(a: std::net::Ipv4Addr) -> Digits {
    let mut digits = Digits::new();
    for (i, o) in a.octets().into_iter().enumerate() {
        if i > 0 {
            digits.push_byte(b'.');
        }
        // One to three digits, no zero in front.
        if o >= 100 {
            digits.push_byte(b'0' + o / 100);
        }
        if o >= 10 {
            digits.push_byte(b'0' + o / 10 % 10);
        }
        digits.push_byte(b'0' + o % 10);
    }
    digits
}

/// Appends an IP address and port as `{}` prints a `SocketAddr`; an IPv4 one
/// without the formatting machinery (`--json` writes two per segment).
pub(crate) fn push_endpoint(out: &mut Vec<u8>, a: std::net::SocketAddr) {
    let std::net::SocketAddr::V4(a) = a else {
        use std::io::Write as _;
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{a}");
        return;
    };
    let mut digits = ipv4_digits(*a.ip());
    digits.push_byte(b':');
    digits.push_num(a.port().into());
    out.extend_from_slice(digits.as_str().as_bytes());
}

/// A number's digits on the stack, to be padded as one string.
struct Digits {
    bytes: [u8; 48],
    len: usize,
}

impl Digits {
    fn new() -> Digits {
        Digits { bytes: [0; 48], len: 0 }
    }

    /// Appends one ASCII byte (the callers write at most 27 in all, within its 48).
    fn push_byte(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// Appends the digits of `v` (at most 20: they fit).
    fn push_num(&mut self, v: u64) {
        let mut tmp = [0u8; 20];
        let i = digits_of(v, &mut tmp);
        let n = tmp.len() - i;
        self.bytes[self.len..self.len + n].copy_from_slice(&tmp[i..]);
        self.len += n;
    }

    fn as_str(&self) -> &str {
        // Only ASCII bytes and whole `&str`s are ever copied in.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::time::Duration;

    /// Every microsecond of the first second and of the last one under 2^20 s
    /// (where the float's error is largest), and nanoseconds, as `{:.6}` of the f64.
    #[test]
    fn seconds_are_what_the_float_prints() {
        let top = (1 << 20) - 1;
        for s in [0, 1, 59, 86_399, top] {
            for us in (0..1_000_000).step_by(if s == 0 || s == top { 1 } else { 997 }) {
                let d = Duration::new(s, us * 1000);
                assert_eq!(secs(d).to_string(), format!("{:.6}", d.as_secs_f64()), "{d:?}");
            }
        }
        for d in
            [Duration::new(1, 123_456_789), Duration::new(1 << 20, 0), Duration::new(u64::MAX, 999_999_999)]
        {
            assert_eq!(secs(d).to_string(), format!("{:.6}", d.as_secs_f64()), "{d:?}");
            assert_eq!(format!("{:>30}", secs(d)), format!("{:>30.6}", d.as_secs_f64()));
        }
        let mut padded = String::new();
        secs(Duration::from_micros(1_500_000)).push_to(&mut padded, 10);
        assert_eq!(padded, format!("{:>10.6}", 1.5));
    }

    #[test]
    fn numbers_and_addresses_are_what_display_prints() {
        for v in [0, 9, 10, 65_535, u64::from(u32::MAX), u64::MAX] {
            let mut s = String::new();
            push_num(&mut s, v);
            assert_eq!(s, v.to_string());
        }
        let v4 = IpAddr::V4(Ipv4Addr::new(10, 0, 255, 1));
        let v6 = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
        for ip in [v4, v6, IpAddr::V4(Ipv4Addr::UNSPECIFIED)] {
            let mut s = String::new();
            push_ip(&mut s, ip);
            assert_eq!(s, ip.to_string());
            let mut b = Vec::new();
            push_endpoint(&mut b, SocketAddr::new(ip, 65_432));
            assert_eq!(String::from_utf8(b).unwrap(), SocketAddr::new(ip, 65_432).to_string());
        }
        for (v, w) in [(0u64, 4), (0x800, 4), (0x86dd, 4), (0xabcde, 4), (7, 1), (u64::MAX, 4), (0, 0)] {
            let mut s = String::new();
            push_hex(&mut s, v, w);
            assert_eq!(s, format!("{v:0w$x}"));
        }
    }
}
