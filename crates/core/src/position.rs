//! Where something is in a text file: the line and column that errors report.

/// 1-based line and column (in characters, not bytes) of a byte offset in `source`.
/// An offset past the end is the end.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// `:line:column` after a file name, or nothing for line 0 (a file that could not be
/// read at all has no position).
pub fn suffix(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let s = "ab\n调研x\n";
        assert_eq!(line_column(s, 0), (1, 1));
        assert_eq!(line_column(s, 3), (2, 1));
        // "调研" is 6 bytes, 2 characters: the x is at column 3.
        assert_eq!(line_column(s, 9), (2, 3));
        assert_eq!(line_column(s, 999), (3, 1));
        assert_eq!(suffix(0, 0), "");
        assert_eq!(suffix(12, 3), ":12:3");
    }
}
