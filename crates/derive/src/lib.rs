//! Derives for typed Regula lifecycles: `State`, `Action` and `Role`.
//!
//! They write what a typed definition otherwise spells out by hand: each variant's
//! name (`#[regula(name = "…")]`, by default the variant's name in snake_case) and its
//! label in both languages (`zh = "…"`, `en = "…"`, both required), the kind enum of
//! an action enum, and the [`Labelled`](../regula_core/typed/trait.Labelled.html)
//! impls through which the builder declares every state, action and role at once and
//! takes transitions by typed kinds, so a misspelt action or role does not compile.
//!
//! ```
//! use regula::{Action, Definition, Lifecycle, Role, State};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, State)]
//! enum Doc {
//!     #[regula(zh = "起草", en = "Drafting")]
//!     Drafting,
//!     #[regula(name = "signed", zh = "签发", en = "Signed")]
//!     Done,
//! }
//!
//! // The payloads; serde tags them as the engine stores them.
//! #[derive(Clone, Debug, Serialize, Deserialize, Action)]
//! #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! enum DocAction {
//!     #[regula(zh = "签发", en = "Sign")]
//!     Sign { number: String },
//! }
//!
//! #[derive(Clone, Copy, Debug, Role)]
//! enum Who {
//!     #[regula(zh = "法官", en = "Judge")]
//!     Judge,
//! }
//!
//! struct Docs;
//! impl Lifecycle for Docs {
//!     type State = Doc;
//!     type Action = DocAction;
//!     type Data = serde_json::Value;
//! }
//!
//! let def = Definition::<Docs>::builder("docs", 1)
//!     .states()
//!     .actions()
//!     .roles::<Who>()
//!     .initial(Doc::Drafting)
//!     .terminal(Doc::Done)
//!     .creators([Who::Judge])
//!     .on(Doc::Drafting, DocActionKind::Sign, Doc::Done, |row| row.by([Who::Judge]))
//!     .build()?;
//! assert_eq!(def.transition(&Doc::Drafting, "sign").map(|t| &t.to), Some(&Doc::Done));
//! assert_eq!(DocAction::Sign { number: "1".into() }.name(), "sign");
//! # Ok::<(), regula::DefinitionError>(())
//! ```
//!
//! A name the engine keeps for its own records is refused where it is written:
//!
//! ```compile_fail
//! #[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
//! #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! enum A {
//!     #[regula(zh = "创建", en = "Create")] // error: `create` is reserved
//!     Create,
//! }
//! ```
//!
//! and so is an action whose serde name is not its Regula name, since the engine
//! stores and reads payloads through serde:
//!
//! ```compile_fail
//! #[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
//! #[serde(tag = "action", content = "payload")]
//! enum A {
//!     #[regula(zh = "提交", en = "Submit")] // serde says "Submit", Regula "submit"
//!     Submit,
//! }
//! ```
//!
//! as is a variant without both labels:
//!
//! ```compile_fail
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, regula::State)]
//! enum S {
//!     #[regula(zh = "起草")]
//!     Drafting,
//! }
//! ```
//!
//! On the enum, `#[regula(crate = "regula_core")]` names the path of the library when
//! the program depends on `regula-core` rather than `regula`; an action enum's
//! `#[regula(kind = "Name")]` names its kind enum (by default the enum's name followed
//! by `Kind`).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{Attribute, Data, DeriveInput, Fields, Ident, LitStr, Path, Variant, parse_macro_input};

/// The action names the engine writes itself (`regula_core::definition::CREATE_ACTION`
/// and `MIGRATE_ACTION`): no definition may declare them.
const RESERVED_ACTIONS: &[&str] = &["create", "migrate"];

/// Derives `State` and `Labelled` for an enum of unit variants.
#[proc_macro_derive(State, attributes(regula))]
pub fn derive_state(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Kind::State)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `Labelled`, `From<Self> for String` and `From<Self> for Name` for an enum of
/// unit variants: roles.
#[proc_macro_derive(Role, attributes(regula))]
pub fn derive_role(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Kind::Role)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `Action` and `TypedAction` for a serde-tagged payload enum, and generates
/// its kind enum (`<Name>Kind`, one unit variant per variant) with `Labelled`.
///
/// The payload goes between the typed action and its record's text directly
/// (`action::tagged_record_payload`, `action::from_tagged_record`), and as a JSON value
/// for callers who want one (`action::tagged_payload`, `action::from_tagged`).
#[proc_macro_derive(Action, attributes(regula))]
pub fn derive_action(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Kind::Action)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    State,
    Action,
    Role,
}

/// One variant as the derive reads it.
struct Named {
    ident: Ident,
    name: String,
    zh: String,
    en: String,
}

/// What `#[regula(...)]` on the enum says.
struct EnumOptions {
    krate: Path,
    kind: Option<Ident>,
}

