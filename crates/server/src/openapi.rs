//! The OpenAPI 3.1 document of the service, built from the code: the operations
//! below, the problem kinds of [`crate::problem::KINDS`], and the JSON Schemas the
//! library derives from its own types. `crates/server/openapi.json` is this document
//! as committed; a test fails when they differ (`REGULA_BLESS=1` rewrites it).

use serde_json::{Map, Value, json};

/// One operation of the interface.
pub struct Operation {
    /// The HTTP method, lower case.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The operation id.
    pub id: &'static str,
    /// A one-line summary (zh / en).
    pub summary: (&'static str, &'static str),
    /// The token scope needed: `None` public, `Some("any")` any token.
    pub scope: Option<&'static str>,
    /// The success status and its content: (status, media type, schema reference).
    pub ok: (u16, &'static str, Value),
    /// The problem statuses it may answer besides 400, 401 and 500.
    pub problems: &'static [u16],
    /// Query parameters: (name, schema, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// The request body: (media type, schema), if any.
    pub body: Option<(&'static str, Value)>,
    /// Request headers it reads: (name, description).
    pub headers: &'static [(&'static str, &'static str)],
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": schema_ref(name)})
}

/// Every operation the service serves.
pub fn operations() -> Vec<Operation> {
    let text = json!({"type": "string"});
    vec![
        Operation {
            method: "get",
            path: "/healthz",
            id: "healthz",
            summary: ("存储可达时为 200", "200 when the store answers"),
            scope: None,
            ok: (200, "application/json", schema_ref("Health")),
            problems: &[503],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/metrics",
            id: "metrics",
            summary: ("Prometheus 文本格式的指标", "Metrics in Prometheus' text format"),
            scope: None,
            ok: (200, "text/plain", text.clone()),
            problems: &[],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/openapi.json",
            id: "openapi",
            summary: ("本接口说明（OpenAPI 3.1）", "This interface description (OpenAPI 3.1)"),
            scope: None,
            ok: (200, "application/json", json!({"type": "object"})),
            problems: &[],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/catalog",
            id: "catalog",
            summary: ("现行标准目录", "The catalog in force"),
            scope: Some("any"),
            ok: (200, "application/json", array_of("CatalogEntry")),
            problems: &[],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "post",
            path: "/v1/catalog/import",
            id: "importCatalog",
            summary: (
                "导入目录（空请求体）或增补目录（请求体为目录 TOML）；需管理令牌",
                "Import the catalog (empty body) or extend it (a catalog's TOML as the body); an admin token",
            ),
            scope: Some("admin"),
            ok: (200, "application/json", schema_ref("Imported")),
            problems: &[403, 409, 422],
            query: &[],
            body: Some(("text/plain", text.clone())),
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/standards",
            id: "listStandards",
            summary: (
                "标准及其状态，可筛选（同 regula list）",
                "Standards and their state, filtered as `regula list`",
            ),
            scope: Some("any"),
            ok: (200, "application/json", array_of("StandardStatus")),
            problems: &[],
            query: &[
                ("domain", "string", "A domain by code or zh/en name"),
                ("category", "string", "A category by code or zh/en name"),
                (
                    "department",
                    "string",
                    "A department by name, alias or id, or `unassigned`",
                ),
                (
                    "state",
                    "string",
                    "A state by machine name or zh label, or `not_started`",
                ),
                (
                    "late",
                    "date",
                    "Only standards overdue at the end of this date (YYYY-MM-DD, 1900 to 2999)",
                ),
            ],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/standards/{code}",
            id: "showStandard",
            summary: (
                "一项标准：状态、下一步受何阻碍、可执行的操作；ETag 为最后一条记录的序号",
                "One standard: its state, what blocks its next step, the actions it allows; ETag is its last sequence number",
            ),
            scope: Some("any"),
            ok: (200, "application/json", schema_ref("StandardView")),
            problems: &[404],
            query: &[("at", "string", "As of this time (RFC 3339 or a date)")],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/standards/{code}/records",
            id: "listRecords",
            summary: (
                "一项标准的全部审计记录（含被拒绝的）",
                "A standard's audit trail, refusals included",
            ),
            scope: Some("any"),
            ok: (200, "application/json", array_of("AuditRecord")),
            problems: &[404],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "post",
            path: "/v1/standards/{code}/records",
            id: "act",
            summary: (
                "以令牌所属操作人办理一项操作：201 已接受，422 被拒绝（已记录）",
                "Attempt an action as the token's actor: 201 accepted, 422 refused (recorded)",
            ),
            scope: Some("act"),
            ok: (201, "application/json", schema_ref("AuditRecord")),
            problems: &[403, 404, 409, 412, 413, 422, 503],
            query: &[],
            body: Some(("application/json", schema_ref("ActionRequest"))),
            headers: &[
                (
                    "If-Match",
                    "The sequence number last seen (the standard's ETag); 412 when the log moved on",
                ),
                (
                    "Idempotency-Key",
                    "1–200 visible ASCII characters; a retry under the same key answers the first result",
                ),
            ],
        },
        Operation {
            method: "get",
            path: "/v1/standards/{code}/records/{seq}",
            id: "showRecord",
            summary: ("一条记录", "One record"),
            scope: Some("any"),
            ok: (200, "application/json", schema_ref("AuditRecord")),
            problems: &[404],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/standards/{code}/records/{seq}/proof",
            id: "prove",
            summary: (
                "一条记录在日志中的证明，对照服务此刻签名的检查点",
                "A proof that a record is in the log, against a checkpoint the service signs now",
            ),
            scope: Some("any"),
            ok: (200, "application/json", schema_ref("ProofBundle")),
            problems: &[404, 409],
            query: &[],
            body: None,
            headers: &[],
        },
        Operation {
            method: "post",
            path: "/v1/standards/{code}/preview",
            id: "preview",
            summary: (
                "预判一项操作的结果，不写入任何内容",
                "The decision an action would get now, writing nothing",
            ),
            scope: Some("act"),
            ok: (200, "application/json", schema_ref("Decision")),
            problems: &[403, 404, 413],
            query: &[],
            body: Some(("application/json", schema_ref("ActionRequest"))),
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/reports",
            id: "report",
            summary: (
                "建设进度报表（同 regula report）",
                "The plan's progress report, as `regula report`",
            ),
            scope: Some("any"),
            ok: (200, "application/json", schema_ref("Report")),
            problems: &[406],
            query: &[
                (
                    "sections",
                    "string",
                    "Comma-separated: domain, category, department, state, steps, load, assessment",
                ),
                ("as_of", "date", "As of the end of this date (YYYY-MM-DD, 1900 to 2999)"),
                ("year", "year", "The assessment's year (1900 to 2999)"),
                ("format", "string", "json (default), markdown or csv"),
                ("lang", "string", "Language of markdown and CSV: zh (default) or en"),
            ],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/verify",
            id: "verify",
            summary: (
                "校验整个存储（同 regula verify）",
                "Verify the whole store, as `regula verify`",
            ),
            scope: Some("any"),
            ok: (200, "application/json", schema_ref("VerifyReport")),
            problems: &[],
            query: &[("full", "boolean", "Also the database's own integrity check")],
            body: None,
            headers: &[],
        },
        Operation {
            method: "get",
            path: "/v1/checkpoint",
            id: "checkpoint",
            summary: (
                "此刻的检查点（服务有密钥时签名）",
                "The checkpoint now (signed when the service has a key)",
            ),
            scope: Some("any"),
            ok: (200, "text/plain", text),
            problems: &[],
            query: &[],
            body: None,
            headers: &[],
        },
    ]
}

fn parameter_schema(kind: &str) -> Value {
    match kind {
        // Years 1900 to 2999 ([`crate::routes::YEARS`]).
        "date" => json!({"type": "string", "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-"}),
        "year" => {
            json!({"type": "integer", "minimum": crate::routes::YEARS.start(), "maximum": crate::routes::YEARS.end()})
        }
        "boolean" => json!({"type": "boolean"}),
        _ => json!({"type": "string"}),
    }
}

fn problem_response(status: u16) -> Value {
    let kinds: Vec<&str> = crate::problem::KINDS
        .iter()
        .filter(|(_, s, ..)| *s == status)
        .map(|(k, ..)| *k)
        .collect();
    let description = match status {
        _ if kinds.is_empty() => "A problem".to_owned(),
        _ => format!("Problem: {}", kinds.join(", ")),
    };
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": schema_ref("Problem")}},
    })
}

