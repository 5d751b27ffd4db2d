//! Signed reads: a request for personal data carries the reader's signature
//! over the method, the path and the time, so the server learns who asks
//! without holding any secret of theirs. The header is
//! `Authorization: Sanquan keyid=<base64 public key>,time=<RFC 3339>,sig=<base64>`
//! and the signature covers `"sanquan read v1\n" METHOD " " PATH "\n" TIME`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};

use super::SignerKey;

/// How far a read's time may be from the server's clock.
pub const READ_WINDOW_SECONDS: i64 = 300;

crate::refusals! {
    /// Why a signed read was not accepted.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum ReadAuthError {
        #[error("the Authorization header is not `Sanquan keyid=…,time=…,nonce=…,sig=…`: {}", .0.0)]
        Malformed(crate::model::error::Why)
            => Malformed((_, r)) => Class::Unauthenticated, "header.Authorization",
            format!("Authorization 请求头格式错误：{r}"), code "bad_read_authorization";
        #[error("the read's signature does not verify")]
        #[default]
        BadSignature
            => BadSignature => Class::Unauthenticated, "header.Authorization",
            "查询签名验证失败", code "read_signature_invalid";
        #[error("the read was signed at {time}, more than 5 minutes from the server's clock")]
        Stale { time: String }
            => Stale { time, .. } => Class::Unauthenticated, "header.Authorization",
            format!("查询签名时间 {time} 与服务器时间相差超过 5 分钟"), code "stale_read_authorization";
        #[error("this signed read was used before; sign each read with a new nonce")]
        Replayed
            => Replayed => Class::Unauthenticated, "header.Authorization",
            "该查询签名已被使用过，每次查询须使用新的随机数", code "replayed_read_authorization";
        #[error("too many signed reads in the last 5 minutes; try again later")]
        TooMany
            => TooMany => Class::Busy, "header.Authorization",
            "最近 5 分钟内的签名查询过多，请稍后再试", code "busy";
    }
}

fn message(method: &str, path: &str, time: &str, nonce: &str) -> Vec<u8> {
    format!("sanquan read v2\n{method} {path}\n{time}\n{nonce}").into_bytes()
}

/// The Authorization header value for reading `path` now.
pub fn sign_read(key: &SignerKey, method: &str, path: &str, now: DateTime<Utc>) -> String {
    let time = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let nonce = format!("{:032x}", rand::random::<u128>());
    let sig = key.sign(&message(method, path, &time, &nonce));
    format!(
        "Sanquan keyid={},time={time},nonce={nonce},sig={}",
        STANDARD.encode(key.public_bytes()),
        STANDARD.encode(sig)
    )
}

/// The public key that signed this read of `path`, if the header is well
/// formed, fresh and its signature verifies.
pub fn verify_read(
    header: &str,
    method: &str,
    path: &str,
    now: DateTime<Utc>,
) -> Result<SignedRead, ReadAuthError> {
    let params = header
        .strip_prefix("Sanquan ")
        .ok_or(ReadAuthError::Malformed((
            "the scheme is `Sanquan`",
            "认证方案须为 `Sanquan`",
        )))?;
    let (mut keyid, mut time, mut nonce, mut sig) = (None, None, None, None);
    for part in params.split(',') {
        match part.trim().split_once('=') {
            Some(("keyid", v)) => keyid = Some(v),
            Some(("time", v)) => time = Some(v),
            Some(("nonce", v)) => nonce = Some(v),
            Some(("sig", v)) => sig = Some(v),
            _ => {
                return Err(ReadAuthError::Malformed((
                    "unknown parameter",
                    "有未知参数",
                )))
            }
        }
    }
    let (Some(keyid), Some(time), Some(nonce), Some(sig)) = (keyid, time, nonce, sig) else {
        return Err(ReadAuthError::Malformed((
            "keyid, time, nonce and sig are required",
            "须有 `keyid`、`time`、`nonce` 和 `sig`",
        )));
    };
    if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ReadAuthError::Malformed((
            "nonce is 1 to 64 letters and digits",
            "`nonce` 须为 1 至 64 个字母或数字",
        )));
    }
    let public: [u8; 32] = STANDARD
        .decode(keyid)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(ReadAuthError::Malformed((
            "keyid is a base64 Ed25519 public key",
            "`keyid` 须为 base64 编码的 Ed25519 公钥",
        )))?;
    let signature: [u8; 64] = STANDARD
        .decode(sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(ReadAuthError::Malformed((
            "sig is a base64 Ed25519 signature",
            "`sig` 须为 base64 编码的 Ed25519 签名",
        )))?;
    let at = DateTime::parse_from_rfc3339(time)
        .map_err(|_| ReadAuthError::Malformed(("time is RFC 3339", "`time` 须为 RFC 3339 时间")))?;
    // To the instant, not whole seconds: a read 300.25 s old is stale, and
    // no older than the nonces remembered for it.
    if (now - at.with_timezone(&Utc)).abs() > chrono::Duration::seconds(READ_WINDOW_SECONDS) {
        return Err(ReadAuthError::Stale {
            time: time.to_owned(),
        });
    }
    let key = VerifyingKey::from_bytes(&public).map_err(|_| ReadAuthError::BadSignature)?;
    key.verify_strict(
        &message(method, path, time, nonce),
        &Signature::from_bytes(&signature),
    )
    .map_err(|_| ReadAuthError::BadSignature)?;
    Ok(SignedRead {
        key: public,
        nonce: nonce.to_owned(),
        time: at.with_timezone(&Utc),
    })
}

