//! A parcel's title page.

use super::*;

// ---- title ----

#[derive(Template)]
#[template(path = "parcel.html")]
pub(super) struct ParcelPage {
    c: Chrome,
    t: TitleView,
    sizhi: Option<Sizhi>,
    history: String,
    /// The county's trust policy, pinned for the title proof's check.
    policy: Option<String>,
}

pub(super) async fn parcel(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "map", move |reg, c| {
        let t = reg.title(&code)?;
        let sizhi = reg.parcel(&code)?.properties.sizhi;
        let history = indices(t.history.iter().map(|h| h.index));
        Ok(ParcelPage {
            policy: reg.trust_policy(),
            c,
            t,
            sizhi,
            history,
        })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "notices.html")]
pub(super) struct NoticesPage {
    c: Chrome,
    acts: Vec<crate::registry::views::ActView>,
}

/// The county's notice board (公示栏): what is under notice now (A2, A3).
pub(super) async fn notices(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "notices", move |reg, c| {
        Ok(NoticesPage {
            acts: reg.notice_board()?,
            c,
        })
    })
    .await?;
    html(&page)
}
