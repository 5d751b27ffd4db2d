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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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

crate::refusals! {
    /// The HTTP layer's own refusals, before a request reaches the registry.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, thiserror::Error, strum::EnumIter)]
    pub enum HttpRefusal {
        #[error("{reason}")]
        BadQuery {
            /// The parameter at fault, if one is.
            field: Option<String>,
            reason: String,
            reason_zh: String,
        }
            => BadQuery { field, reason_zh, .. } => Class::Malformed, field.clone(),
            if reason_zh.is_empty() { "查询参数无效".to_owned() } else { reason_zh.clone() };
        #[error("the body is sent as Content-Type: {expected}")]
        UnsupportedMediaType { expected: &'static str }
            => UnsupportedMediaType { expected } => Class::UnsupportedMedia, "header.Content-Type",
            format!("请求体须以 Content-Type: {expected} 提交");
        #[error("an envelope may be at most {max} bytes")]
        PayloadTooLarge { max: usize }
            => PayloadTooLarge { max } => Class::TooLarge, (),
            format!("信封不得超过 {max} 字节");
        #[error("the request body could not be read: {reason}")]
        BadRequestBody { reason: String }
            => BadRequestBody { reason } => Class::Malformed, (),
            format!("请求体读取失败：{reason}");
        #[error("an internal error; the request changed nothing ({reason})")]
        Internal { reason: String }
            => Internal { .. } => Class::Internal, (),
            "内部错误，请求未改变任何内容";
        #[error("no such resource: {what}")]
        NotFound { what: String }
            => NotFound { what } => Class::NotFound, (),
            format!(
                "没有这个地址：`{}`",
                what.split_once(' ').map_or(what.as_str(), |(_, path)| path)
            );
    }
}

impl HttpRefusal {
    /// A query or path value refused, with the reason in both languages.
    pub fn query(
        field: Option<&str>,
        reason: impl Into<String>,
        reason_zh: impl Into<String>,
    ) -> Self {
        HttpRefusal::BadQuery {
            field: field.map(str::to_owned),
            reason: reason.into(),
            reason_zh: reason_zh.into(),
        }
    }

    /// Something failed that is no fault of the request.
    pub fn internal(reason: impl std::fmt::Display) -> Self {
        HttpRefusal::Internal {
            reason: reason.to_string(),
        }
    }
}

impl From<HttpRefusal> for ApiError {
    fn from(r: HttpRefusal) -> Self {
        if let HttpRefusal::Internal { reason } = &r {
            tracing::error!(error = %reason, "internal error");
        }
        ApiError::from_refusal(&r)
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
        // The examples, not failures: made without the conversion that
        // logs an internal error.
        .chain(HttpRefusal::iter().map(|r| ApiError::from_refusal(&r)))
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
