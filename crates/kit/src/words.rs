//! Small words every program prints the same way: counts with their noun.

/// `1 client`, `3 clients`, `0 TCP segments`: the count and the noun, plural
/// unless the count is exactly one. `noun` is the singular; the plural adds `s`.
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(plural(1u32, "thread"), "1 thread");
        assert_eq!(plural(0u32, "client"), "0 clients");
        assert_eq!(plural(10u64, "TCP segment"), "10 TCP segments");
    }
}
