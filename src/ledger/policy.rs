//! A trust policy, C2SP tlog-policy: the logs a proof may come from, the
//! witnesses, and the quorum of their cosignatures a checkpoint needs —
//! what `verify-proof --policy` and the `/verify` page check a title proof
//! against, with no network. Lines: `log <vkey> [url]`, `witness <name>
//! <vkey> [url]`, `group <name> all|any|<k> <member>…`, `quorum <name>|none`;
//! `#` comments and empty lines ignored.

use std::collections::{BTreeSet, HashMap};

use super::cosignature::CosignerKey;
use crate::model::VerifierKey;

/// One named witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub name: String,
    pub key: CosignerKey,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    name: String,
    k: usize,
    members: Vec<Member>,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub logs: Vec<(VerifierKey, Option<String>)>,
    pub witnesses: Vec<Witness>,
    groups: Vec<Group>,
    /// `None` for `quorum none`.
    quorum: Option<Member>,
}

/// The most of each thing a policy may name (tlog-policy recommends at
/// least 32).
const LIMIT: usize = 64;

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, String> {
        let mut policy = Policy {
            logs: Vec::new(),
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
        };
        let mut names: HashMap<String, Member> = HashMap::new();
        let mut quorum_seen = false;
        for (n, line) in text.split('\n').enumerate() {
            let at = |why: String| format!("line {}: {why}", n + 1);
            if line.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
                return Err(at("a control character".into()));
            }
            let words: Vec<&str> = line.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            match words.as_slice() {
                [] => {}
                [first, ..] if first.starts_with('#') => {}
                ["log", vkey, rest @ ..] if rest.len() <= 1 => {
                    let key = VerifierKey::parse(vkey).map_err(|e| at(e.into()))?;
                    if policy.logs.iter().any(|(k, _)| k.key == key.key) {
                        return Err(at("a log listed twice".into()));
                    }
                    policy
                        .logs
                        .push((key, rest.first().map(|u| (*u).to_owned())));
                }
                ["witness", name, vkey, rest @ ..] if rest.len() <= 1 => {
                    let key = CosignerKey::parse(vkey).map_err(|e| at(e.into()))?;
                    if policy.witnesses.iter().any(|w| w.key.key == key.key) {
                        return Err(at("a witness listed twice".into()));
                    }
                    let member = Member::Witness(policy.witnesses.len());
                    define(&mut names, name, member).map_err(at)?;
                    policy.witnesses.push(Witness {
                        name: (*name).to_owned(),
                        key,
                        url: rest.first().map(|u| (*u).to_owned()),
                    });
                }
                ["group", name, k, members @ ..] if !members.is_empty() => {
                    let mut listed = BTreeSet::new();
                    let members = members
                        .iter()
                        .map(|m| {
                            if !listed.insert(*m) {
                                return Err(at(format!("`{m}` listed twice in a group")));
                            }
                            names
                                .get(*m)
                                .cloned()
                                .ok_or_else(|| at(format!("`{m}` is not defined above")))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let k = match *k {
                        "all" => members.len(),
                        "any" => 1,
                        text => text
                            .parse::<usize>()
                            .ok()
                            .filter(|k| (1..=members.len()).contains(k) && k.to_string() == text)
                            .ok_or_else(|| at(format!("a threshold of 1 to {}", members.len())))?,
                    };
                    define(&mut names, name, Member::Group(policy.groups.len())).map_err(at)?;
                    policy.groups.push(Group {
                        name: (*name).to_owned(),
                        k,
                        members,
                    });
                }
                ["quorum", name] if !quorum_seen => {
                    quorum_seen = true;
                    policy.quorum = match *name {
                        "none" => None,
                        name => Some(
                            names
                                .get(name)
                                .cloned()
                                .ok_or_else(|| at(format!("`{name}` is not defined above")))?,
                        ),
                    };
                }
                ["quorum", ..] => {
                    return Err(at("one quorum line, naming one witness or group".into()))
                }
                _ => return Err(at(format!("not a policy line: {line}"))),
            }
            if policy.logs.len() + policy.witnesses.len() + policy.groups.len() > 3 * LIMIT {
                return Err(at("too many logs, witnesses and groups".into()));
            }
        }
        if !quorum_seen {
            return Err("a policy needs a quorum line".into());
        }
        Ok(policy)
    }

    /// Whether the witnesses `cosigned` (by their place in `witnesses`)
    /// meet the quorum.
    pub fn quorum_met(&self, cosigned: &BTreeSet<usize>) -> bool {
        self.quorum.as_ref().is_none_or(|q| self.met(q, cosigned))
    }

    fn met(&self, member: &Member, cosigned: &BTreeSet<usize>) -> bool {
        match member {
            Member::Witness(w) => cosigned.contains(w),
            Member::Group(g) => {
                let g = &self.groups[*g];
                g.members.iter().filter(|m| self.met(m, cosigned)).count() >= g.k
            }
        }
    }

    /// The policy's text, as `parse` reads it back.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (key, url) in &self.logs {
            out += &format!(
                "log {key}{}\n",
                url.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
            );
        }
        for w in &self.witnesses {
            out += &format!(
                "witness {} {}{}\n",
                w.name,
                w.key,
                w.url.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
            );
        }
        let name = |m: &Member| match m {
            Member::Witness(w) => self.witnesses[*w].name.clone(),
            Member::Group(g) => self.groups[*g].name.clone(),
        };
        for g in &self.groups {
            let members: Vec<String> = g.members.iter().map(name).collect();
            out += &format!("group {} {} {}\n", g.name, g.k, members.join(" "));
        }
        out += &format!(
            "quorum {}\n",
            self.quorum.as_ref().map(name).unwrap_or("none".into())
        );
        out
    }
}