fn operation_object(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = Vec::new();
    for segment in op.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            // The examples name a record the README tour writes, so that a client
            // generating requests from this document reaches past a 404.
            let (schema, example) = if name == "seq" {
                (json!({"type": "integer", "minimum": 0, "format": "int64"}), json!(1))
            } else {
                (json!({"type": "string"}), json!("ADJ-01-01"))
            };
            parameters
                .push(json!({"name": name, "in": "path", "required": true, "schema": schema, "example": example}));
        }
    }
    for (name, kind, description) in op.query {
        parameters.push(json!({"name": name, "in": "query", "required": false,
            "description": description, "schema": parameter_schema(kind)}));
    }
    for (name, description) in op.headers {
        parameters.push(json!({"name": name, "in": "header", "required": false,
            "description": description, "schema": {"type": "string"}}));
    }
    parameters.push(json!({"name": "Accept-Language", "in": "header", "required": false,
        "description": "zh (default) or en: the language of problem titles and details",
        "schema": {"type": "string"}}));
    let (status, media, schema) = &op.ok;
    let mut responses = Map::new();
    responses.insert(
        status.to_string(),
        json!({"description": op.summary.1, "content": {*media: {"schema": schema}}}),
    );
    let mut problems: Vec<u16> = op.problems.to_vec();
    if op.scope.is_some() {
        problems.extend([400, 401]);
    }
    problems.push(500);
    problems.sort_unstable();
    problems.dedup();
    for p in problems {
        responses.insert(p.to_string(), problem_response(p));
    }
    let mut object = Map::new();
    object.insert("operationId".into(), json!(op.id));
    object.insert("summary".into(), json!(op.summary.1));
    object.insert(
        "description".into(),
        json!(format!(
            "{} / {}{}",
            op.summary.0,
            op.summary.1,
            match op.scope {
                None => String::new(),
                Some("any") => ". Any valid token.".to_owned(),
                Some(scope) => format!(". A token of scope `{scope}`."),
            }
        )),
    );
    object.insert("parameters".into(), Value::Array(parameters));
    if let Some((media, schema)) = &op.body {
        object.insert(
            "requestBody".into(),
            json!({"required": *media == "application/json", "content": {*media: {"schema": schema}}}),
        );
    }
    object.insert("responses".into(), Value::Object(responses));
    if op.scope.is_none() {
        object.insert("security".into(), json!([]));
    }
    Value::Object(object)
}

