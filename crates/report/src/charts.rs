//! The report's figures as SVG charts, drawn with `plotters`' SVG backend.
//!
//! Each function takes a [`Report`] and a language and returns one `<svg>` element (no
//! XML prolog, so it can be inlined in an HTML page), or `None` when the report lacks
//! the section the chart shows. Labels are `<text>` elements: the browser lays out the
//! Chinese with its own fonts, and the text stays searchable and selectable. Every
//! chart has a `viewBox`, so a stylesheet may scale it (`max-width: 100%`); its natural
//! width, [`WIDTH`], fits a 1366-pixel screen and an A4 page in landscape.
//!
//! Bars are horizontal so that long department and domain names read in full.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use regula_core::{Lang, Text as Label};
use regula_standards::lifecycle::Stage;
use regula_standards::plan::{GroupBy, ProgressReport, ProgressRow};
use regula_standards::report::{Report, Section};

use crate::is_wide;

/// The natural width of every chart, in pixels.
pub const WIDTH: u32 = 960;

/// Height of one bar's row (a stacked bar, or each group of grouped bars).
const ROW: u32 = 28;
/// Height of the band above the plot: the title, then the legend.
const TOP: u32 = 64;
/// Height of the x axis' labels and description.
const X_AXIS: u32 = 44;
/// The longest category label, in display columns (a Chinese character is two).
const MAX_LABEL_COLUMNS: usize = 30;
const FONT: &str = "sans-serif";
/// Chart coordinates are fixed-point integers, `value × UNIT` (plotters formats axis
/// labels of integer coordinates only, when the key points are ours).
const UNIT: f64 = 1000.0;

/// A value as a chart coordinate.
fn at(v: f64) -> i32 {
    (v * UNIT).round() as i32
}

/// The five groups of stages the progress tables count (their columns), with the
/// colour each is drawn in.
const STAGE_GROUPS: [(&str, &str, RGBColor); 5] = [
    ("未启动", "not started", RGBColor(0xb0, 0xb7, 0xbf)),
    ("制定中", "in progress", RGBColor(0xe8, 0xa3, 0x3d)),
    ("已发布/实施", "published/follow-up", RGBColor(0x3c, 0x9a, 0x5f)),
    ("已固化", "consolidated", RGBColor(0x2f, 0x6d, 0xb5)),
    ("已废止", "withdrawn", RGBColor(0xb8, 0x4a, 0x4a)),
];

/// Colours of the series of grouped bars (steps, late/extended), in turn.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0x2f, 0x6d, 0xb5),
    RGBColor(0xe8, 0xa3, 0x3d),
    RGBColor(0x3c, 0x9a, 0x5f),
    RGBColor(0x8e, 0x5e, 0xa2),
    RGBColor(0xb8, 0x4a, 0x4a),
    RGBColor(0x5b, 0xa8, 0xb8),
];

/// A chart: one `<svg>` of the report in a language, or `None` when the report lacks
/// its section.
pub type Chart = fn(&Report, Lang) -> Option<String>;

/// Every chart with a short name (for element ids), in the order a page shows them.
pub const ALL: [(&str, Chart); 6] = [
    ("domain", domain),
    ("category", category),
    ("department", department),
    ("states", states),
    ("steps", steps),
    ("assessment", assessment),
];

/// Progress by domain: one stacked bar per domain, its standards by stage group.
pub fn domain(report: &Report, lang: Lang) -> Option<String> {
    progress_chart(report, GroupBy::Domain, lang)
}

/// Progress by category: one stacked bar per category, its standards by stage group.
pub fn category(report: &Report, lang: Lang) -> Option<String> {
    progress_chart(report, GroupBy::Category, lang)
}

/// Progress by department: one stacked bar per responsible department (and the
/// unassigned standards), by stage group. Drawn from the department grouping, else
/// from the load section, which counts the same groups.
pub fn department(report: &Report, lang: Lang) -> Option<String> {
    if let Some(svg) = progress_chart(report, GroupBy::Department, lang) {
        return Some(svg);
    }
    let load = report.load.as_ref()?;
    let bars = Bars {
        title: title(report, Section::Department, lang),
        x_desc: pick(lang, "标准数", "standards").to_owned(),
        categories: load.iter().map(|d| d.label.get(lang).to_owned()).collect(),
        series: stage_group_series(
            lang,
            load.iter()
                .map(|d| [d.not_started, d.in_progress, d.in_force, d.consolidated, d.withdrawn])
                .collect(),
        ),
        layout: Layout::Stacked,
        scale: Scale::Count,
    };
    bars.draw()
}

