//! The state-space explorer on a long chain: states explored per second beside a bare
//! breadth-first search with parent links over the same graph as adjacency lists (the
//! least any explorer must do), and the peak memory of this process afterwards.

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use regula_core::dynamic::Dynamic;
use regula_core::{Definition, DynState, Registry};
use regula_testkit::explore::Explorer;

use crate::measure::{self, human};
use crate::report::{Report, Row};

/// A definition whose states form one chain `s0 → s1 → … → end`.
fn chain(n: usize) -> Definition<Dynamic> {
    let mut toml = String::from("name = \"chain\"\nversion = 1\ninitial = \"s0\"\nterminal = [\"end\"]\n[states]\n");
    for i in 0..n {
        toml.push_str(&format!("s{i} = {{ zh = \"步{i}\", en = \"Step {i}\" }}\n"));
    }
    toml.push_str("end = { zh = \"终\", en = \"End\" }\n[actions]\nnext = { zh = \"下一步\", en = \"Next\" }\n");
    toml.push_str("[roles]\nclerk = { zh = \"书记员\", en = \"Clerk\" }\n");
    for i in 0..n {
        let to = if i + 1 == n {
            "end".to_owned()
        } else {
            format!("s{}", i + 1)
        };
        toml.push_str(&format!(
            "[[transitions]]\nfrom = \"s{i}\"\naction = \"next\"\nto = \"{to}\"\nroles = [\"clerk\"]\n"
        ));
    }
    Definition::<Dynamic>::from_toml(&toml, &Registry::new()).expect("a valid chain")
}

/// Breadth-first search with parent links over `succ`: the baseline.
fn bare_bfs(succ: &[Vec<usize>]) -> usize {
    let mut parent = vec![usize::MAX; succ.len()];
    let mut queue = VecDeque::from([0]);
    parent[0] = 0;
    let mut seen = 1;
    while let Some(n) = queue.pop_front() {
        for &m in &succ[n] {
            if parent[m] == usize::MAX {
                parent[m] = n;
                seen += 1;
                queue.push_back(m);
            }
        }
    }
    black_box(&parent);
    seen
}

/// This process's peak resident memory, from `/proc/self/status` (Linux), in bytes.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs the section.
pub fn run(report: &mut Report, quick: bool) {
    let n = if quick { 10_000 } else { 100_000 };
    let definition = Arc::new(chain(n));
    let succ: Vec<Vec<usize>> = (0..=n).map(|i| if i < n { vec![i + 1] } else { Vec::new() }).collect();
    let explorer = Explorer::new(Arc::clone(&definition))
        .max_states(n + 10)
        .max_depth(n + 10);
    let mut explored_depth = 0;
    let (ours, baseline) = measure::alternate(
        if quick { 2 } else { 3 },
        |_| {
            let start = Instant::now();
            let report = explorer.explore().expect("within the bounds");
            explored_depth = report.depth;
            // Reading one long path back is part of what a report is for.
            let path = report.path_to(&DynState::new("end")).map_or(0, |p| p.len());
            black_box(path);
            (n + 1) as f64 / start.elapsed().as_secs_f64().max(1e-12)
        },
        |_| {
            let start = Instant::now();
            let seen = bare_bfs(&succ);
            black_box(seen);
            (n + 1) as f64 / start.elapsed().as_secs_f64().max(1e-12)
        },
    );
    assert_eq!(explored_depth, n, "the whole chain was explored");
    report.push(Row {
        section: "explore",
        what: format!("explorer on a {}-state chain, states/s", n + 1),
        figure: format!("{}/s", human(ours)),
        baseline: format!("bare BFS with parent links {}/s", human(baseline)),
        ratio: Some(ours / baseline),
        target: None,
    });
    if let Some(peak) = peak_memory() {
        report.push(Row {
            section: "explore",
            what: format!("peak memory of the process after exploring {} states", n + 1),
            figure: format!("{:.0} MiB", peak as f64 / (1024.0 * 1024.0)),
            baseline: String::new(),
            ratio: None,
            target: None,
        });
    }
}