/// The component schemas.
pub fn schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    let kinds: Vec<String> = crate::problem::KINDS
        .iter()
        .map(|(k, ..)| format!("/problems/{k}"))
        .collect();
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "RFC 9457 problem details; title and detail in the request's language, both languages in i18n",
            "required": ["type", "title", "status", "detail", "i18n"],
            "properties": {
                "type": {"type": "string", "enum": kinds},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "i18n": {"type": "object", "required": ["zh", "en"], "properties": {
                    "zh": {"$ref": "#/components/schemas/ProblemText"},
                    "en": {"$ref": "#/components/schemas/ProblemText"}}},
                "reasons": {"type": "array", "items": {"type": "object"}, "description": "The failed rules of a refusal"},
                "record": {"$ref": "#/components/schemas/AuditRecord"},
                "seq": {"type": "integer", "description": "The standard's last sequence number (412, 409)"},
                "actions": {"type": "array", "items": {"type": "string"}},
                "role": {"type": "string"}
            }
        }),
    );
    schemas.insert(
        "ProblemText".into(),
        json!({"type": "object", "required": ["title", "detail"],
            "properties": {"title": {"type": "string"}, "detail": {"type": "string"}}}),
    );
    schemas.insert(
        "Health".into(),
        json!({"type": "object", "required": ["status", "records"],
            "properties": {"status": {"const": "ok"}, "records": {"type": "integer", "minimum": 0}}}),
    );
    schemas.insert(
        "Imported".into(),
        json!({"type": "object", "required": ["opened", "total"],
            "properties": {"opened": {"type": "array", "items": {"type": "string"}}, "total": {"type": "integer"}}}),
    );
    schemas.insert(
        "Decision".into(),
        json!({"type": "object", "required": ["decision", "role"], "properties": {
            "decision": {"enum": ["accept", "refuse"]}, "to": {"type": "string"}, "role": {"type": "string"},
            "reasons": {"type": "array", "items": {"type": "object"}}}}),
    );
    schemas.insert(
        "VerifyReport".into(),
        json!({"type": "object", "required": ["ok", "records", "instances", "replayed", "problems"], "properties": {
            "ok": {"type": "boolean"}, "records": {"type": "integer"}, "instances": {"type": "integer"},
            "replayed": {"type": "integer"}, "root": {"type": ["string", "null"]},
            "problems": {"type": "array", "items": {"type": "string"}}}}),
    );
    // The library's own schemas, derived from the types serde reads and writes.
    let derived = regula_core::schema::schemas()
        .into_iter()
        .chain(regula_standards::schema::schemas())
        .chain(regula_proof::schema::schemas())
        .map(|(name, schema)| (name.to_owned(), schema))
        .chain([
            (
                "StandardView".to_owned(),
                output_schema::<regula_standards::view::StandardView>(),
            ),
            (
                "CatalogEntry".to_owned(),
                output_schema::<regula_standards::catalog::Entry>(),
            ),
            ("Report".to_owned(), output_schema::<regula_standards::report::Report>()),
        ]);
    for (name, schema) in derived {
        lift(&mut schemas, &name, schema);
    }
    // One payload schema per action, and the request that carries it.
    let mut variants = Vec::new();
    for (action, payload) in regula_standards::schema::action_schemas() {
        let name = format!("Payload_{action}");
        let fieldless = payload.get("type") == Some(&json!("null"));
        let payload = if fieldless {
            json!({"description": "This action has no fields: no payload, null or {}",
                "anyOf": [{"type": "null"}, {"type": "object", "maxProperties": 0}]})
        } else {
            payload
        };
        let required = payload
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        lift(&mut schemas, &name, payload);
        // Optional fields only: no payload, null or `{}` mean the same (`action_of`).
        if !fieldless
            && !required
            && let Some(lifted) = schemas.remove(&name)
        {
            schemas.insert(name.clone(), json!({"anyOf": [{"type": "null"}, lifted]}));
        }
        let mut properties = request_properties();
        properties.insert("action".into(), json!({"const": action}));
        properties.insert("payload".into(), schema_ref(&name));
        let required: Vec<&str> = if required {
            vec!["action", "payload"]
        } else {
            vec!["action"]
        };
        variants.push(json!({"type": "object", "additionalProperties": false,
            "required": required, "properties": properties}));
    }
    schemas.insert(
        "ActionRequest".into(),
        json!({
            "description": "An action and its payload; the actor is the token's, never named here",
            "oneOf": variants,
        }),
    );
    schemas
}

