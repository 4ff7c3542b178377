//! The words of the `--ladder` view: its column heads. The rest of a ladder is
//! names and numbers (flags, `seq=`, TCP states, Wireshark's analysis fields),
//! the same in both languages.

/// The heads of the time column and of the links' column.
pub fn heads() -> (&'static str, &'static str) {
    if kit::lang::vi() {
        ("thời gian", "link")
    } else {
        ("time", "link")
    }
}
