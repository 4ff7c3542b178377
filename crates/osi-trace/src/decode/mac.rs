//! MAC addresses written once, as Wireshark writes them: `02:00:00:00:01:02`.
//! Every view, the decoders' own texts (a tunnel's inner Ethernet) and the JSON
//! use this, so that an address reads the same wherever it is shown.
//!
//! pnet's `MacAddr` prints the same text, through the formatting machinery
//! (six `{:02x}`); this writes the 17 bytes directly, which `--layers` does
//! twice a segment (see `render::numbers`).

use std::fmt;

/// The 17 characters of `m`: two lowercase hex digits a byte, `:` between.
fn text(m: &[u8; 6]) -> [u8; 17] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b':'; 17];
    for (i, b) in m.iter().enumerate() {
        out[3 * i] = HEX[usize::from(b >> 4)];
        out[3 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}

/// A MAC address ready to print: `format!("{}", mac(&m))`.
pub fn mac(m: &[u8; 6]) -> Mac {
    Mac(*m)
}

/// The address of [`mac`], written where it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mac([u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = text(&self.0);
        // Hex digits and colons: ASCII, so always UTF-8.
        f.write_str(std::str::from_utf8(&t).map_err(|_| fmt::Error)?)
    }
}

/// Appends `m` to `out` as [`mac`] writes it, without the formatting machinery.
pub fn push_mac(out: &mut String, m: &[u8; 6]) {
    out.extend(text(m).iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_wireshark_and_pnet_write_it() {
        for m in [[2, 0, 0xab, 0, 1, 0xff], [0; 6], [0xff; 6], [0x0a, 0xb0, 0x1c, 0xd2, 0x3e, 0xf4]] {
            let want = pnet::util::MacAddr::from(m).to_string();
            assert_eq!(mac(&m).to_string(), want);
            let mut s = String::from("at ");
            push_mac(&mut s, &m);
            assert_eq!(s, format!("at {want}"));
        }
        assert_eq!(mac(&[2, 0, 0xab, 0, 1, 0xff]).to_string(), "02:00:ab:00:01:ff");
    }
}
