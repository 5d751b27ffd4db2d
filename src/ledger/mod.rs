//! The ledger: envelopes and their signatures, the Merkle tree and its proofs,
//! checkpoints, and the sequencer that admits entries in log order. No I/O.

pub mod checkpoint;
pub mod cosignature;
pub mod elsewhere;
pub mod envelope;
pub mod follower;
pub mod keys;
pub mod merkle;
pub mod policy;
pub mod read_auth;
pub mod sequencer;
pub mod statelog;
pub mod statemap;
pub mod tiles;
pub mod titleproof;
pub mod witness;

#[cfg(test)]
mod roundtrip;

pub use checkpoint::Checkpoint;
pub use elsewhere::CountyLogs;
pub use envelope::{format_integrated, verify_signatures, Cosig, Envelope, Record};
pub use keys::SignerKey;
pub use merkle::{leaf_hash, Hash};
pub use sequencer::{Admitted, Sequencer};
pub use tiles::{TileId, TileSource, TreeBuilder};

use crate::model::RuleError;

crate::refusals! {
    /// Why the ledger refused an envelope (before or besides the domain rules).
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum LedgerError {
        #[error("malformed JSON: {0}")]
        MalformedJson(String)
            => MalformedJson(e) => Class::Malformed, (),
            format!(
                "JSON 格式错误（第 {} 行）",
                e.rsplit("line ")
                    .next()
                    .and_then(|l| l.split(' ').next())
                    .unwrap_or("1")
            );
        #[error("invalid envelope field `{field}`: {reason}")]
        BadEnvelope {
            field: String,
            reason: String,
            reason_zh: String,
        }
            => BadEnvelope { field, reason_zh, .. } => Class::Malformed, field.clone(),
            format!("信封字段“{field}”无效：{reason_zh}");
        #[error("unsupported envelope version (expected v = 1)")]
        UnsupportedVersion
            => UnsupportedVersion => Class::Malformed, "entry.v",
            "不支持的信封版本（应为 v = 1）";
        #[error("entry is for log `{got}`, this is `{expected}`")]
        WrongLog { expected: String, got: String }
            => WrongLog { expected, got, .. } => Class::Malformed, "entry.log",
            format!("条目属于日志“{got}”，本日志为“{expected}”");
        #[error("invalid signer: {}", .0.0)]
        BadSigner(crate::model::error::Why)
            => BadSigner((_, r)) => Class::Malformed, "entry.signer",
            format!("签名者无效：{r}");
        #[error("the signature is not the base64 of 64 bytes")]
        BadSignatureEncoding
            => BadSignatureEncoding => Class::Malformed, "sig",
            "签名不是 64 字节的 base64 编码";
        #[error("the signature does not verify over this entry")]
        SignatureInvalid
            => SignatureInvalid => Class::Forbidden, "sig",
            "签名与条目内容不符";
        #[error("the nonce must be 1 to 64 printable ASCII characters")]
        BadNonce
            => BadNonce => Class::Malformed, "entry.nonce",
            "随机数须为 1 至 64 个可打印 ASCII 字符";
        #[error("this signer already used this nonce (log index {index})")]
        ReplayedNonce { index: u64 }
            => ReplayedNonce { index, .. } => Class::Conflict, "entry.nonce",
            format!("该签名者已使用过此随机数（日志序号 {index}）");
        #[error("the time must be an RFC 3339 timestamp")]
        BadTime
            => BadTime => Class::Malformed, "entry.time",
            "时间须为 RFC 3339 格式";
        #[error("invalid checkpoint: {0}")]
        BadCheckpoint(String)
            => BadCheckpoint(r) => Class::Malformed, (),
            format!("检查点无效：{r}");
        /// A rule failed in a way it never should (a panic, caught): the entry
        /// is refused and logged, and the log goes on.
        #[error("internal error: the entry was refused and logged")]
        #[default]
        Internal
            => Internal => Class::Internal, (),
            "内部错误：该条目已被拒绝并记录", code "internal_error";
        #[error(transparent)]
        Rule(#[from] RuleError)
            => Rule(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
    }
}
