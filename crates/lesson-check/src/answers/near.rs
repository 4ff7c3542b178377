//! "Did you mean": the question a mistyped key was most likely meant for. A key
//! written in another case or with `-` for `_` is that key; otherwise the closest
//! by edit distance (a transposition counts one), if it is close enough.

/// The key of `keys` that `typed` most likely stands for, if any is near enough.
pub fn nearest(typed: &str, keys: &[&'static str]) -> Option<&'static str> {
    let typed = folded(typed);
    if let Some(&same) = keys.iter().find(|k| folded(k) == typed) {
        return Some(same);
    }
    let (distance, key) = keys.iter().map(|k| (distance(&typed, &folded(k)), *k)).min_by_key(|(d, _)| *d)?;
    // Up to two edits, and fewer than a third of the key: `seq` is not a typo of `ack`.
    (distance <= 2 && distance * 3 < key.chars().count()).then_some(key)
}

/// A key as compared for a suggestion: lower case, `-`, `.` and spaces as `_`.
fn folded(key: &str) -> String {
    key.chars().map(|c| if matches!(c, '-' | ' ' | '.') { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// The optimal string alignment distance: insertions, deletions, substitutions
/// and transpositions of neighbours, each one edit. Keys are short: a long
/// typed key is cut before it costs time (it is no typo of a short one anyway).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 4] = ["segments", "server_port", "client_port", "time_wait"];

    #[test]
    fn a_typo_finds_its_key() {
        for (typed, meant) in [
            ("segmnets", "segments"),
            ("server_prot", "server_port"),
            ("clientport", "client_port"),
            ("Time-Wait", "time_wait"),
            ("SEGMENTS", "segments"),
            ("time wait", "time_wait"),
        ] {
            assert_eq!(nearest(typed, &KEYS), Some(meant), "{typed}");
        }
    }

    #[test]
    fn a_word_far_from_every_key_finds_none() {
        for typed in ["answer", "seq", "", "x", "ports", &"a".repeat(100_000)] {
            assert_eq!(nearest(typed, &KEYS), None, "{typed}");
        }
        assert_eq!(distance("abc", "acb"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
