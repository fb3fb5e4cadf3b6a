//! Verification: run `verify`, see the latest checkpoint.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::html;
use regula_core::store::StorageCheck;
use serde::Deserialize;

use super::layout::render;
use crate::App;
use crate::problem::{Problem, from_service};
use crate::routes::checkpoint_now;

/// The query of the verification page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct VerifyParams {
    /// `1`: run the verification now.
    #[serde(default)]
    pub run: Option<String>,
    /// `1`: also the database's own integrity check and every queryable column.
    #[serde(default)]
    pub full: Option<String>,
}

fn on(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true" | "on"))
}

/// `GET /verification`: the store's checkpoint now (signed when the server has a
/// key), and, with `?run=1`, the verification of the whole store as `regula verify`
/// does it: counts and every problem found, in the page's language.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<VerifyParams>, QueryRejection>,
) -> Response {
    let query = query
        .map(|Query(q)| q)
        .map_err(|e| Problem::plain("bad-request", "查询参数有误：", "bad query: ", e.body_text()));
    render(&app, &headers, &uri, move |service, court, ctx| {
        let params = query?;
        let note = checkpoint_now(service, court)?;
        let signed = service.key.is_some();
        let full = on(params.full.as_deref());
        let report = if on(params.run.as_deref()) {
            let storage = if full { StorageCheck::Full } else { StorageCheck::Quick };
            Some(
                court
                    .verify_with(None, storage, &mut |_, _| {})
                    .map_err(|e| from_service(e, ""))?,
            )
        } else {
            None
        };
        let problems = report.as_ref().map(|r| r.problem_texts(ctx.lang)).unwrap_or_default();
        let title = ctx.pick("核验", "Verification");
        let body = html! {
            section #verification {
                h1 { (title) }
                p { (ctx.pick("核验重放每条记录的哈希链与每个标准的日志，检查 Merkle 树与检查点是否一致。",
                              "Verification replays every record's hash chain and every standard's log, and checks the Merkle tree against the checkpoint.")) }
                form #verify-run method="get" action="/verification" {
                    div .field {
                        input #verify-full type="checkbox" name="full" value="1" checked[full];
                        " "
                        label for="verify-full" { (ctx.pick("同时做数据库完整性检查（较慢）", "Also the database's own integrity check (slower)")) }
                    }
                    button #verify-button type="submit" name="run" value="1" { (ctx.pick("立即核验", "Verify now")) }
                }
                @if let Some(report) = &report {
                    section #verify-result .(if report.is_ok() { "notice" } else { "problem" }) data-ok=(report.is_ok()) role="status" {
                        h2 {
                            @if report.is_ok() { (ctx.pick("核验通过", "Verified: no problem found")) }
                            @else { (ctx.pick("发现问题", "Problems found")) }
                        }
                        dl .facts {
                            dt { (ctx.pick("记录数", "Records")) } dd data-count=(report.records) { (report.records) }
                            dt { (ctx.pick("标准及日志数", "Logs")) } dd data-count=(report.instances) { (report.instances) }
                            dt { (ctx.pick("已重放", "Replayed")) } dd data-count=(report.replayed) { (report.replayed) }
                            @if let Some(head) = &report.computed {
                                dt { (ctx.pick("Merkle 根", "Merkle root")) } dd { code { (head.root.to_hex()) } }
                            }
                        }
                        @if !problems.is_empty() {
                            ol #verify-problems { @for p in &problems { li .problem-item { (p) } } }
                        }
                    }
                }
                section #checkpoint-section {
                    h2 { (ctx.pick("当前检查点", "The checkpoint now")) }
                    p {
                        @if signed { span .badge .ok { (ctx.pick("已签名", "signed")) } }
                        @else { span .badge .warn { (ctx.pick("未签名（服务未配置 --sign 密钥）", "unsigned (the service has no --sign key)")) } }
                    }
                    pre #checkpoint data-signed=(signed) { (note.to_text()) }
                }
            }
        };
        Ok(ctx.page(title, body))
    })
    .await
}
