//! The ledger: envelopes and their signatures, the Merkle tree and its proofs,
//! checkpoints, and the sequencer that admits entries in log order. No I/O.

pub mod checkpoint;
pub mod envelope;
pub mod keys;
pub mod merkle;
pub mod read_auth;
pub mod sequencer;
pub mod tiles;

#[cfg(test)]
mod roundtrip;

pub use checkpoint::Checkpoint;
pub use envelope::{format_integrated, verify_signatures, Cosig, Envelope, Record};
pub use keys::SignerKey;
pub use merkle::{leaf_hash, Hash};
pub use sequencer::{Admitted, Sequencer};
pub use tiles::{TileId, TileSource, TreeBuilder};

use crate::model::{Refusal, RuleError};

/// Why the ledger refused an envelope (before or besides the domain rules).
/// (`EnumIter`: one of each, with empty details, for the error catalogue.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
pub enum LedgerError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid envelope field `{field}`: {reason}")]
    BadEnvelope {
        field: String,
        reason: String,
        reason_zh: String,
    },
    #[error("unsupported envelope version (expected v = 1)")]
    UnsupportedVersion,
    #[error("entry is for log `{got}`, this is `{expected}`")]
    WrongLog { expected: String, got: String },
    #[error("invalid signer: {}", .0.0)]
    BadSigner(crate::model::error::Why),
    #[error("the signature is not the base64 of 64 bytes")]
    BadSignatureEncoding,
    #[error("the signature does not verify over this entry")]
    SignatureInvalid,
    #[error("the nonce must be 1 to 64 printable ASCII characters")]
    BadNonce,
    #[error("this signer already used this nonce (log index {index})")]
    ReplayedNonce { index: u64 },
    #[error("the time must be an RFC 3339 timestamp")]
    BadTime,
    #[error("invalid checkpoint: {0}")]
    BadCheckpoint(String),
    /// A rule failed in a way it never should (a panic, caught): the entry
    /// is refused and logged, and the log goes on.
    #[error("internal error: the entry was refused and logged")]
    #[default]
    Internal,
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl Refusal for LedgerError {
    fn class(&self) -> crate::model::error::Class {
        use crate::model::error::Class;
        use LedgerError::*;
        match self {
            MalformedJson(_)
            | BadEnvelope { .. }
            | UnsupportedVersion
            | WrongLog { .. }
            | BadSigner(_)
            | BadSignatureEncoding
            | BadNonce
            | BadTime
            | BadCheckpoint(_) => Class::Malformed,
            SignatureInvalid => Class::Forbidden,
            ReplayedNonce { .. } => Class::Conflict,
            Internal => Class::Internal,
            Rule(e) => e.class(),
        }
    }

    fn code(&self) -> &'static str {
        use LedgerError::*;
        match self {
            MalformedJson(_) => "malformed_json",
            BadEnvelope { .. } => "bad_envelope",
            UnsupportedVersion => "unsupported_version",
            WrongLog { .. } => "wrong_log",
            BadSigner(_) => "bad_signer",
            BadSignatureEncoding => "bad_signature_encoding",
            SignatureInvalid => "signature_invalid",
            BadNonce => "bad_nonce",
            ReplayedNonce { .. } => "replayed_nonce",
            BadTime => "bad_time",
            BadCheckpoint(_) => "bad_checkpoint",
            Internal => "internal_error",
            Rule(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        use LedgerError::*;
        match self {
            MalformedJson(e) => format!(
                "JSON 格式错误（第 {} 行）",
                e.rsplit("line ")
                    .next()
                    .and_then(|l| l.split(' ').next())
                    .unwrap_or("1")
            ),
            BadEnvelope {
                field, reason_zh, ..
            } => format!("信封字段“{field}”无效：{reason_zh}"),
            UnsupportedVersion => "不支持的信封版本（应为 v = 1）".into(),
            WrongLog { expected, got } => format!("条目属于日志“{got}”，本日志为“{expected}”"),
            BadSigner((_, r)) => format!("签名者无效：{r}"),
            BadSignatureEncoding => "签名不是 64 字节的 base64 编码".into(),
            SignatureInvalid => "签名与条目内容不符".into(),
            BadNonce => "随机数须为 1 至 64 个可打印 ASCII 字符".into(),
            ReplayedNonce { index } => format!("该签名者已使用过此随机数（日志序号 {index}）"),
            BadTime => "时间须为 RFC 3339 格式".into(),
            BadCheckpoint(r) => format!("检查点无效：{r}"),
            Internal => "内部错误：该条目已被拒绝并记录".into(),
            Rule(e) => e.message_zh(),
        }
    }

    fn field(&self) -> Option<String> {
        use LedgerError::*;
        match self {
            MalformedJson(_) | BadCheckpoint(_) | Internal => None,
            BadEnvelope { field, .. } => Some(field.clone()),
            UnsupportedVersion => Some("entry.v".into()),
            WrongLog { .. } => Some("entry.log".into()),
            BadSigner(_) => Some("entry.signer".into()),
            BadSignatureEncoding | SignatureInvalid => Some("sig".into()),
            BadNonce | ReplayedNonce { .. } => Some("entry.nonce".into()),
            BadTime => Some("entry.time".into()),
            Rule(e) => e.field(),
        }
    }
}