fn define(names: &mut HashMap<String, Member>, name: &str, member: Member) -> Result<(), String> {
    if name == "none" || names.contains_key(name) {
        return Err(format!("the name `{name}` is taken"));
    }
    names.insert(name.to_owned(), member);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::SignerKey;

    fn witness(n: u8) -> String {
        CosignerKey::of(&SignerKey::from_seed(&format!("w{n}.example"), [n; 32]).unwrap())
            .to_string()
    }

    /// The C2SP example's shape: two of three X witnesses and any one Y.
    #[test]
    fn groups_count_their_members_to_their_threshold() {
        let log = SignerKey::from_seed("sanquan/140421/state", [9; 32]).unwrap();
        let text = format!(
            "# the county's log\nlog {}\n\nwitness X1 {}\nwitness X2 {}\nwitness X3 {}\ngroup X 2 X1 X2 X3\n\
             witness Y1 {}\n\twitness Y2 {} https://y2.example/\ngroup Y any Y1 Y2\ngroup XY all X Y\nquorum XY\n",
            log.verifier(), witness(1), witness(2), witness(3), witness(4), witness(5)
        );
        let p = Policy::parse(&text).unwrap();
        let met = |ws: &[usize]| p.quorum_met(&ws.iter().copied().collect());
        assert!(met(&[0, 1, 3]) && met(&[0, 2, 4]) && met(&[0, 1, 2, 3, 4]));
        assert!(!met(&[0, 1]) && !met(&[0, 3, 4]) && !met(&[]));
        assert_eq!(Policy::parse(&p.text()).unwrap(), p);
        assert!(
            Policy::parse(&format!("log {}\nquorum none\n", log.verifier()))
                .unwrap()
                .quorum_met(&BTreeSet::new())
        );
    }

    #[test]
    fn a_malformed_policy_is_refused_with_its_line() {
        let w1 = witness(1);
        for (text, line) in [
            (format!("witness A {w1}\nquorum B\n"), "line 2"),
            (
                format!("witness A {w1}\nwitness A {}\nquorum A\n", witness(2)),
                "line 2",
            ),
            (
                format!("witness A {w1}\nwitness B {w1}\nquorum A\n"),
                "line 2",
            ),
            (format!("witness A {w1}\ngroup G 2 A\nquorum G\n"), "line 2"),
            (
                format!("witness A {w1}\ngroup G 01 A\nquorum G\n"),
                "line 2",
            ),
            (
                format!("witness A {w1}\ngroup G any A A\nquorum G\n"),
                "line 2",
            ),
            (format!("witness A {w1}\nquorum A\nquorum A\n"), "line 3"),
            (format!("witness none {w1}\nquorum none\n"), "line 1"),
            ("quorum none\nlog nonsense\n".to_owned(), "line 2"),
            ("quorum none\r\n".to_owned(), "line 1"),
        ] {
            let e = Policy::parse(&text).unwrap_err();
            assert!(e.starts_with(line), "{text:?}: {e}");
        }
        assert!(Policy::parse(&format!("witness A {w1}\n")).is_err());
    }
}
