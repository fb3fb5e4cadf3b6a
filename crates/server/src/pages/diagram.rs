//! The lifecycle diagram: the court definition's DOT (the same `regula diagram`
//! prints) laid out and drawn as SVG on the server by `layout-rs`, so the page needs
//! neither Graphviz nor a script; and the same transitions as a table, for reading
//! aloud and printing.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{PreEscaped, html};
use regula_core::{DiagramOptions, Text};

use super::layout::render;
use crate::App;
use crate::problem::Problem;

/// Lays out a DOT digraph and draws it as one `<svg>` element (no XML prolog), its
/// labels as `<text>` so the browser draws Chinese with its own fonts.
pub fn dot_to_svg(dot: &str) -> Result<String, String> {
    let mut parser = layout::gv::DotParser::new(dot);
    let graph = parser.process()?;
    let mut builder = layout::gv::GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = layout::backends::svg::SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    let svg = writer.finalize();
    // The writer starts with an XML prolog, which has no place inside HTML.
    let start = svg
        .find("<svg")
        .ok_or_else(|| "the drawing has no <svg> element".to_owned())?;
    Ok(svg[start..].to_owned())
}

/// `GET /diagram`: the court lifecycle in force, drawn, and its transitions listed.
pub async fn page(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    render(&app, &headers, &uri, |_, court, ctx| {
        let definition = court.definition();
        let options = DiagramOptions::new(ctx.lang);
        let svg = dot_to_svg(&definition.to_dot_with(options)).map_err(|e| {
            Problem::new(
                "internal",
                Text::owned(format!("流程图无法绘制：{e}"), format!("the diagram could not be drawn: {e}")),
            )
        })?;
        let label = |t: Option<&Text>, fallback: &str| t.map_or_else(|| fallback.to_owned(), |t| ctx.t(t).to_owned());
        let state_label = |s: &regula_standards::lifecycle::Stage| ctx.t(&s.label()).to_owned();
        let title = ctx.pick("标准生命周期", "The standards' lifecycle");
        let body = html! {
            h1 { (title) " " small { (definition.name()) " v" (definition.version()) } }
            figure #diagram .diagram role="img" aria-label=(ctx.pick("生命周期流程图", "Lifecycle diagram")) {
                (PreEscaped(svg))
            }
            h2 { (ctx.pick("全部流转", "Every transition")) }
            div .table-wrap {
                table #transitions {
                    thead { tr {
                        th scope="col" { (ctx.pick("从", "From")) }
                        th scope="col" { (ctx.pick("操作", "Action")) }
                        th scope="col" { (ctx.pick("到", "To")) }
                        th scope="col" { (ctx.pick("可办理的角色", "Roles")) }
                        th scope="col" { (ctx.pick("条件", "Rules")) }
                    } }
                    tbody {
                        @for t in definition.transitions() {
                            tr data-action=(t.action) {
                                td { (state_label(&t.from)) }
                                td { (label(definition.action_label(&t.action), &t.action)) }
                                td { (state_label(&t.to)) }
                                td { @for (i, r) in t.roles.iter().enumerate() { @if i > 0 { (ctx.pick("、", ", ")) } (label(definition.role_label(r), r)) } }
                                td { @for (i, g) in t.guards.iter().enumerate() { @if i > 0 { br; } (ctx.t(&definition.describe_guard(g))) } }
                            }
                        }
                    }
                }
            }
        };
        Ok(ctx.page(title, body))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use regula_core::Lang;

    #[test]
    fn the_court_lifecycle_draws_with_its_chinese_labels_as_text() {
        let catalog = regula_standards::catalog::Catalog::builtin().expect("the built-in catalog");
        let config = regula_standards::court::CourtConfig::from_catalog(&catalog);
        let definition = regula_standards::court::standard_definition(&config).expect("the court definition");
        let svg = dot_to_svg(&definition.to_dot_with(DiagramOptions::new(Lang::Zh))).expect("drawn");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        assert!(svg.trim_end().ends_with("</svg>"));
        for state in regula_standards::lifecycle::Stage::ALL {
            let zh = state.label().zh.to_string();
            assert!(svg.contains(&format!(">{zh}<")), "no text {zh} in the drawing");
        }
    }

    #[test]
    fn a_broken_dot_is_an_error_not_a_panic() {
        assert!(dot_to_svg("digraph { a -> ").is_err());
    }
}