fn enum_options(attrs: &[Attribute], kind: Kind) -> syn::Result<EnumOptions> {
    let mut krate: Path = syn::parse_quote!(::regula);
    let mut kind_name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("regula")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = meta.value()?.parse::<LitStr>()?.parse()?;
                Ok(())
            } else if meta.path.is_ident("kind") && kind == Kind::Action {
                let lit: LitStr = meta.value()?.parse()?;
                kind_name = Some(Ident::new(&lit.value(), lit.span()));
                Ok(())
            } else {
                Err(meta.error(if kind == Kind::Action {
                    "unknown key on the enum: expected `crate` or `kind`"
                } else {
                    "unknown key on the enum: expected `crate`"
                }))
            }
        })?;
    }
    Ok(EnumOptions { krate, kind: kind_name })
}

/// serde's `snake_case`: an underscore before every capital but the first, all lower.
fn snake_case(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, c) in ident.char_indices() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn variant(v: &Variant, kind: Kind) -> syn::Result<Named> {
    if kind != Kind::Action && !matches!(v.fields, Fields::Unit) {
        return Err(syn::Error::new_spanned(
            v,
            "states and roles are unit variants; a payload belongs on an action",
        ));
    }
    let mut name: Option<LitStr> = None;
    let mut zh: Option<LitStr> = None;
    let mut en: Option<LitStr> = None;
    let mut attr_span = None;
    for attr in v.attrs.iter().filter(|a| a.path().is_ident("regula")) {
        attr_span = Some(attr);
        attr.parse_nested_meta(|meta| {
            let slot = if meta.path.is_ident("name") {
                &mut name
            } else if meta.path.is_ident("zh") {
                &mut zh
            } else if meta.path.is_ident("en") {
                &mut en
            } else {
                return Err(meta.error("unknown key: expected `name`, `zh` or `en`"));
            };
            if slot.is_some() {
                return Err(meta.error("given twice"));
            }
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().trim().is_empty() {
                return Err(syn::Error::new(lit.span(), "may not be empty"));
            }
            *slot = Some(lit);
            Ok(())
        })?;
    }
    let missing = |what: &str| {
        let msg = format!(
            "variant `{}` needs its label in both languages: #[regula(zh = \"…\", en = \"…\")] ({what} is missing)",
            v.ident
        );
        match attr_span {
            Some(a) => syn::Error::new_spanned(a, msg),
            None => syn::Error::new_spanned(&v.ident, msg),
        }
    };
    let zh = zh.ok_or_else(|| missing("zh"))?.value();
    let en = en.ok_or_else(|| missing("en"))?.value();
    let (name, span) = match &name {
        Some(lit) => (lit.value(), lit.span()),
        None => (snake_case(&v.ident.to_string()), v.ident.span()),
    };
    if kind == Kind::Action && RESERVED_ACTIONS.contains(&name.as_str()) {
        return Err(syn::Error::new(
            span,
            format!(
                "the action name `{name}` is reserved for the engine's own records (create, migrate); \
                 choose another, e.g. #[regula(name = \"{name}_request\")]"
            ),
        ));
    }
    Ok(Named {
        ident: v.ident.clone(),
        name,
        zh,
        en,
    })
}

/// Skips one serde key we do not read, whatever its form.
fn skip(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip(&inner))?;
    }
    Ok(())
}

/// Checks that serde tags the enum as the engine stores actions and names every
/// variant as Regula does.
fn check_serde(input: &DeriveInput, data: &syn::DataEnum, names: &[Named]) -> syn::Result<()> {
    let (mut tag, mut content, mut rename_all) = (None, None, None);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tag") {
                tag = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("content") {
                content = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("rename_all") {
                rename_all = Some(meta.value()?.parse::<LitStr>()?.value());
            } else {
                skip(&meta)?;
            }
            Ok(())
        })?;
    }
    if tag.as_deref() != Some("action") || content.as_deref() != Some("payload") {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "an action enum is stored as its name and payload: add \
             #[serde(tag = \"action\", content = \"payload\", rename_all = \"snake_case\")]",
        ));
    }
    for (v, n) in data.variants.iter().zip(names) {
        let mut rename = None;
        for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    rename = Some(meta.value()?.parse::<LitStr>()?.value());
                } else {
                    skip(&meta)?;
                }
                Ok(())
            })?;
        }
        let ident = v.ident.to_string();
        let serde_name = match (rename, rename_all.as_deref()) {
            (Some(r), _) => r,
            (None, Some("snake_case")) => snake_case(&ident),
            (None, _) => ident,
        };
        if serde_name != n.name {
            return Err(syn::Error::new_spanned(
                &v.ident,
                format!(
                    "serde names this action `{serde_name}` but Regula `{}`; write #[serde(rename = \"{}\")] \
                     on the variant or rename_all = \"snake_case\" on the enum",
                    n.name, n.name
                ),
            ));
        }
    }
    Ok(())
}