/// The whole catalog by state: one bar per stage (not started first), from any
/// progress section's total.
pub fn states(report: &Report, lang: Lang) -> Option<String> {
    let source = report
        .progress
        .iter()
        .find(|p| p.group_by == GroupBy::Stage)
        .or_else(|| report.progress.first())?;
    let by_stage = &source.total.by_stage;
    let bars = Bars {
        title: title(report, Section::State, lang),
        x_desc: pick(lang, "标准数", "standards").to_owned(),
        categories: by_stage.iter().map(|c| c.label.get(lang).to_owned()).collect(),
        series: vec![Series {
            name: pick(lang, "标准数", "standards").to_owned(),
            color: PALETTE[0],
            values: by_stage.iter().map(|c| Some(c.count as f64)).collect(),
        }],
        layout: Layout::Grouped,
        scale: Scale::Count,
    };
    bars.draw()
}

/// Each step of the plan (labelled with its due date): how many standards are late
/// against it and how many had their date extended by the leading group.
pub fn steps(report: &Report, lang: Lang) -> Option<String> {
    let steps = report.steps.as_ref()?;
    let bars = Bars {
        title: format!("{}{}", steps.title.get(lang), date_suffix(report, lang)),
        x_desc: pick(lang, "标准数", "standards").to_owned(),
        categories: steps
            .steps
            .iter()
            .map(|s| format!("{} ({})", s.label.get(lang), s.due))
            .collect(),
        series: vec![
            Series {
                name: pick(lang, "逾期", "late").to_owned(),
                color: STAGE_GROUPS[4].2,
                values: steps.steps.iter().map(|s| Some(s.late.len() as f64)).collect(),
            },
            Series {
                name: pick(lang, "延期", "extended").to_owned(),
                color: STAGE_GROUPS[1].2,
                values: steps.steps.iter().map(|s| Some(s.extended.len() as f64)).collect(),
            },
        ],
        layout: Layout::Grouped,
        scale: Scale::Count,
    };
    bars.draw()
}

/// The yearly assessment: each department's on-time rate per step of the plan (and
/// the court's), a bar per step; a step with nothing judged yet has no bar.
pub fn assessment(report: &Report, lang: Lang) -> Option<String> {
    let a = report.assessment.as_ref()?;
    let rows: Vec<_> = a.rows.iter().chain(std::iter::once(&a.total)).collect();
    let series = a
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| Series {
            name: step.label.get(lang).to_owned(),
            color: PALETTE[i % PALETTE.len()],
            values: rows
                .iter()
                .map(|r| {
                    r.steps
                        .iter()
                        .find(|s| s.step == step.step)
                        .and_then(|s| s.on_time_rate)
                        .map(|rate| rate * 100.0)
                })
                .collect(),
        })
        .collect();
    let bars = Bars {
        title: format!(
            "{} {} — {}",
            a.title.get(lang),
            a.year,
            pick(lang, "各步骤按期完成率", "on-time rate per step")
        ),
        x_desc: pick(lang, "按期完成率（%）", "on time (%)").to_owned(),
        categories: rows.iter().map(|r| r.label.get(lang).to_owned()).collect(),
        series,
        layout: Layout::Grouped,
        scale: Scale::Percent,
    };
    bars.draw()
}

/// A progress section's chart: a stacked bar per group (the total row left out).
fn progress_chart(report: &Report, group_by: GroupBy, lang: Lang) -> Option<String> {
    let p: &ProgressReport = report.progress.iter().find(|p| p.group_by == group_by)?;
    let section = match group_by {
        GroupBy::Domain => Section::Domain,
        GroupBy::Category => Section::Category,
        GroupBy::Department => Section::Department,
        GroupBy::Stage => Section::State,
    };
    let bars = Bars {
        title: title(report, section, lang),
        x_desc: pick(lang, "标准数", "standards").to_owned(),
        categories: p.rows.iter().map(|r| r.label.get(lang).to_owned()).collect(),
        series: stage_group_series(lang, p.rows.iter().map(stage_groups).collect()),
        layout: Layout::Stacked,
        scale: Scale::Count,
    };
    bars.draw()
}

/// A progress row's counts in the five stage groups, as the tables count them.
fn stage_groups(row: &ProgressRow) -> [usize; 5] {
    let count = |pick: &dyn Fn(Option<Stage>) -> bool| -> usize {
        row.by_stage.iter().filter(|c| pick(c.stage)).map(|c| c.count).sum()
    };
    [
        count(&|s| s.is_none()),
        count(&|s| s.is_some_and(Stage::is_in_progress)),
        count(&|s| matches!(s, Some(Stage::Published | Stage::FollowUp))),
        count(&|s| s == Some(Stage::Consolidated)),
        count(&|s| s == Some(Stage::Withdrawn)),
    ]
}