/// The schema of what a response carries: of the type as serde *writes* it (a field
/// skipped when empty is then not required).
fn output_schema<T: schemars::JsonSchema>() -> Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// The members of an action request besides `action` and `payload`.
fn request_properties() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        "role".into(),
        json!({"type": ["string", "null"], "description": "The role to act in; absent: the first the action allows that the caller fits"}),
    );
    properties.insert(
        "note".into(),
        json!({"type": ["string", "null"], "description": "A note kept in the record"}),
    );
    properties.insert(
        "at".into(),
        json!({"type": ["string", "null"], "description": "When the event happened, for one entered after the fact: RFC 3339 or a date (09:00 that day in the court's time zone)"}),
    );
    properties
}

/// Adds a standalone JSON Schema document as the component `name`, its `$defs` as
/// components of their own (a definition of the same name and another content is
/// renamed `<name>_<def>`), its references rewritten to point there.
fn lift(components: &mut Map<String, Value>, name: &str, mut schema: Value) {
    let defs = match schema.as_object_mut() {
        Some(object) => {
            object.remove("$schema");
            // The component's name is its title; a root and the same type met as
            // another's definition are then one component.
            if object.get("title").and_then(Value::as_str) == Some(name) {
                object.remove("title");
            }
            match object.remove("$defs") {
                Some(Value::Object(defs)) => defs,
                _ => Map::new(),
            }
        }
        None => Map::new(),
    };
    // Compared as they will be stored (references rewritten): a definition equal to a
    // component already there is that component.
    let mut renamed: std::collections::HashMap<String, String> =
        defs.keys().map(|def| (def.clone(), def.clone())).collect();
    for (def, value) in &defs {
        let mut stored = value.clone();
        rewrite_refs(&mut stored, &renamed);
        if components.get(def).is_some_and(|existing| *existing != stored) {
            renamed.insert(def.clone(), format!("{name}_{def}"));
        }
    }
    for (def, mut value) in defs {
        rewrite_refs(&mut value, &renamed);
        let target = renamed.get(&def).cloned().unwrap_or(def);
        components.entry(target).or_insert(value);
    }
    rewrite_refs(&mut schema, &renamed);
    components.insert(name.to_owned(), schema);
}

/// Points every `#/$defs/X` reference at `#/components/schemas/<renamed X>`.
fn rewrite_refs(value: &mut Value, renamed: &std::collections::HashMap<String, String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object.iter_mut() {
                if key == "$ref"
                    && let Value::String(reference) = inner
                    && let Some(def) = reference.strip_prefix("#/$defs/")
                {
                    let target = renamed.get(def).map_or(def, String::as_str);
                    *reference = format!("#/components/schemas/{target}");
                } else {
                    rewrite_refs(inner, renamed);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renamed)),
        _ => {}
    }
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in operations() {
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        if let Value::Object(methods) = entry {
            methods.insert(op.method.to_owned(), operation_object(&op));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Regula",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "法院工作标准全生命周期服务 / A court's work standards as a typed, guarded, audited lifecycle. Errors are RFC 9457 problem details in zh and en.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A token issued with `regula token issue`"}},
            "schemas": schemas(),
        },
    })
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
