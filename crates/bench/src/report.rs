//! The rows the harness prints: a figure, its same-run baseline, the ratio, the target.

use std::fmt::Write as _;

/// One measured figure.
#[derive(Clone, Debug)]
pub struct Row {
    /// Section, e.g. `transition`.
    pub section: &'static str,
    /// What was measured.
    pub what: String,
    /// The figure, as text with its unit.
    pub figure: String,
    /// The baseline, as text with its unit (empty when none applies).
    pub baseline: String,
    /// figure ÷ baseline, when both are rates.
    pub ratio: Option<f64>,
    /// The target, in words, and whether it was met.
    pub target: Option<(String, bool)>,
}

/// Everything measured in one run.
#[derive(Debug, Default)]
pub struct Report {
    rows: Vec<Row>,
}

impl Report {
    /// Adds a row and prints it at once, so a long run shows progress.
    pub fn push(&mut self, row: Row) {
        let ratio = row.ratio.map_or(String::new(), |r| format!("  ratio {r:.3}"));
        let target = row.target.as_ref().map_or(String::new(), |(t, met)| {
            format!("  target {t}: {}", if *met { "MET" } else { "NOT MET" })
        });
        let baseline = if row.baseline.is_empty() {
            String::new()
        } else {
            format!("  vs {}", row.baseline)
        };
        println!(
            "[{}] {}: {}{baseline}{ratio}{target}",
            row.section, row.what, row.figure
        );
        self.rows.push(row);
    }

    /// The rows as a Markdown table.
    pub fn markdown(&self) -> String {
        let mut out = String::from("| section | measured | figure | same-run baseline | ratio | target | met |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            let (target, met) = match &r.target {
                Some((t, m)) => (t.as_str(), if *m { "yes" } else { "**no**" }),
                None => ("", ""),
            };
            let ratio = r.ratio.map_or(String::new(), |x| format!("{x:.3}"));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.section, r.what, r.figure, r.baseline, ratio, target, met
            );
        }
        out
    }
}
