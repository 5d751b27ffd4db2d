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
