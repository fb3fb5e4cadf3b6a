//! A catalog refuses ids, aliases, names, codes and labels that could act on a
//! terminal or disguise themselves, with the file's line and column.
#![allow(clippy::unwrap_used)]

use regula_core::PlainTextError;
use regula_core::plain_text::CharKind;
use regula_standards::catalog::{BUILTIN_CATALOG, Catalog, CatalogErrorKind};

fn line_of(source: &str, needle: &str) -> usize {
    source.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap()
}

/// Loads the built-in catalog with `old` replaced by `new` (a TOML escape such as
/// `\u001B` puts the raw character in the value), expecting an unsafe-text error.
fn refused(old: &str, new: &str) -> (regula_standards::CatalogError, PlainTextError, String) {
    assert!(BUILTIN_CATALOG.contains(old), "{old}");
    let source = BUILTIN_CATALOG.replacen(old, new, 1);
    let e = Catalog::from_toml_str(&source).expect_err("the catalog must be refused");
    let inner = match &e.kind {
        CatalogErrorKind::UnsafeText(inner) => inner.clone(),
        other => panic!("expected UnsafeText, got {other:?} ({e})"),
    };
    (e, inner, source)
}

#[test]
fn a_member_id_with_an_escape_sequence_is_refused_where_it_is() {
    let (e, inner, source) = refused(r#"id = "chen.wei""#, r#"id = "chen.wei\u001B[2J""#);
    assert_eq!(e.line, line_of(&source, "chen.wei"));
    assert_eq!(e.column, 6);
    match &inner {
        PlainTextError::Refused {
            field,
            character,
            kind,
            index,
            ..
        } => {
            assert_eq!(field.en, "member id");
            assert_eq!(*character, '\u{1b}');
            assert_eq!(*kind, CharKind::Control);
            assert_eq!(*index, 8);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("<catalog>:{}:6: member id", e.line)),
        "{text}"
    );
    assert!(text.contains("U+001B at character index 8"), "{text}");
    // The message itself carries no raw escape character.
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn departments_units_aliases_and_names_are_checked() {
    for (old, new, field, kind) in [
        (
            r#"id = "case_filing""#,
            r#"id = "case\u202Efiling""#,
            "department id",
            CharKind::Bidi,
        ),
        (
            r#"zh = "立案庭""#,
            r#"zh = "立案\u200B庭""#,
            "zh label",
            CharKind::Invisible,
        ),
        (
            r#"aliases = ["长春林区中级法院办公室"]"#,
            r#"aliases = ["长春林区中级法院\u2066办公室"]"#,
            "alias",
            CharKind::Bidi,
        ),
        (
            r#"name = "陈伟""#,
            r#"name = "陈\u0085伟""#,
            "member name",
            CharKind::Control,
        ),
        (
            r#"document_prefix = "红林法""#,
            r#"document_prefix = "红林法\u2028""#,
            "document prefix",
            CharKind::Separator,
        ),
    ] {
        let (e, inner, _) = refused(old, new);
        assert!(e.line > 0, "{e}");
        match inner {
            PlainTextError::Refused { field: f, kind: k, .. } => {
                assert_eq!(f.en, field, "{e}");
                assert_eq!(k, kind, "{e}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn a_blank_member_name_is_refused() {
    let (_, inner, _) = refused(r#"name = "陈伟""#, r#"name = "  ""#);
    assert!(
        matches!(&inner, PlainTextError::Empty { field } if field.en == "member name"),
        "{inner:?}"
    );
}
