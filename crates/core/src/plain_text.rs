//! Text that is safe to store as an identifier and to print to a terminal.
//!
//! Two rules, one list of characters:
//!
//! - **On input**, identifier-like text (an actor's id, name and unit, a role, a
//!   code, a department's id) is refused by [`check_identifier`] when it is empty,
//!   only whitespace, or contains a character that can act on a terminal or disguise
//!   what is shown. The engine refuses such an actor or role
//!   ([`EngineError::UnsafeText`](crate::EngineError::UnsafeText)) before anything is
//!   recorded.
//! - **On output**, every user-supplied text is passed through [`escape`] (or
//!   [`escape_lines`] for multi-line text, [`escape_json`] or [`json_pretty`] for
//!   JSON, where the characters become `\u202e` escapes): records written
//!   before these rules, or by another program, still print safely.
//!
//! The characters ([`classify`]):
//!
//! | kind | characters | shown by [`escape`] as |
//! |---|---|---|
//! | [`CharKind::Control`] | C0 controls U+0000–U+001F (ESC is U+001B), DEL U+007F, C1 controls U+0080–U+009F | `\n`, `\t`, `\r`; others `\u{1b}` |
//! | [`CharKind::Bidi`] | U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 | `<U+202E>` |
//! | [`CharKind::Invisible`] | U+00AD, U+115F, U+1160, U+17B4, U+17B5, U+180E, U+200B–U+200D, U+2060–U+2064, U+206A–U+206F, U+3164, U+FEFF, U+FFA0, U+FFF9–U+FFFB, U+1D173–U+1D17A, U+E0000–U+E007F | `<U+200B>` |
//! | [`CharKind::Separator`] | U+2028, U+2029 | `<U+2028>` |
//!
//! Escaping does not escape the backslash: the escaped form of a text with none of
//! these characters is the text itself, and escaping twice gives what escaping once
//! gave. It is for showing, not for reading back.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::label::Text;
use crate::record::Actor;

/// Why a character is refused in identifiers and escaped on output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CharKind {
    /// A C0 or C1 control character or DEL: terminals act on them (ESC starts an
    /// escape sequence).
    Control,
    /// A bidirectional formatting character: it reorders what follows (U+202E shows
    /// `txt.exe` for `exe.txt`).
    Bidi,
    /// An invisible formatting or filler character: two texts that look the same
    /// differ.
    Invisible,
    /// The Unicode line or paragraph separator.
    Separator,
}

impl CharKind {
    /// What the kind is called, in both languages.
    pub fn label(self) -> Text {
        match self {
            CharKind::Control => Text::new("控制字符", "control character"),
            CharKind::Bidi => Text::new("双向文本控制字符", "bidirectional control character"),
            CharKind::Invisible => Text::new("不可见格式字符", "invisible format character"),
            CharKind::Separator => Text::new("行或段落分隔符", "line or paragraph separator"),
        }
    }
}

impl fmt::Display for CharKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label().en)
    }
}

/// The kind of `c` if it is refused in identifiers and escaped on output, else `None`.
pub fn classify(c: char) -> Option<CharKind> {
    match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(CharKind::Control),
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some(CharKind::Bidi),
        '\u{2028}' | '\u{2029}' => Some(CharKind::Separator),
        '\u{ad}'
        | '\u{115f}'
        | '\u{1160}'
        | '\u{17b4}'
        | '\u{17b5}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{206a}'..='\u{206f}'
        | '\u{3164}'
        | '\u{feff}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e007f}' => Some(CharKind::Invisible),
        _ => None,
    }
}

/// True when `c` is refused in identifiers and escaped on output.
pub fn is_unsafe(c: char) -> bool {
    classify(c).is_some()
}

/// Names of the identifier fields the library checks, in both languages.
pub mod field {
    use crate::label::Text;

    /// [`Actor::id`](crate::Actor::id).
    pub const ACTOR_ID: Text = Text::new("操作人标识", "actor id");
    /// [`Actor::name`](crate::Actor::name).
    pub const ACTOR_NAME: Text = Text::new("操作人姓名", "actor name");
    /// [`Actor::unit`](crate::Actor::unit).
    pub const ACTOR_UNIT: Text = Text::new("操作人部门", "actor unit");
    /// The role a command is made in.
    pub const ROLE: Text = Text::new("角色", "role");
}

/// Identifier-like text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlainTextError {
    /// The text is empty or only whitespace.
    #[error("{} is empty", field.en)]
    Empty {
        /// Which field.
        field: Text,
    },
    /// The text contains a refused character.
    #[error(
        "{} {text:?} contains {kind} {} at character index {index}",
        field.en,
        code_point(*character)
    )]
    Refused {
        /// Which field.
        field: Text,
        /// The whole text, as given.
        text: String,
        /// The refused character.
        character: char,
        /// Why it is refused.
        kind: CharKind,
        /// Its position: the index of the character (not the byte), from 0.
        index: usize,
    },
}

