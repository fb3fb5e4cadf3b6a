//! The report as one self-contained HTML page ([`to_html`]): its charts inline as SVG,
//! every table, and a stylesheet for the screen and for print. Nothing in it refers
//! to another file or to the network, so it can be mailed, archived and opened
//! anywhere.

use chrono::FixedOffset;
use regula_core::Lang;
use regula_standards::assessment::labels;
use regula_standards::report::{Cell, Report, Table};

use crate::charts;

/// The page's stylesheet: for the screen (up to 1366 pixels wide) and for print (A4
/// landscape; charts and table rows not split across pages, column names repeated).
/// Other pages that show the same charts and tables may reuse it.
pub const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6673; --line: #d5dbe1; --head: #eef2f6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1366px; padding: 24px 32px; color: var(--ink); background: #fff;
  font: 14px/1.5 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
header.report-head { border-bottom: 2px solid var(--ink); margin-bottom: 16px; }
header.report-head .court { margin: 0; color: var(--muted); font-size: 15px; }
h1 { margin: 4px 0 8px; font-size: 24px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0 0 12px; }
nav.toc ol { columns: 2; margin: 0; padding-left: 20px; }
nav.toc a { color: inherit; }
figure.chart { margin: 16px 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--head); }
td.num, td.pct { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; }
td.empty { color: var(--muted); text-align: center; }
tbody tr:nth-child(even) { background: #fafbfc; }
ul.hearings li { margin-bottom: 6px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav.toc { display: none; }
  h2 { break-after: avoid; }
  figure.chart { break-inside: avoid; }
  figure.chart svg { max-height: 170mm; width: auto; }
  table { font-size: 10px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .scroll { overflow: visible; }
  tbody tr:nth-child(even) { background: none; }
}
"#;

/// The report as one HTML page in `lang` (`<html lang="zh-CN">` or `en`), dates of
/// decisions in `tz`, headed with the court's name: its heading and date, a list of
/// contents, the charts ([`charts::ALL`], those the report has), every table
/// ([`Report::tables`]), and the leading group's hearings. All text is escaped.
pub fn to_html(report: &Report, lang: Lang, tz: FixedOffset, court: &str) -> String {
    let heading = if report.only_assessment {
        format!("{} {}", labels::TITLE.get(lang), report.year)
    } else {
        format!(
            "{} {}",
            pick(lang, "标准化建设进度 截至", "Standardization progress as of"),
            report.date
        )
    };
    let tables = report.tables(lang, tz);
    let charts: Vec<(&str, String)> = charts::ALL
        .iter()
        .filter_map(|(name, chart)| chart(report, lang).map(|svg| (*name, svg)))
        .collect();

    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(&format!(
        "<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        },
        escape(court),
        escape(&heading)
    ));
    // What the figures cover, not when the page was made: the same store and date
    // give the same page, byte for byte.
    let covers = if report.only_assessment {
        format!("{} {}", pick(lang, "考核年度", "Assessment year"), report.year)
    } else {
        match lang {
            Lang::Zh => format!("数据截至 {} 当日结束（{}）", report.date, tz),
            Lang::En => format!("Figures as of the end of {} ({})", report.date, tz),
        }
    };
    out.push_str(&format!(
        "<header class=\"report-head\">\n<p class=\"court\">{}</p>\n<h1>{}</h1>\n\
         <p class=\"meta\">{}</p>\n</header>\n",
        escape(court),
        escape(&heading),
        escape(&covers),
    ));

    out.push_str(&format!(
        "<nav class=\"toc\">\n<h2>{}</h2>\n<ol>\n",
        pick(lang, "目录", "Contents")
    ));
    if !charts.is_empty() {
        out.push_str(&format!(
            "<li><a href=\"#charts\">{}</a></li>\n",
            pick(lang, "图表", "Charts")
        ));
    }
    for (i, t) in tables.iter().enumerate() {
        out.push_str(&format!(
            "<li><a href=\"#table-{}\">{}</a></li>\n",
            i + 1,
            escape(&t.title)
        ));
    }
    if !report.hearings.is_empty() {
        out.push_str(&format!(
            "<li><a href=\"#hearings\">{}</a></li>\n",
            hearings_title(lang)
        ));
    }
    out.push_str("</ol>\n</nav>\n");

    if !charts.is_empty() {
        out.push_str(&format!(
            "<section id=\"charts\">\n<h2>{}</h2>\n",
            pick(lang, "图表", "Charts")
        ));
        for (name, svg) in &charts {
            out.push_str(&format!(
                "<figure class=\"chart\" id=\"chart-{name}\">\n{}</figure>\n",
                inline_svg(svg)
            ));
        }
        out.push_str("</section>\n");
    }

    for (i, t) in tables.iter().enumerate() {
        push_table(&mut out, i + 1, t);
    }

    if !report.hearings.is_empty() {
        out.push_str(&format!(
            "<section id=\"hearings\">\n<h2>{}</h2>\n<ul class=\"hearings\">\n",
            hearings_title(lang)
        ));
        for h in &report.hearings {
            out.push_str(&format!(
                "<li><time datetime=\"{date}\">{date}</time> {} ({}): {}",
                escape(&h.decided.by),
                escape(&h.members.join(pick(lang, "、", ", "))),
                escape(&h.summary),
                date = h.decided.at.with_timezone(&tz).format("%Y-%m-%d"),
            ));
            if !h.decisions.is_empty() {
                out.push_str("<ul>");
                for d in &h.decisions {
                    out.push_str(&format!("<li>{}</li>", escape(d)));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str(&format!(
        "<footer>{}</footer>\n</body>\n</html>\n",
        pick(
            lang,
            "由 Regula 根据审计日志生成；数据截至报告所示日期。",
            "Made by Regula from the audit log, as of the date the report names."
        )
    ));
    out
}

fn hearings_title(lang: Lang) -> &'static str {
    pick(lang, "领导小组定期听取汇报", "The leading group's progress hearings")
}

/// One table in its own section: its title as heading, numbers right-aligned with
/// their value in `data-value`, dates in `<time>`.
fn push_table(out: &mut String, n: usize, t: &Table) {
    out.push_str(&format!(
        "<section class=\"report-table\" id=\"table-{n}\">\n<h2>{}</h2>\n<div class=\"scroll\">\n<table>\n<thead><tr>",
        escape(&t.title)
    ));
    for h in &t.header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&match cell {
                Cell::Text(s) => format!("<td>{}</td>", escape(s)),
                Cell::Int(i) => format!("<td class=\"num\" data-value=\"{i}\">{i}</td>"),
                Cell::Percent(p) => format!("<td class=\"pct\" data-value=\"{p}\">{cell}</td>"),
                Cell::Date(d) => format!("<td class=\"date\"><time datetime=\"{d}\">{d}</time></td>"),
                Cell::Empty => format!("<td class=\"empty\">{cell}</td>"),
            });
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// A chart as HTML holds it: without the SVG namespace declaration, which the HTML
/// parser implies and which would be the page's only `http://` text.
fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// Text as HTML holds it: markup characters escaped, control characters (which HTML
/// forbids) as spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"c'\u{1b}[0m\n"), "a&lt;b&gt;&amp;&quot;c&#39; [0m\n");
    }

    #[test]
    fn inline_charts_drop_the_namespace_only() {
        let svg = "<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\">\n<text>x</text></svg>";
        assert_eq!(inline_svg(svg), "<svg width=\"1\">\n<text>x</text></svg>");
    }
}