fn expand(input: &DeriveInput, kind: Kind) -> syn::Result<Tokens> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "only enums can be derived here"));
    };
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(&input.ident, "the enum has no variants"));
    }
    let opts = enum_options(&input.attrs, kind)?;
    let krate = &opts.krate;
    let names = data
        .variants
        .iter()
        .map(|v| variant(v, kind))
        .collect::<syn::Result<Vec<_>>>()?;
    for (i, n) in names.iter().enumerate() {
        if let Some(first) = names[..i].iter().find(|m| m.name == n.name) {
            return Err(syn::Error::new_spanned(
                &n.ident,
                format!("the name `{}` is also the name of `{}`", n.name, first.ident),
            ));
        }
    }
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    let ty = &input.ident;
    let idents: Vec<&Ident> = names.iter().map(|n| &n.ident).collect();
    let keys: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    let zhs: Vec<&str> = names.iter().map(|n| n.zh.as_str()).collect();
    let ens: Vec<&str> = names.iter().map(|n| n.en.as_str()).collect();
    let labelled = |target: &Ident| {
        quote! {
            impl #krate::typed::Labelled for #target {
                const ALL: &'static [Self] = &[#(#target::#idents),*];
                fn key(&self) -> &'static str {
                    match self { #(#target::#idents => #keys),* }
                }
                fn label(&self) -> #krate::Text {
                    match self { #(#target::#idents => #krate::Text::new(#zhs, #ens)),* }
                }
            }
        }
    };
    Ok(match kind {
        Kind::State => {
            let l = labelled(ty);
            quote! {
                #l
                impl #impl_g #krate::State for #ty #ty_g #where_c {
                    fn name(&self) -> &str {
                        #krate::typed::Labelled::key(self)
                    }
                }
            }
        }
        Kind::Role => {
            let l = labelled(ty);
            quote! {
                #l
                impl #ty {
                    /// The role's name, as commands and records carry it.
                    pub const fn name(self) -> &'static str {
                        match self { #(#ty::#idents => #keys),* }
                    }
                }
                impl ::core::convert::From<#ty> for ::std::string::String {
                    fn from(role: #ty) -> Self {
                        ::std::string::String::from(#krate::typed::Labelled::key(&role))
                    }
                }
                impl ::core::convert::From<#ty> for #krate::Name {
                    fn from(role: #ty) -> Self {
                        #krate::Name::from(#krate::typed::Labelled::key(&role))
                    }
                }
            }
        }
        Kind::Action => {
            check_serde(input, data, &names)?;
            let kind_ty = opts
                .kind
                .unwrap_or_else(|| format_ident!("{}Kind", ty, span = Span::call_site()));
            let vis = &input.vis;
            let l = labelled(&kind_ty);
            let patterns = data.variants.iter().map(|v| {
                let id = &v.ident;
                match v.fields {
                    Fields::Unit => quote!(#ty::#id),
                    Fields::Named(_) => quote!(#ty::#id { .. }),
                    Fields::Unnamed(_) => quote!(#ty::#id(..)),
                }
            });
            let doc = format!("The kinds of [`{ty}`]: one per variant, without its payload.");
            quote! {
                #[doc = #doc]
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                #vis enum #kind_ty {
                    #(
                        #[doc = #ens]
                        #idents
                    ),*
                }
                #l
                impl #impl_g #krate::typed::TypedAction for #ty #ty_g #where_c {
                    type Kind = #kind_ty;
                    fn kind(&self) -> #kind_ty {
                        match self { #(#patterns => #kind_ty::#idents),* }
                    }
                }
                impl #impl_g #krate::Action for #ty #ty_g #where_c {
                    fn name(&self) -> &str {
                        #krate::typed::Labelled::key(&#krate::typed::TypedAction::kind(self))
                    }
                    fn payload(&self) -> ::core::result::Result<#krate::__private_serde_json::Value, #krate::PayloadError> {
                        #krate::action::tagged_payload(self)
                    }
                    fn from_parts(
                        name: &str,
                        payload: &#krate::__private_serde_json::Value,
                    ) -> ::core::result::Result<Self, #krate::PayloadError> {
                        #krate::action::from_tagged(name, payload)
                    }
                    fn encode_payload(&self) -> ::core::result::Result<#krate::Payload, #krate::PayloadError> {
                        #krate::action::tagged_record_payload(self)
                    }
                    fn from_payload(
                        name: &str,
                        payload: &#krate::Payload,
                    ) -> ::core::result::Result<Self, #krate::PayloadError> {
                        #krate::action::from_tagged_record(name, payload)
                    }
                }
            }
        }
    })
}