impl PlainTextError {
    /// The field the error is about.
    pub fn field(&self) -> &Text {
        match self {
            PlainTextError::Empty { field } | PlainTextError::Refused { field, .. } => field,
        }
    }

    /// The message in both languages (the [`Display`](fmt::Display) form is the
    /// English one).
    pub fn message(&self) -> Text {
        match self {
            PlainTextError::Empty { field } => Text::owned(format!("{}为空", field.zh), self.to_string()),
            PlainTextError::Refused {
                field,
                text,
                character,
                kind,
                index,
            } => Text::owned(
                format!(
                    "{} {text:?} 在第 {index} 个字符处（从 0 起）含有{} {}",
                    field.zh,
                    kind.label().zh,
                    code_point(*character)
                ),
                self.to_string(),
            ),
        }
    }
}

/// `U+XXXX`: a character's code point, at least four upper-case hex digits.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Checks identifier-like text: refused when empty, only whitespace, or containing a
/// character of [`classify`] (the first one is reported, with its index).
pub fn check_identifier(field: Text, text: &str) -> Result<(), PlainTextError> {
    // Every command's actor and role come here. Text that `plainly_safe` accepts holds
    // no whitespace but the ASCII space (no Unicode space lies in U+4000..=U+EFFF), so
    // one byte other than a space settles it without walking the characters twice.
    if plainly_safe(text) && text.bytes().any(|b| b != b' ') {
        return Ok(());
    }
    check_text(field.clone(), text)?;
    if text.trim().is_empty() {
        return Err(PlainTextError::Empty { field });
    }
    Ok(())
}

/// Checks free text that may be empty (a label, a document number): refused only
/// when it contains a character of [`classify`].
pub fn check_text(field: Text, text: &str) -> Result<(), PlainTextError> {
    if plainly_safe(text) {
        return Ok(());
    }
    match text
        .chars()
        .enumerate()
        .find_map(|(i, c)| classify(c).map(|k| (i, c, k)))
    {
        Some((index, character, kind)) => Err(PlainTextError::Refused {
            field,
            text: text.to_owned(),
            character,
            kind,
            index,
        }),
        None => Ok(()),
    }
}

/// True when every character of `text` is printable ASCII or lies in U+4000..=U+EFFF
/// (CJK ideographs, Hangul, …: three UTF-8 bytes led by `E4`..=`EE`), where
/// [`classify`] finds nothing: a check of the bytes alone, run on every command's
/// actor and role, before the character-by-character check that names a culprit.
fn plainly_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += match b {
            0x20..=0x7e => 1,
            // `text` is UTF-8, so such a lead byte starts a character of three bytes.
            0xe4..=0xee => 3,
            _ => return false,
        };
    }
    true
}

/// Checks an actor: its id, and its name and unit when it has them
/// ([`check_identifier`] on each).
pub fn check_actor(actor: &Actor) -> Result<(), PlainTextError> {
    check_identifier(field::ACTOR_ID, &actor.id)?;
    if let Some(name) = &actor.name {
        check_identifier(field::ACTOR_NAME, name)?;
    }
    if let Some(unit) = &actor.unit {
        check_identifier(field::ACTOR_UNIT, unit)?;
    }
    Ok(())
}

/// Checks who attempts a command and in which role: [`check_actor`], then the role
/// with [`check_identifier`]. [`Engine::create`](crate::Engine::create) and
/// [`Engine::apply_with`](crate::Engine::apply_with) call it first.
pub fn check_command(actor: &Actor, role: &str) -> Result<(), PlainTextError> {
    check_actor(actor)?;
    check_identifier(field::ROLE, role)
}

/// `text` with every character of [`classify`] made visible: `\n`, `\t`, `\r`, other
/// controls as `\u{1b}`, bidi, invisible and separator characters as `<U+202E>`.
/// Borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, false)
}

/// Like [`escape`], but line feeds and tabs are kept as they are: for multi-line text
/// (a message, a diagram) printed as a whole.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_with(text, true)
}

fn escape_with(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && (c == '\n' || c == '\t');
    let Some(first) = text.find(|c: char| is_unsafe(c) && !kept(c)) else {
        return Cow::Borrowed(text);
    };
    let (head, tail) = text.split_at(first);
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(head);
    for c in tail.chars() {
        match classify(c) {
            None => out.push(c),
            Some(_) if kept(c) => out.push(c),
            Some(CharKind::Control) => match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
            },
            Some(_) => {
                let _ = write!(out, "<{}>", code_point(c));
            }
        }
    }
    Cow::Owned(out)
}

