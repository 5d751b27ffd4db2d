//! Errors to HTTP, in one place: every refusal becomes
//! `{"error": {"code", "message", "message_zh", "field"}}` with a status
//! chosen by its code.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

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
#[error("{}", .0.message)]
pub struct ApiError(pub ErrorBody);

impl ApiError {
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError(ErrorBody {
            code: code.to_owned(),
            message: message.into(),
            message_zh: message_zh.into(),
            field: field.map(str::to_owned),
        })
    }

    pub fn from_refusal(r: &dyn Refusal) -> Self {
        ApiError(ErrorBody {
            code: r.code().to_owned(),
            message: r.to_string(),
            message_zh: r.message_zh(),
            field: r.field(),
        })
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

/// The HTTP status of each error code.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "not_found" => StatusCode::NOT_FOUND,
        "method_not_allowed" => StatusCode::METHOD_NOT_ALLOWED,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "unsupported_media_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "bad_read_authorization"
        | "read_signature_invalid"
        | "stale_read_authorization"
        | "replayed_read_authorization" => StatusCode::UNAUTHORIZED,
        "read_not_allowed" => StatusCode::FORBIDDEN,
        "signature_invalid" | "unknown_signer" | "revoked_signer" | "kind_not_allowed"
        | "party_not_allowed" => StatusCode::FORBIDDEN,
        "replayed_nonce"
        | "key_already_registered"
        | "key_already_revoked"
        | "genesis_misplaced" => StatusCode::CONFLICT,
        "malformed_json"
        | "bad_envelope"
        | "unsupported_version"
        | "wrong_log"
        | "bad_signer"
        | "bad_signature_encoding"
        | "bad_nonce"
        | "bad_time"
        | "time_outside_window"
        | "too_many_vertices"
        | "unknown_kind"
        | "bad_body"
        | "bad_query"
        | "out_of_range"
        | "bad_request_body"
        | "personal_data_unexpected"
        | "personal_data_missing"
        | "bad_personal_data" => StatusCode::BAD_REQUEST,
        "unavailable" | "busy" => StatusCode::SERVICE_UNAVAILABLE,
        "store_error" | "internal" | "internal_error" => StatusCode::INTERNAL_SERVER_ERROR,
        // Every other refusal is a rule of law saying no.
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0.code)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((actix_web::http::header::RETRY_AFTER, "1"));
        }
        response.json(serde_json::json!({ "error": self.0 }))
    }
}