/// A signed read that verified: who signed it, with which nonce, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRead {
    pub key: [u8; 32],
    pub nonce: String,
    pub time: DateTime<Utc>,
}

/// The most signed reads remembered at once (about 10 MB).
pub const MAX_REMEMBERED_READS: usize = 100_000;

/// The most signed reads one key makes in a window: no key, however many
/// reads it signs, fills the table for the others.
pub const MAX_READS_PER_KEY: usize = 1_000;

/// The signed reads of the last window, so that none is used twice: a read
/// header is good for one request, not for five minutes of them.
#[derive(Debug, Default)]
pub struct ReadNonces {
    seen: std::collections::HashSet<([u8; 32], String)>,
    /// How many of the remembered reads each key made.
    per_key: std::collections::HashMap<[u8; 32], usize>,
    /// In the order they came, with the time each stops being good.
    order: std::collections::VecDeque<(DateTime<Utc>, [u8; 32], String)>,
}

impl ReadNonces {
    /// Accepts `read` once; forgets reads whose window has passed.
    pub fn remember(&mut self, read: &SignedRead, now: DateTime<Utc>) -> Result<(), ReadAuthError> {
        while let Some((until, key, nonce)) = self.order.front() {
            if *until >= now {
                break;
            }
            self.seen.remove(&(*key, nonce.clone()));
            if let Some(n) = self.per_key.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    self.per_key.remove(key);
                }
            }
            self.order.pop_front();
        }
        let id = (read.key, read.nonce.clone());
        if self.seen.contains(&id) {
            return Err(ReadAuthError::Replayed);
        }
        let mine = self.per_key.get(&read.key).copied().unwrap_or(0);
        if self.seen.len() >= MAX_REMEMBERED_READS || mine >= MAX_READS_PER_KEY {
            return Err(ReadAuthError::TooMany);
        }
        self.seen.insert(id);
        *self.per_key.entry(read.key).or_default() += 1;
        let until = read.time + chrono::Duration::seconds(READ_WINDOW_SECONDS);
        self.order.push_back((until, read.key, read.nonce.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A replay a quarter second past the window is stale, not accepted
    /// because its nonce was just forgotten; and one key's reads fill only
    /// its own share of the table.
    #[test]
    fn a_read_past_its_window_is_stale_and_each_key_has_a_budget() {
        let key = SignerKey::generate("reader").unwrap();
        let now = Utc::now();
        let h = sign_read(&key, "GET", "/x", now);
        let read = verify_read(&h, "GET", "/x", now).unwrap();
        let mut seen = ReadNonces::default();
        assert_eq!(seen.remember(&read, now), Ok(()));
        let later = now + chrono::Duration::milliseconds(300_250);
        assert!(matches!(
            verify_read(&h, "GET", "/x", later),
            Err(ReadAuthError::Stale { .. })
        ));
        let mut seen = ReadNonces::default();
        for _ in 0..MAX_READS_PER_KEY {
            let r = verify_read(&sign_read(&key, "GET", "/x", now), "GET", "/x", now).unwrap();
            assert_eq!(seen.remember(&r, now), Ok(()));
        }
        let r = verify_read(&sign_read(&key, "GET", "/x", now), "GET", "/x", now).unwrap();
        assert_eq!(seen.remember(&r, now), Err(ReadAuthError::TooMany));
        let other = SignerKey::generate("other").unwrap();
        let r = verify_read(&sign_read(&other, "GET", "/x", now), "GET", "/x", now).unwrap();
        assert_eq!(seen.remember(&r, now), Ok(()));
        // Once the window has passed, the key reads again.
        let after = now + chrono::Duration::seconds(READ_WINDOW_SECONDS + 1);
        let r = verify_read(&sign_read(&key, "GET", "/x", after), "GET", "/x", after).unwrap();
        assert_eq!(seen.remember(&r, after), Ok(()));
    }

    #[test]
    fn a_signed_read_names_its_key_and_nothing_else_passes() {
        let key = SignerKey::generate("reader").unwrap();
        let now = Utc::now();
        let h = sign_read(&key, "GET", "/api/v1/households/1", now);
        let read = verify_read(&h, "GET", "/api/v1/households/1", now).unwrap();
        assert_eq!(read.key, key.public_bytes());
        // Once only.
        let mut seen = ReadNonces::default();
        assert_eq!(seen.remember(&read, now), Ok(()));
        assert_eq!(seen.remember(&read, now), Err(ReadAuthError::Replayed));
        // Forgotten once stale, when it would be refused as stale anyway.
        let later = now + chrono::Duration::minutes(6);
        let other = verify_read(&sign_read(&key, "GET", "/x", later), "GET", "/x", later).unwrap();
        assert_eq!(seen.remember(&other, later), Ok(()));
        assert_eq!(seen.seen.len(), 1);
        // Another path, another method, a stale time, garbage.
        assert_eq!(
            verify_read(&h, "GET", "/api/v1/households/2", now),
            Err(ReadAuthError::BadSignature)
        );
        assert_eq!(
            verify_read(&h, "POST", "/api/v1/households/1", now),
            Err(ReadAuthError::BadSignature)
        );
        let later = now + chrono::Duration::minutes(6);
        assert!(matches!(
            verify_read(&h, "GET", "/api/v1/households/1", later),
            Err(ReadAuthError::Stale { .. })
        ));
        assert!(matches!(
            verify_read("Bearer x", "GET", "/", now),
            Err(ReadAuthError::Malformed(_))
        ));
    }
}
