//! What every refusal says about itself — its code, class, messages and
//! field — and the reason a check below the rules passes up. The bottom of
//! `model`: it uses nothing.

/// What every refusal in every layer can say about itself; `api` turns it into
/// the JSON error body in one place.
pub trait Refusal: std::fmt::Display {
    /// Stable, machine-readable code (`snake_case`).
    fn code(&self) -> &'static str;
    /// What kind of refusal it is; `api` answers each class with one HTTP
    /// status.
    fn class(&self) -> Class;
    /// The message in Chinese.
    fn message_zh(&self) -> String;
    /// The field of the request at fault, as a JSON path (`entry.body.vkey`).
    fn field(&self) -> Option<String>;
}

/// The kinds of refusal, as a client must act on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The request is malformed: fix it (400).
    Malformed,
    /// A signed read did not verify (401).
    Unauthenticated,
    /// The signer may not do this (403).
    Forbidden,
    /// Nothing is there (404).
    NotFound,
    /// It was done already (409).
    Conflict,
    /// The request is larger than the server reads (413).
    TooLarge,
    /// The request is not JSON (415).
    UnsupportedMedia,
    /// A rule of law says no (422).
    Refused,
    /// Not now: send it again later (503).
    Busy,
    /// The server failed; the request changed nothing (500).
    Internal,
}

/// A reason in English and in Chinese, for the checks below the rules
/// (codes, amounts) whose reasons the rules pass on.
pub type Why = (&'static str, &'static str);

/// The field at fault, as a refusal's row gives it: a path, a path made
/// from the refusal's details, or `()` for none.
pub trait IntoField {
    fn into_field(self) -> Option<String>;
}

impl IntoField for &str {
    fn into_field(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl IntoField for String {
    fn into_field(self) -> Option<String> {
        Some(self)
    }
}

impl IntoField for Option<String> {
    fn into_field(self) -> Option<String> {
        self
    }
}

impl IntoField for () {
    fn into_field(self) -> Option<String> {
        None
    }
}

/// Declares a layer's refusals, each said once, in one row: the variant with
/// its English message (thiserror's `#[error]`), then after `=>` a pattern
/// naming what the row uses, its [`Class`], the field at fault and the
/// Chinese message. The code is the variant's name in `snake_case`, or what
/// the row gives after `code`. The enum implements [`Refusal`] from its
/// rows; nothing else lists its variants.
#[macro_export]
macro_rules! refusals {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident
                $( ( $( $(#[$tmeta:meta])* $tty:ty ),* $(,)? ) )?
                $( { $( $(#[$fmeta:meta])* $fname:ident : $fty:ty ),* $(,)? } )?
                => $pat:pat => $class:expr, $field:expr, $zh:expr $(, code $code:expr)?;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(strum::IntoStaticStr)]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant
                $( ( $( $(#[$tmeta])* $tty ),* ) )?
                $( { $( $(#[$fmeta])* $fname: $fty ),* } )?,
            )*
        }

        #[allow(unused_variables)]
        impl $crate::model::refusal::Refusal for $name {
            fn code(&self) -> &'static str {
                use $name::*;
                match self {
                    $( $pat => $crate::refusals!(@code self $(, $code)?), )*
                }
            }

            fn class(&self) -> $crate::model::refusal::Class {
                use $crate::model::refusal::Class;
                use $name::*;
                match self {
                    $( $pat => $class, )*
                }
            }

            fn message_zh(&self) -> String {
                use $name::*;
                match self {
                    $( $pat => String::from($zh), )*
                }
            }

            fn field(&self) -> Option<String> {
                use $crate::model::refusal::IntoField;
                use $name::*;
                match self {
                    $( $pat => ($field).into_field(), )*
                }
            }
        }
    };
    (@code $self:ident) => { <&'static str>::from($self) };
    (@code $self:ident, $code:expr) => { $code };
}
