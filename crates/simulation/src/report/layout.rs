//! Text layout for terminals: widths in columns (CJK characters are two wide),
//! clipping, aligned tables and wrapped lists.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width of `s` in terminal columns.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

/// Aligned columns; columns from `numeric` on are right-aligned.
pub(crate) fn table(indent: &str, header: &[String], rows: &[Vec<String>], numeric: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(cell));
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::from(indent);
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(width(cell));
            if i > 0 {
                out.push_str("  ");
            }
            if i >= numeric {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(header);
    out.push('\n');
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(indent);
    out.extend(std::iter::repeat_n('─', total));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

/// Items joined by `sep`, wrapped at `max` columns, each line indented; no final
/// line break.
pub(crate) fn wrap(indent: &str, items: &[String], sep: &str, max: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item}{sep}")
        } else {
            item.clone()
        };
        if width(&line) + width(&piece) > max && line.trim() != "" {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        line.push_str(&piece);
    }
    out.push_str(line.trim_end());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_two_columns_wide() {
        assert_eq!(width("立案庭"), 6);
        assert_eq!(clip("民事案件庭审标准", 9), "民事案件…");
        assert_eq!(clip("short", 9), "short");
        let t = table(
            "",
            &["名称".to_owned(), "n".to_owned()],
            &[vec!["立案庭".to_owned(), "12".to_owned()]],
            1,
        );
        assert_eq!(t, "名称     n\n──────────\n立案庭  12\n");
        assert_eq!(
            wrap("  ", &["甲乙".to_owned(), "丙丁".to_owned()], "、", 8),
            "  甲乙、\n  丙丁"
        );
    }
}
