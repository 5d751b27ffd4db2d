//! The county's settings on the log.

use crate::model::entry::CountySettings;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// `county.settings`: by the county agency, naming the settings it changes
/// and why; each is checked against its range. Entries after it are decided
/// with the new values; those before keep theirs.
pub fn county_settings(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &CountySettings,
) -> Result<Vec<Change>, RuleError> {
    if body.settings.is_empty() {
        return Err(RuleError::attribute(
            "settings",
            "name at least one setting to change",
            "至少列出一项要修改的设置",
        ));
    }
    let settings = state
        .settings
        .updated(&body.settings)
        .map_err(|e| RuleError::BadSetting {
            field: e.field,
            reason: e.reason,
            reason_zh: e.reason_zh,
        })?;
    Ok(vec![Change::SettingsChanged {
        settings,
        at: ctx.index,
    }])
}
