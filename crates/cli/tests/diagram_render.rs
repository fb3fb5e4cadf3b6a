//! The DOT that `regula diagram` prints, drawn by Graphviz itself: Chinese in a font
//! that has it, and a drawing of a readable size even with roles and guards.
//!
//! Needs Graphviz's `dot` (`scripts/test.sh` installs it when missing);
//! `REGULA_GRAPHVIZ_SKIP=1` skips this test on purpose, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::*;

/// `dot` as Graphviz installs it, or `None` when this run skips it on purpose.
fn graphviz() -> Option<&'static str> {
    if std::env::var_os("REGULA_GRAPHVIZ_SKIP").is_some() {
        eprintln!("diagram rendering skipped on purpose (REGULA_GRAPHVIZ_SKIP is set)");
        return None;
    }
    let found = Command::new("dot")
        .arg("-V")
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "Graphviz's `dot` was not found: install it (Debian: apt-get install graphviz; scripts/test.sh does), \
         or skip this test on purpose with REGULA_GRAPHVIZ_SKIP=1"
    );
    Some("dot")
}

/// Draws `dot_source` as SVG with Graphviz.
fn draw(dot: &str, source: &str) -> String {
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(source.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The drawing's size in points, from its `<svg width="…pt" height="…pt"`.
fn size(svg: &str) -> (u32, u32) {
    let number = |name: &str| -> u32 {
        let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        svg[start..].split("pt").next().unwrap().parse().unwrap()
    };
    (number("width"), number("height"))
}

#[test]
fn the_court_lifecycle_draws_readably_in_chinese_with_roles_and_guards() {
    let Some(dot) = graphviz() else { return };
    let s = Scratch::new("diagram-render");
    for (args, max_width) in [
        (vec!["diagram", "--format", "dot"], 1600),
        (vec!["diagram", "--format", "dot", "--roles", "--guards"], 2400),
        (
            vec!["--lang", "en", "diagram", "--format", "dot", "--roles", "--guards"],
            2600,
        ),
    ] {
        let source = s.run(&args).ok().stdout;
        let svg = draw(dot, &source);
        let (width, height) = size(&svg);
        // Before labels were wrapped and guards moved to a legend, the second drawing
        // was 6,161 pt wide; a page of A3 landscape at 50 % is about 2,400 pt.
        assert!(width <= max_width && height <= 1000, "{args:?}: {width}×{height} pt");
        // Every text names the fonts that cover Chinese.
        assert!(
            svg.contains("font-family=\"Noto Sans CJK SC,"),
            "{args:?}: no CJK font named"
        );
        assert!(
            !svg.contains("font-family=\"Times"),
            "{args:?}: a text in the default font"
        );
    }
    let source = s
        .run(&["diagram", "--format", "dot", "--roles", "--guards"])
        .ok()
        .stdout;
    let svg = draw(dot, &source);
    for label in ["调研论证", "文本起草", "征求意见", "定型固化", "综合办公室"] {
        assert!(svg.contains(label), "{label} not drawn");
    }
    // Guards by description, once each, in a legend; edges carry only references.
    assert!(svg.contains("G1"), "no guard reference");
    assert!(source.contains("\"__legend\""), "no legend");
    assert!(
        svg.contains("操作人须属于所声明的角色"),
        "the guard's description in Chinese"
    );
    assert!(!source.contains("actor_fits_role"), "no guard key on an edge");
}
