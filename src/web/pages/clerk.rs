//! The clerk's desk (the village collective): one page per task, in the
//! order a village registers — survey, households, keys, the assembly's
//! vote, 成员认定, 发包, 公示, 颁证 — and an index saying what waits for each.

use super::*;
use crate::registry::ClerkWork;
use crate::web::Lang;

/// A task of the village clerk (村里办事), with its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Task {
    Survey,
    Household,
    Key,
    Decision,
    Admit,
    Grant,
    Notice,
    Certify,
    Join,
}

/// Each task, in the order a village does them: its path segment
/// (`/clerk/{collective}/{slug}`), its title and what it is for, in Chinese
/// and English.
const TASKS: [(Task, &str, [&str; 2], [&str; 2]); 9] = [
    (
        Task::Survey,
        "survey",
        ["导入测绘成果", "Import a survey"],
        [
            "把测绘单位交来的地块图文件导进来，每块地一条记录。",
            "Bring in the surveyors' parcels (GeoJSON), one entry each.",
        ],
    ),
    (
        Task::Household,
        "household",
        ["登记承包户", "Register a household"],
        [
            "登记一户和家里每个人；姓名、身份证号不上公开日志。",
            "A household and each of its people; names stay off the public log.",
        ],
    ),
    (
        Task::Key,
        "key",
        ["为承包户登记密钥", "Register a household's key"],
        [
            "农户在手机上生成密钥后，核对身份证，扫码登记。",
            "Once the farmer made a key on his phone, check the ID and scan it.",
        ],
    ),
    (
        Task::Decision,
        "decision",
        ["记录村民会议表决", "Record an assembly's vote"],
        [
            "成员大会或代表大会的表决结果和会议记录。",
            "An assembly's counts and its minutes.",
        ],
    ),
    (
        Task::Admit,
        "admit",
        ["成员认定", "Admit members"],
        [
            "按成员大会的决议，确认谁是本集体成员。",
            "As the members' assembly decided, who is a member.",
        ],
    ),
    (
        Task::Grant,
        "grant",
        ["发包：签订承包合同", "Grant a land contract"],
        [
            "把地发包给承包户，整年期限。",
            "Grant land to a household, for whole years.",
        ],
    ),
    (
        Task::Notice,
        "notice",
        ["张贴公示", "Post a notice"],
        [
            "承包结果张榜公示，至少 7 天。",
            "Post the contracts for 7 days or more.",
        ],
    ),
    (
        Task::Certify,
        "certify",
        ["颁发承包经营权证", "Issue certificates"],
        [
            "公示期满、没有异议的，颁发承包经营权证。",
            "Once the notice closed with no objection, issue the certificate.",
        ],
    ),
    (
        Task::Join,
        "join",
        ["家里添人：出生或嫁入", "A member born or married in"],
        [
            "出生或嫁入的新成员，下次换证时写上。",
            "A member born or married in, named on the next certificate.",
        ],
    ),
];

impl Task {
    fn row(self) -> &'static (Task, &'static str, [&'static str; 2], [&'static str; 2]) {
        TASKS
            .iter()
            .find(|r| r.0 == self)
            .expect("every task has its row")
    }

    fn slug(self) -> &'static str {
        self.row().1
    }

    fn parse(slug: &str) -> Option<Task> {
        TASKS.iter().find(|r| r.1 == slug).map(|r| r.0)
    }

    pub(super) fn title(self, l: &Lang) -> &'static str {
        let [zh, en] = self.row().2;
        l.t(zh, en)
    }

    /// What the task is for, in a line.
    pub(super) fn hint(self, l: &Lang) -> &'static str {
        let [zh, en] = self.row().3;
        l.t(zh, en)
    }
}

// ---- choosing the collective ----

#[derive(Template)]
#[template(path = "clerk_choose.html")]
pub(super) struct ClerkChoose {
    c: Chrome,
    collectives: Vec<(String, String)>,
}