/// The five stage groups as series, from each category's counts.
fn stage_group_series(lang: Lang, counts: Vec<[usize; 5]>) -> Vec<Series> {
    STAGE_GROUPS
        .iter()
        .enumerate()
        .map(|(i, &(zh, en, color))| Series {
            name: pick(lang, zh, en).to_owned(),
            color,
            values: counts.iter().map(|c| Some(c[i] as f64)).collect(),
        })
        .collect()
}

/// A chart's title: the section's name and the report's date.
fn title(report: &Report, section: Section, lang: Lang) -> String {
    let name = match section {
        Section::Domain => Label::new("按领域统计进度", "Progress by domain"),
        Section::Category => Label::new("按类别统计进度", "Progress by category"),
        Section::Department => Label::new("按责任部门统计进度", "Progress by department"),
        Section::State => Label::new("按状态统计进度", "Progress by state"),
        other => other.label(),
    };
    format!("{}{}", name.get(lang), date_suffix(report, lang))
}

fn date_suffix(report: &Report, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("（截至 {}）", report.date),
        Lang::En => format!(" (as of {})", report.date),
    }
}

const fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// How a category's series are drawn.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// End to end in one bar (parts of a whole).
    Stacked,
    /// One thin bar each, one above the other (figures side by side).
    Grouped,
}

/// What the x axis measures.
#[derive(Clone, Copy, PartialEq)]
enum Scale {
    /// Whole numbers from 0.
    Count,
    /// 0 to 100 %.
    Percent,
}

/// One series: a value per category (`None`: no bar, e.g. a rate with nothing due).
struct Series {
    name: String,
    color: RGBColor,
    values: Vec<Option<f64>>,
}

/// A horizontal bar chart.
struct Bars {
    title: String,
    x_desc: String,
    /// From top to bottom.
    categories: Vec<String>,
    series: Vec<Series>,
    layout: Layout,
    scale: Scale,
}

impl Bars {
    /// The chart as an `<svg>` element; `None` only if plotters failed, which it does
    /// not when drawing into a string.
    fn draw(&self) -> Option<String> {
        let mut svg = String::new();
        self.draw_into(&mut svg).ok()?;
        Some(svg)
    }

    /// The value of series `s` for category `c`, finite and not negative.
    fn value(&self, s: usize, c: usize) -> Option<f64> {
        let v = self.series[s].values.get(c).copied().flatten()?;
        v.is_finite().then_some(v.max(0.0))
    }

    fn draw_into(&self, svg: &mut String) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
        let n = self.categories.len().max(1);
        let k = self.series.len().max(1);
        let row = match self.layout {
            Layout::Stacked => ROW,
            Layout::Grouped if k == 1 => ROW,
            Layout::Grouped => (k as u32 * 12 + 10).max(ROW),
        };
        let height = TOP + n as u32 * row + X_AXIS + 8;
        let labels: Vec<String> = self.categories.iter().map(|c| shorten(&clean(c))).collect();
        let label_columns = labels.iter().map(|l| columns(l)).max().unwrap_or(0);
        // About 8 px per column at 13 px (a Chinese character is 13 wide), plus the
        // ticks and a gap; a guess, as the browser picks the font.
        let label_width = (label_columns as u32 * 8 + 24).clamp(64, 280);

        let max = match self.scale {
            Scale::Percent => 100.0,
            Scale::Count => (0..n)
                .map(|c| match self.layout {
                    Layout::Stacked => (0..self.series.len()).filter_map(|s| self.value(s, c)).sum(),
                    Layout::Grouped => (0..self.series.len())
                        .filter_map(|s| self.value(s, c))
                        .fold(0.0, f64::max),
                })
                .fold(0.0, f64::max),
        };
        let (x_max, ticks) = ticks(max, self.scale);
        // Room right of the longest bar for its figure.
        let x_end = x_max * 1.12;

