//! The one declaration of a lifecycle's actions: see [`declare_actions`].

/// Declares a lifecycle's actions once: each variant's machine name, labels and payload
/// fields. From that one list it derives the payload enum (with its serde names, for
/// `{"action": "<name>", "payload": {...}}`), a fieldless kind enum with its list,
/// names and labels, and the payload enum's `kind()`; so an action cannot have a name
/// without a variant, or a variant without a name and labels.
macro_rules! declare_actions {
    (
        $(#[$emeta:meta])*
        pub enum $Enum:ident;
        $(#[$kmeta:meta])*
        pub enum $Kind:ident;
        $(
            $(#[$vmeta:meta])*
            $variant:ident = $name:literal, $zh:literal, $en:literal
            $({ $($(#[$fmeta:meta])* $field:ident : $fty:ty),* $(,)? })?;
        )*
    ) => {
        $(#[$emeta])*
        #[derive(Clone, Debug, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        #[serde(tag = "action", content = "payload")]
        pub enum $Enum {
            $(
                $(#[$vmeta])*
                #[serde(rename = $name)]
                $variant $({ $($(#[$fmeta])* $field: $fty),* })?,
            )*
        }

        $(#[$kmeta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        pub enum $Kind {
            $(
                $(#[$vmeta])*
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl $Kind {
            /// Every action, in declaration order.
            pub const ALL: &'static [$Kind] = &[$($Kind::$variant),*];

            /// The stable machine name, as audit records store it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($Kind::$variant => $name,)*
                }
            }

            /// The labels.
            pub const fn label(self) -> ::regula_core::Text {
                match self {
                    $($Kind::$variant => ::regula_core::Text::new($zh, $en),)*
                }
            }

            /// The action named `name` (its machine name).
            pub fn from_name(name: &str) -> Option<$Kind> {
                $Kind::ALL.iter().copied().find(|k| k.name() == name)
            }
        }

        impl ::std::fmt::Display for $Kind {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $Enum {
            /// Which action this is.
            pub const fn kind(&self) -> $Kind {
                match self {
                    $($Enum::$variant { .. } => $Kind::$variant,)*
                }
            }
        }

        impl ::regula_core::Action for $Enum {
            fn name(&self) -> &str {
                self.kind().name()
            }

            fn payload(&self) -> Result<::serde_json::Value, ::regula_core::PayloadError> {
                ::regula_core::action::tagged_payload(self)
            }

            fn from_parts(name: &str, payload: &::serde_json::Value) -> Result<Self, ::regula_core::PayloadError> {
                ::regula_core::action::from_tagged(name, payload)
            }

            fn encode_payload(&self) -> Result<::regula_core::Payload, ::regula_core::PayloadError> {
                ::regula_core::action::tagged_record_payload(self)
            }

            fn from_payload(name: &str, payload: &::regula_core::Payload) -> Result<Self, ::regula_core::PayloadError> {
                ::regula_core::action::from_tagged_record(name, payload)
            }
        }
    };
}

pub(crate) use declare_actions;
