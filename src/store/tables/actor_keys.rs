//! The `actor_keys` table: `State::keys`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = actor_keys, primary_key(county, public_key), treat_none_as_null = true)]
pub struct KeyRow<'a> {
    county: &'a str,
    public_key: &'a [u8],
    vkey: &'a str,
    role: &'a str,
    party: &'a str,
    registered_at: i64,
    revoked_at: Option<i64>,
    department: Option<&'static str>,
}

impl<'a> KeyRow<'a> {
    pub fn of(county: &'a str, k: &'a KeyBinding) -> Self {
        KeyRow {
            county,
            public_key: &k.public,
            vkey: &k.vkey,
            role: k.role.as_str(),
            party: &k.party,
            registered_at: k.registered_at as i64,
            revoked_at: k.revoked_at.map(|r| r as i64),
            department: k.department.map(crate::model::Department::as_str),
        }
    }
}

saved!(
    actor_keys: [u8; 32] => KeyBinding,
    |county, k, v| KeyRow::of(county, v),
    key public_key = |k| &k[..]
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<[u8; 32], KeyBinding>, StoreError> {
    Ok(load_keys(conn, county, None)?.into())
}

/// public_key, vkey, role, party, registered_at, revoked_at, department
pub type KeyColumns = (
    Vec<u8>,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

/// The keys bound to `party`, in the order they were bound.
pub fn keys_of_party(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<Vec<KeyBinding>, StoreError> {
    let mut keys: Vec<KeyBinding> = load_keys_where(conn, county, None, Some(party))?
        .into_values()
        .collect();
    keys.sort_by_key(|k| k.registered_at);
    Ok(keys)
}

/// The key registry, by public key.
pub fn load_keys(
    conn: &mut DbConnection,
    county: &str,
    only: Option<&[u8; 32]>,
) -> Result<HashMap<[u8; 32], KeyBinding>, StoreError> {
    load_keys_where(conn, county, only, None)
}

pub fn load_keys_where(
    conn: &mut DbConnection,
    county: &str,
    only: Option<&[u8; 32]>,
    party: Option<&str>,
) -> Result<HashMap<[u8; 32], KeyBinding>, StoreError> {
    let mut query = actor_keys::table
        .filter(actor_keys::county.eq(county))
        .into_boxed();
    if let Some(public) = only {
        query = query.filter(actor_keys::public_key.eq(public.to_vec()));
    }
    if let Some(party) = party {
        query = query.filter(actor_keys::party.eq(party.to_owned()));
    }
    let rows: Vec<KeyColumns> = query
        .select((
            actor_keys::public_key,
            actor_keys::vkey,
            actor_keys::role,
            actor_keys::party,
            actor_keys::registered_at,
            actor_keys::revoked_at,
            actor_keys::department,
        ))
        .load(conn)?;
    let mut keys = HashMap::with_capacity(rows.len());
    for (public, vkey, role, party, registered_at, revoked_at, department) in rows {
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| StoreError::Corrupt("actor_keys.public_key is not 32 bytes".into()))?;
        let role = Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("actor_keys.role `{role}`")))?;
        let department = department
            .map(|d| {
                crate::model::Department::parse(&d)
                    .ok_or_else(|| StoreError::Corrupt(format!("actor_keys.department `{d}`")))
            })
            .transpose()?;
        keys.insert(
            public,
            KeyBinding {
                public,
                vkey,
                role,
                party,
                registered_at: registered_at as u64,
                revoked_at: revoked_at.map(|r| r as u64),
                department,
            },
        );
    }
    Ok(keys)
}