        let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, body) = root.split_vertically(TOP);
        top.draw(&Text::new(
            clean(&self.title),
            (12, 8),
            (FONT, 18).into_font().style(FontStyle::Bold).color(&BLACK),
        ))?;
        // The legend, on one line under the title (one series of counts needs none;
        // a rate names its step).
        if self.series.len() > 1 || self.scale == Scale::Percent {
            let mut x = label_width as i32;
            for s in &self.series {
                let name = clean(&s.name);
                top.draw(&Rectangle::new([(x, 40), (x + 12, 52)], s.color.filled()))?;
                top.draw(&Text::new(
                    name.clone(),
                    (x + 17, 46),
                    (FONT, 14)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                x += 17 + columns(&name) as i32 * 8 + 20;
            }
        }

        let centres: Vec<i32> = (0..n).map(|i| at(i as f64 + 0.5)).collect();
        let ticks: Vec<i32> = ticks.into_iter().map(at).collect();
        let mut chart = ChartBuilder::on(&body)
            .margin_right(16)
            .margin_bottom(8)
            .x_label_area_size(X_AXIS)
            .y_label_area_size(label_width)
            .build_cartesian_2d(
                (0..at(x_end)).with_key_points(ticks),
                (0..at(n as f64)).with_key_points(centres),
            )?;
        let scale = self.scale;
        let y_label = |y: &i32| -> String {
            // Row i (from the top) is centred at n - i - 0.5.
            let i = n as f64 - f64::from(*y) / UNIT - 0.5;
            if i >= 0.0 {
                labels.get(i.round() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .x_desc(clean(&self.x_desc))
            .x_label_formatter(&|x: &i32| {
                let x = f64::from(*x) / UNIT;
                match scale {
                    Scale::Count => format!("{x:.0}"),
                    Scale::Percent => format!("{x:.0}%"),
                }
            })
            .y_label_formatter(&y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()?;

        let figure = |v: f64| match scale {
            Scale::Count => format!("{v:.0}"),
            Scale::Percent => format!("{v:.1}%"),
        };
        let small = (FONT, 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for c in 0..n.min(self.categories.len()) {
            let top_y = (n - c) as f64;
            match self.layout {
                Layout::Stacked => {
                    let mut x = 0.0;
                    for (s, series) in self.series.iter().enumerate() {
                        let Some(v) = self.value(s, c).filter(|v| *v > 0.0) else {
                            continue;
                        };
                        chart.draw_series(std::iter::once(Rectangle::new(
                            [(at(x), at(top_y - 0.18)), (at(x + v), at(top_y - 0.82))],
                            series.color.filled(),
                        )))?;
                        x += v;
                    }
                    chart.draw_series(std::iter::once(Text::new(
                        figure(x),
                        (at(x + x_max * 0.01), at(top_y - 0.5)),
                        small.clone(),
                    )))?;
                }
                Layout::Grouped => {
                    let band = 0.8 / k as f64;
                    for (s, series) in self.series.iter().enumerate() {
                        let y1 = top_y - 0.1 - band * s as f64;
                        let (y0, mid) = (y1 - band * 0.85, y1 - band * 0.425);
                        let Some(v) = self.value(s, c) else {
                            chart.draw_series(std::iter::once(Text::new(
                                "—".to_owned(),
                                (at(x_max * 0.01), at(mid)),
                                small.clone(),
                            )))?;
                            continue;
                        };
                        if v > 0.0 {
                            chart.draw_series(std::iter::once(Rectangle::new(
                                [(0, at(y1)), (at(v.min(x_end)), at(y0))],
                                series.color.filled(),
                            )))?;
                        }
                        chart.draw_series(std::iter::once(Text::new(
                            figure(v),
                            (at(v.min(x_max) + x_max * 0.01), at(mid)),
                            small.clone(),
                        )))?;
                    }
                }
            }
        }
        root.present()?;
        Ok(())
    }
}

/// The axis' end and its ticks: a round end above `max`, five or so round steps.
fn ticks(max: f64, scale: Scale) -> (f64, Vec<f64>) {
    if scale == Scale::Percent {
        return (100.0, (0..=5).map(|i| f64::from(i) * 20.0).collect());
    }
    let max = if max.is_finite() { max.max(1.0) } else { 1.0 };
    let rough = max / 5.0;
    let magnitude = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let count = (max / step).ceil() as usize;
    let end = step * count as f64;
    (end, (0..=count).map(|i| step * i as f64).collect())
}

/// Text as an SVG text node may hold it: control characters (which XML forbids and
/// plotters does not escape) become spaces. Plotters escapes `<`, `>`, `&` and quotes.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Display columns of a text: two for a wide (CJK) character, one otherwise.
fn columns(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// A category label cut to [`MAX_LABEL_COLUMNS`], with an ellipsis when cut (the
/// tables beside the charts give every name in full).
fn shorten(text: &str) -> String {
    if columns(text) <= MAX_LABEL_COLUMNS {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = if is_wide(c) { 2 } else { 1 };
        if used + w > MAX_LABEL_COLUMNS - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(0.0, Scale::Count), (1.0, vec![0.0, 1.0]));
        let (end, t) = ticks(37.0, Scale::Count);
        assert_eq!(end, 40.0);
        assert_eq!(t, vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        let (end, _) = ticks(3500.0, Scale::Count);
        assert_eq!(end, 4000.0);
        assert_eq!(ticks(f64::NAN, Scale::Count).0, 1.0);
    }

    #[test]
    fn labels_are_cleaned_and_shortened_by_display_width() {
        assert_eq!(clean("a\u{1}b\nc"), "a b c");
        let long = "审判执行工作标准化建设领导小组办公室综合协调";
        let short = shorten(long);
        assert!(short.ends_with('…'));
        assert!(columns(&short) <= MAX_LABEL_COLUMNS);
        assert_eq!(shorten("刑事审判庭"), "刑事审判庭");
    }
}
