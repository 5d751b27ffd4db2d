//! A title proof's QR for a printed document (issue 20): the compact proof
//! in base45 (`TitleProof::to_qr_text`), as an SVG QR code at error
//! correction level Q, drawn on the server so the page prints the same
//! with or without its scripts.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `text` as an SVG element, or `None` if it does not fit
/// a version-40 code at level Q.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .quiet_zone(true)
            .min_dimensions(200, 200)
            .build(),
    )
}
