//! The bytes of one layer as captured, and how many more the frame had on
//! the wire: a frame cut by the snap length still has a length, and each
//! layer's length fields are checked against what was on the wire.

/// A layer's bytes: `data` as captured, `missing` more on the wire after them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bytes<'a> {
    pub data: &'a [u8],
    pub missing: usize,
}

impl<'a> Bytes<'a> {
    /// The length on the wire.
    pub fn reported(&self) -> usize {
        self.data.len() + self.missing
    }

    /// What follows the first `at` bytes (which the caller checked were captured).
    pub fn after(&self, at: usize) -> Bytes<'a> {
        Bytes { data: self.data.get(at..).unwrap_or_default(), missing: self.missing }
    }

    /// The first `len` bytes on the wire (`len` ≤ [`Bytes::reported`]).
    pub fn first(&self, len: usize) -> Bytes<'a> {
        if len <= self.data.len() {
            Bytes { data: &self.data[..len], missing: 0 }
        } else {
            Bytes { data: self.data, missing: len.min(self.reported()) - self.data.len() }
        }
    }
}
