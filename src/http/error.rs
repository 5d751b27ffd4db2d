//! Errors to HTTP, in one place: every refusal becomes
//! `{"error": {"code", "message", "message_zh", "field"}}` with the status of
//! its class, which its type gives.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::model::error::Class;
use crate::model::Refusal;
use crate::registry::ServiceError;

/// An error as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub message_zh: String,
    pub field: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", .body.message)]
pub struct ApiError {
    pub body: ErrorBody,
    pub class: Class,
}

impl ApiError {
    pub fn new(
        class: Class,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError {
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                message_zh: message_zh.into(),
                field: field.map(str::to_owned),
            },
            class,
        }
    }

    pub fn from_refusal(r: &dyn Refusal) -> Self {
        ApiError {
            body: ErrorBody {
                code: r.code().to_owned(),
                message: r.to_string(),
                message_zh: r.message_zh(),
                field: r.field(),
            },
            class: r.class(),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        if let ServiceError::Store(s) = &e {
            tracing::error!(error = %s, "store error");
        }
        ApiError::from_refusal(&e)
    }
}

/// One error code as the API documents it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDoc {
    pub code: String,
    pub status: u16,
    /// An example of the English message (the details of a real refusal
    /// fill its blanks).
    pub message: String,
    pub message_zh: String,
}

/// Every error code the API answers, with its HTTP status and an example
/// of both messages: one refusal of each kind of each layer, and the HTTP
/// layer's own.
pub fn catalogue() -> Vec<ErrorDoc> {
    use strum::IntoEnumIterator;
    let mut refusals: Vec<Box<dyn Refusal>> = Vec::new();
    refusals.extend(ServiceError::iter().map(|e| Box::new(e) as Box<dyn Refusal>));
    refusals.extend(crate::ledger::LedgerError::iter().map(|e| Box::new(e) as _));
    refusals.extend(crate::model::RuleError::iter().map(|e| Box::new(e) as _));
    refusals.extend(
        crate::model::exchange::ExchangeRefusal::iter()
            .map(|e| Box::new(crate::model::RuleError::Exchange(e)) as _),
    );
    refusals.extend(crate::spatial::GeometryError::iter().map(|e| Box::new(e) as _));
    refusals.extend(crate::model::person::PersonalError::iter().map(|e| Box::new(e) as _));
    refusals.extend(crate::ledger::read_auth::ReadAuthError::iter().map(|e| Box::new(e) as _));
    let mut all: Vec<ErrorDoc> = refusals
        .iter()
        .map(|r| ApiError::from_refusal(r.as_ref()))
        .chain(http_refusals())
        // An example whose message is all details says nothing.
        .filter(|e| !e.body.message_zh.trim().is_empty())
        .map(|e| ErrorDoc {
            status: status_of(e.class).as_u16(),
            code: e.body.code,
            message: e.body.message,
            message_zh: e.body.message_zh,
        })
        .collect();
    all.sort_by(|a, b| a.code.cmp(&b.code));
    all.dedup_by(|a, b| a.code == b.code);
    all
}

/// The refusals of the HTTP layer itself, before a request reaches the
/// registry (examples of those `routes` and `web` make).
fn http_refusals() -> Vec<ApiError> {
    vec![
        ApiError::new(
            Class::Malformed,
            "bad_query",
            "status: names no such value",
            "所给的值不存在",
            Some("status"),
        ),
        ApiError::new(
            Class::UnsupportedMedia,
            "unsupported_media_type",
            "an envelope is sent as Content-Type: application/json",
            "信封须以 Content-Type: application/json 提交",
            Some("header.Content-Type"),
        ),
        ApiError::new(
            Class::TooLarge,
            "payload_too_large",
            "an envelope may be at most 1048576 bytes",
            "信封不得超过 1048576 字节",
            None,
        ),
        ApiError::new(
            Class::Malformed,
            "bad_request_body",
            "the request body could not be read",
            "请求体读取失败",
            None,
        ),
        ApiError::new(
            Class::Internal,
            "internal",
            "an internal error; the request changed nothing",
            "内部错误，请求未改变任何内容",
            None,
        ),
    ]
}

/// The HTTP status of each class of refusal: the one place they meet.
pub fn status_of(class: Class) -> StatusCode {
    match class {
        Class::Malformed => StatusCode::BAD_REQUEST,
        Class::Unauthenticated => StatusCode::UNAUTHORIZED,
        Class::Forbidden => StatusCode::FORBIDDEN,
        Class::NotFound => StatusCode::NOT_FOUND,
        Class::Conflict => StatusCode::CONFLICT,
        Class::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Class::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Class::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        Class::Busy => StatusCode::SERVICE_UNAVAILABLE,
        Class::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.class)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((actix_web::http::header::RETRY_AFTER, "1"));
        }
        response.json(serde_json::json!({ "error": self.body }))
    }
}