pub(super) async fn clerk_choose(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "clerk", |reg, c| {
        Ok(ClerkChoose {
            collectives: reg.collectives()?,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the tasks ----

/// A task as the index lists it: what waits for it, in words.
pub(super) struct TaskCard {
    slug: &'static str,
    title: &'static str,
    hint: &'static str,
    waiting: Option<String>,
}

/// What a clerk's page shows of the collective, for the index and every
/// task alike.
pub(super) struct Village {
    code: String,
    name: String,
    work: ClerkWork,
    /// The next free 承包方编码 of the collective (P1: 0001–8000).
    next_household: String,
    /// Parcels no contract covers whose land use may be contracted (C2):
    /// code, name, 亩.
    free_parcels: Vec<(String, String, String)>,
    today: String,
    /// The last day of a 30-year term from today (C2: whole years).
    thirty_years: String,
    /// The last day of the shortest notice from today (C3: 7 days).
    notice_ends: String,
}

impl Village {
    /// The collective's work; its free land (which reads every parcel's
    /// geometry) only with `land`, for the pages that show it.
    fn of(reg: &Registry, code: &str, land: bool) -> Result<Village, ServiceError> {
        let k = reg.collective(code)?;
        let work = reg.clerk_work(code)?;
        let next = work
            .households
            .iter()
            .filter_map(|(h, _)| crate::model::codes::HouseholdCode::parse(h).ok())
            .map(|h| h.sequence())
            .filter(|&n| n <= 8000)
            .max()
            .unwrap_or(0)
            + 1;
        let today = reg.today();
        let thirty_years = today
            .checked_add_months(chrono::Months::new(12 * 30))
            .and_then(|d| d.pred_opt())
            .unwrap_or(today);
        let notice_ends =
            today + chrono::Days::new(crate::model::rules::MIN_NOTICE_DAYS as u64 - 1);
        let free_parcels = if land {
            reg.parcels(Some(code), None)?
                .features
                .into_iter()
                .filter(|f| f.properties.holder.is_none() && f.properties.status == "active")
                .filter(|f| crate::model::land::contract_terms(&f.properties.land_use).is_some())
                .map(|f| (f.id, f.properties.name, f.properties.area_mu))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Village {
            next_household: format!("{code}{next:04}"),
            free_parcels,
            name: k.properties.name,
            code: k.id,
            work,
            today: today.to_string(),
            thirty_years: thirty_years.to_string(),
            notice_ends: notice_ends.to_string(),
        })
    }

    /// A household as the clerk's lists name it: 第2户.
    pub(super) fn household(&self, code: &str) -> String {
        crate::model::words::household_number(code)
    }

    /// What waits for a task, in words, if anything does.
    fn waiting(&self, task: Task, l: Lang) -> Option<String> {
        let w = &self.work;
        let n = |count: usize, zh: &str, en: &str| {
            (count > 0).then(|| {
                if l.en {
                    format!("{count} {en}")
                } else {
                    format!("{count} {zh}")
                }
            })
        };
        match task {
            Task::Household => Some(if l.en {
                format!(
                    "{} households; next code {}",
                    w.households.len(),
                    self.next_household
                )
            } else {
                format!(
                    "已登记 {} 户，下一户编码 {}",
                    w.households.len(),
                    self.next_household
                )
            }),
            Task::Admit => n(w.to_admit.len(), "人待认定", "persons to admit"),
            Task::Grant => n(
                self.free_parcels.len(),
                "块地可发包",
                "parcels free to grant",
            ),
            Task::Notice => n(w.to_notice.len(), "份合同待公示", "contracts to post"),
            Task::Certify => match (w.to_certify.len(), w.on_notice.len()) {
                (0, 0) => None,
                (ready, up) if l.en => Some(format!("{ready} ready; {up} still on notice")),
                (ready, up) => Some(format!("{ready} 份可颁证；{up} 份还在公示")),
            },
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "clerk.html")]
pub(super) struct ClerkPage {
    c: Chrome,
    v: Village,
    tasks: Vec<TaskCard>,
}

pub(super) async fn clerk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "clerk", move |reg, c| {
        let v = Village::of(reg, &code, true)?;
        let tasks = TASKS
            .iter()
            .map(|&(t, ..)| TaskCard {
                slug: t.slug(),
                title: t.title(&c.l),
                hint: t.hint(&c.l),
                waiting: v.waiting(t, c.l),
            })
            .collect();
        Ok(ClerkPage { tasks, v, c })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "clerk_task.html")]
pub(super) struct ClerkTaskPage {
    c: Chrome,
    v: Village,
    task: Task,
    /// The households whose members the admission lists, for the signed
    /// read that shows their names.
    reads: String,
}

pub(super) async fn clerk_task(
    req: HttpRequest,
    reg: web::Data<Registry>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (code, slug) = path.into_inner();
    let page = read(&reg, &req, "clerk", move |reg, c| {
        let task = Task::parse(&slug).ok_or_else(|| ServiceError::NotFound {
            what: "task of the village clerk",
            id: slug.clone(),
            field: "task",
        })?;
        let v = Village::of(reg, &code, task == Task::Grant)?;
        let mut households: Vec<&str> = v.work.to_admit.iter().map(|(h, _)| h.as_str()).collect();
        households.dedup();
        let reads = households
            .iter()
            .map(|h| format!("/api/v1/households/{h}"))
            .collect::<Vec<_>>()
            .join(" ");
        Ok(ClerkTaskPage { v, task, reads, c })
    })
    .await?;
    html(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each task has one row, under a path segment of its own.
    #[test]
    fn each_task_once() {
        let slugs: std::collections::BTreeSet<&str> = TASKS.iter().map(|r| r.1).collect();
        assert_eq!(slugs.len(), TASKS.len());
        for (task, slug, ..) in TASKS {
            assert_eq!(Task::parse(slug), Some(task));
            assert_eq!(task.slug(), slug);
        }
    }
}