/// JSON text with every character of [`classify`] except line feed and tab written as
/// a `\u` escape (a surrogate pair beyond the BMP). JSON escapes C0 controls inside
/// strings itself, but not DEL, C1 controls, bidi or invisible characters, which a
/// terminal would otherwise receive raw. In valid JSON such characters can only stand
/// inside strings, so the result is valid JSON that parses to the same value and
/// keeps its layout. Borrowed when nothing needed escaping.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    let kept = |c: char| c == '\n' || c == '\t';
    let Some(first) = json.find(|c: char| is_unsafe(c) && !kept(c)) else {
        return Cow::Borrowed(json);
    };
    let (head, tail) = json.split_at(first);
    let mut out = String::with_capacity(json.len() + 16);
    out.push_str(head);
    for c in tail.chars() {
        if is_unsafe(c) && !kept(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as pretty JSON (`serde_json::to_string_pretty`) passed through
/// [`escape_json`]: safe to print to a terminal, and still the same JSON.
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(escape_json(&text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_check_passes_no_character_classify_refuses() {
        let mut passed = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if plainly_safe(c.encode_utf8(&mut [0; 4])) {
                passed += 1;
                assert_eq!(classify(c), None, "{c:?} passed the byte check");
                // `check_identifier`'s blank test by bytes relies on this.
                assert!(!c.is_whitespace() || c == ' ', "{c:?} is whitespace");
            }
        }
        // Printable ASCII and U+4000..=U+EFFF less the surrogates.
        assert_eq!(passed, 95 + (0xf000 - 0x4000) - 0x800);
        assert!(plainly_safe("li.na 立案庭 综合审判庭"));
        assert!(!plainly_safe("li.na\u{202e}"));
        assert!(check_text(field::ROLE, "法官\u{200b}").is_err());
        // Blank identifiers are refused on the byte path and off it.
        for blank in ["", " ", "   ", " \u{3000} ", "\u{3000}"] {
            assert_eq!(
                check_identifier(field::ROLE, blank),
                Err(PlainTextError::Empty { field: field::ROLE }),
                "{blank:?}"
            );
        }
        assert_eq!(check_identifier(field::ROLE, " 法官 "), Ok(()));
    }
    use proptest::prelude::*;

    #[test]
    fn identifiers_refuse_what_can_act_on_a_terminal() {
        assert_eq!(check_identifier(field::ACTOR_ID, "li.na"), Ok(()));
        assert_eq!(check_identifier(field::ACTOR_UNIT, "立案庭"), Ok(()));
        assert_eq!(check_identifier(field::ACTOR_NAME, "Li Na"), Ok(()));
        for (text, character, kind, index) in [
            ("\u{1b}[2Jx", '\u{1b}', CharKind::Control, 0),
            ("ab\u{7f}", '\u{7f}', CharKind::Control, 2),
            ("a\u{9b}31m", '\u{9b}', CharKind::Control, 1),
            ("a\nb", '\n', CharKind::Control, 1),
            ("审\u{202e}txt.exe", '\u{202e}', CharKind::Bidi, 1),
            ("x\u{2066}", '\u{2066}', CharKind::Bidi, 1),
            ("\u{61c}", '\u{61c}', CharKind::Bidi, 0),
            ("li\u{200b}na", '\u{200b}', CharKind::Invisible, 2),
            ("\u{feff}li", '\u{feff}', CharKind::Invisible, 0),
            ("a\u{e0041}", '\u{e0041}', CharKind::Invisible, 1),
            ("a\u{2028}b", '\u{2028}', CharKind::Separator, 1),
        ] {
            let e = check_identifier(field::ACTOR_ID, text).unwrap_err();
            assert_eq!(
                e,
                PlainTextError::Refused {
                    field: field::ACTOR_ID,
                    text: text.to_owned(),
                    character,
                    kind,
                    index
                },
                "{text:?}"
            );
        }
        let e = check_identifier(field::ROLE, "x\u{202e}y").unwrap_err();
        assert_eq!(
            e.to_string(),
            "role \"x\\u{202e}y\" contains bidirectional control character U+202E at character index 1"
        );
        assert!(e.message().zh.contains("角色"));
        assert!(e.message().zh.contains("U+202E"));
        assert_eq!(e.field(), &field::ROLE);
    }

    #[test]
    fn identifiers_refuse_empty_and_blank() {
        for text in ["", " ", "\u{3000}"] {
            assert_eq!(
                check_identifier(field::ACTOR_ID, text),
                Err(PlainTextError::Empty { field: field::ACTOR_ID }),
                "{text:?}"
            );
        }
        assert_eq!(
            check_identifier(field::ACTOR_ID, "").unwrap_err().to_string(),
            "actor id is empty"
        );
    }

    #[test]
    fn actors_are_checked_field_by_field() {
        assert_eq!(
            check_actor(&Actor::new("li.na").in_unit("立案庭").named("李娜")),
            Ok(())
        );
        let bad_unit = check_actor(&Actor::new("li.na").in_unit("立案庭\u{1b}]0;x\u{7}"));
        assert_eq!(bad_unit.unwrap_err().field(), &field::ACTOR_UNIT);
        let bad_name = check_actor(&Actor::new("li.na").named("\u{202e}"));
        assert_eq!(bad_name.unwrap_err().field(), &field::ACTOR_NAME);
        let blank_id = check_actor(&Actor::new(" "));
        assert_eq!(blank_id.unwrap_err().field(), &field::ACTOR_ID);
    }

    #[test]
    fn escape_makes_every_refused_character_visible() {
        assert_eq!(escape("\u{1b}[2J清屏"), "\\u{1b}[2J清屏");
        assert_eq!(escape("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(escape("x\u{7f}\u{9b}"), "x\\u{7f}\\u{9b}");
        assert_eq!(escape("审\u{202e}txt.exe"), "审<U+202E>txt.exe");
        assert_eq!(escape("a\u{200b}b\u{e0041}"), "a<U+200B>b<U+E0041>");
        assert_eq!(escape("p\u{2029}"), "p<U+2029>");
        assert_eq!(escape_lines("a\nb\tc\u{1b}"), "a\nb\tc\\u{1b}");
        assert_eq!(escape_lines("a\r\n"), "a\\r\n");
        assert!(matches!(escape("立案庭 li.na \\u{1b}"), Cow::Borrowed(_)));
        assert_eq!(check_text(field::ROLE, ""), Ok(()));
        assert!(check_text(field::ROLE, "a\u{85}").is_err());
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw() {
        let value = serde_json::json!({"note": "a\u{202e}b\u{7f}\u{9b}\u{1b}\u{e0041}c", "n": [1, "立案庭"]});
        let text = json_pretty(&value).unwrap();
        assert!(text.contains(r#""a\u202eb\u007f\u009b\u001b\udb40\udc41c""#), "{text}");
        assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert_eq!(escape_json("{\n\t\"a\": \"\u{2066}\"}"), "{\n\t\"a\": \"\\u2066\"}");
        // Nothing to escape: exactly what serde_json writes.
        let plain = serde_json::json!({"a": [1, 2, {"b": "立案庭"}], "c": null});
        assert_eq!(
            json_pretty(&plain).unwrap(),
            serde_json::to_string_pretty(&plain).unwrap()
        );
    }

    fn any_text() -> impl Strategy<Value = String> {
        // Mostly the characters that matter, among ordinary ones.
        let interesting = prop_oneof![
            Just('\u{1b}'),
            Just('\n'),
            Just('\u{7f}'),
            Just('\u{9b}'),
            Just('\u{202e}'),
            Just('\u{2066}'),
            Just('\u{200b}'),
            Just('\u{feff}'),
            Just('\u{2028}'),
            Just('\u{e0041}'),
            Just('\\'),
            Just('立'),
        ];
        proptest::collection::vec(prop_oneof![any::<char>(), interesting], 0..40)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn escaped_text_is_safe_and_safe_text_is_unchanged(text in any_text()) {
            let escaped = escape(&text);
            prop_assert!(!escaped.chars().any(is_unsafe), "{:?} -> {:?}", text, escaped);
            // Escaping is idempotent: its output is safe, and safe text is itself.
            let twice = escape(&escaped);
            prop_assert_eq!(twice.as_ref(), escaped.as_ref());
            if !text.chars().any(is_unsafe) {
                prop_assert_eq!(escaped.as_ref(), text.as_str());
            }
            let lines = escape_lines(&text);
            prop_assert!(!lines.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
            // Identifiers that pass the check print as they are.
            if check_identifier(field::ACTOR_ID, &text).is_ok() {
                prop_assert_eq!(escaped.as_ref(), text.as_str());
            }
        }

        #[test]
        fn json_output_is_safe_and_means_the_same(text in any_text()) {
            let value = serde_json::json!({"text": text, "list": [text.clone()]});
            let json = json_pretty(&value).unwrap();
            prop_assert!(!json.chars().any(|c| is_unsafe(c) && c != '\n'), "{}", json);
            let back: serde_json::Value = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, value);
        }
    }
}
