//! Who may do what: roles, the unit an account is bound to, and the one policy every read and write
//! goes through. Units are placed by their path of codes from the root ("/VN/66/24412/"), so "inside
//! the scope" is a prefix test.

use crate::plan::{Indicator, Plan, Reporter};
use crate::units::UnitKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts.
    Admin,
    /// Everything about the campaign's data (Sở KH&CN): reports, plan, units, targets, the audit log.
    Secretariat,
    /// Reports for its own unit, on the indicators the plan assigns to it.
    Reporter,
    /// Field records of its own village.
    TeamMember,
    /// Reads a subtree (the province, or one commune); never writes.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Secretariat,
        Role::Reporter,
        Role::TeamMember,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::Reporter => "reporter",
            Role::TeamMember => "team_member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// A role as a form or a command names it, or a message listing the roles there are.
    pub fn named(s: &str) -> Result<Role, String> {
        Role::parse(s).ok_or_else(|| {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "vai trò «{}» không có; dùng một trong: {}",
                s.trim(),
                all.join(", ")
            )
        })
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Secretariat => "Thường trực (Sở KH&CN)",
            Role::Reporter => "Cán bộ báo cáo của đơn vị",
            Role::TeamMember => "Thành viên Tổ Công nghệ số cộng đồng",
            Role::Viewer => "Lãnh đạo, người xem",
        }
    }

    /// Whether accounts of this role must be bound to a unit, and of which kinds.
    pub fn unit_kinds(self) -> Option<&'static [UnitKind]> {
        match self {
            Role::Admin | Role::Secretariat => None,
            Role::Reporter => Some(&[
                UnitKind::Commune,
                UnitKind::Department,
                UnitKind::School,
                UnitKind::Enterprise,
                UnitKind::Province,
            ]),
            Role::TeamMember => Some(&[UnitKind::Village]),
            Role::Viewer => Some(&[UnitKind::Country, UnitKind::Province, UnitKind::Commune]),
        }
    }
}

/// The unit an account is bound to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundUnit {
    pub code: String,
    pub kind: UnitKind,
    /// Path of codes from the root, ending with '/'.
    pub path: String,
}

/// A signed-in user or API token, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<BoundUnit>,
}

/// A unit being read or written.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub code: &'a str,
    pub kind: UnitKind,
    pub path: &'a str,
}

impl Actor {
    fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Secretariat)
    }

    /// The root of everything this actor may read (None: everything).
    pub fn read_root(&self) -> Option<&BoundUnit> {
        if self.is_staff() {
            None
        } else {
            self.unit.as_ref()
        }
    }

    /// Whether the actor may read figures and pages of `unit` (its subtree included).
    pub fn can_read(&self, unit: Target<'_>) -> bool {
        match self.read_root() {
            None => self.is_staff(),
            Some(root) => unit.path.starts_with(&root.path),
        }
    }

    /// Whether the actor may edit the letterhead and the next week's tasks of `unit`'s documents:
    /// the secretariat for any unit, a reporter for its own.
    pub fn can_edit_documents(&self, unit: Target<'_>) -> bool {
        match self.role {
            Role::Admin | Role::Secretariat => true,
            Role::Reporter => self.unit.as_ref().is_some_and(|own| own.code == unit.code),
            Role::TeamMember | Role::Viewer => false,
        }
    }

    /// Whether the actor may write `indicator` in the weekly report of `unit`.
    pub fn can_write_report(&self, unit: Target<'_>, indicator: &Indicator) -> bool {
        match self.role {
            Role::Admin | Role::Secretariat => true,
            Role::Reporter => {
                self.unit.as_ref().is_some_and(|own| own.code == unit.code)
                    && reports_indicator(unit, indicator)
            }
            Role::TeamMember | Role::Viewer => false,
        }
    }

    /// Indicators of `plan` this actor may write for `unit`.
    pub fn writable_indicators<'p>(&self, plan: &'p Plan, unit: Target<'_>) -> Vec<&'p Indicator> {
        plan.indicators
            .iter()
            .filter(|i| self.can_write_report(unit, i))
            .collect()
    }

    /// Indicators `unit` reports on behalf of other units, with the kind of those units (Công an tỉnh:
    /// VNeID figures for every commune), when this actor may write them for `unit`.
    pub fn on_behalf_indicators<'p>(
        &self,
        plan: &'p Plan,
        unit: Target<'_>,
    ) -> Vec<(&'p Indicator, UnitKind)> {
        let allowed = match self.role {
            Role::Admin | Role::Secretariat => true,
            Role::Reporter => self.unit.as_ref().is_some_and(|own| own.code == unit.code),
            Role::TeamMember | Role::Viewer => false,
        };
        if !allowed {
            return Vec::new();
        }
        plan.indicators
            .iter()
            .filter_map(|i| {
                i.reporters.iter().find_map(|r| match r {
                    Reporter::OnBehalf {
                        unit: code,
                        for_kind,
                    } if code.as_str() == unit.code => Some((i, *for_kind)),
                    _ => None,
                })
            })
            .collect()
    }

    pub fn can_manage_accounts(&self) -> bool {
        self.role == Role::Admin
    }

    /// Plan, units, denominators, targets, approvals.
    pub fn can_manage_campaign(&self) -> bool {
        self.is_staff()
    }

    pub fn can_read_audit(&self) -> bool {
        self.is_staff()
    }
}

/// Whether the plan assigns `indicator` to `unit` (as its own figure, or on behalf of others).
pub fn reports_indicator(unit: Target<'_>, indicator: &Indicator) -> bool {
    indicator.reporters.iter().any(|r| match r {
        Reporter::Kind { kind } => *kind == unit.kind,
        Reporter::Unit { unit: code } | Reporter::OnBehalf { unit: code, .. } => {
            code.as_str() == unit.code
        }
    })
}

/// Whether the plan has `unit` report its own figure for `indicator` (not only on behalf of others).
pub fn reports_own_figure(unit: Target<'_>, indicator: &Indicator) -> bool {
    indicator.reporters.iter().any(|r| match r {
        Reporter::Kind { kind } => *kind == unit.kind,
        Reporter::Unit { unit: code } => code.as_str() == unit.code,
        Reporter::OnBehalf { .. } => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_named_or_listed() {
        assert_eq!(Role::named(" reporter "), Ok(Role::Reporter));
        let e = Role::named("boss").unwrap_err();
        assert!(
            e.contains("«boss»") && e.contains("secretariat") && e.contains("team_member"),
            "{e}"
        );
    }
    use crate::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml")).unwrap()
    }

    fn actor(role: Role, unit: Option<(&str, UnitKind, &str)>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            role,
            unit: unit.map(|(code, kind, path)| BoundUnit {
                code: code.into(),
                kind,
                path: path.into(),
            }),
        }
    }

    const A: Target<'static> = Target {
        code: "24412",
        kind: UnitKind::Commune,
        path: "/VN/66/24412/",
    };
    const B: Target<'static> = Target {
        code: "24175",
        kind: UnitKind::Commune,
        path: "/VN/66/24175/",
    };
    const VILLAGE_A: Target<'static> = Target {
        code: "24412-T01",
        kind: UnitKind::Village,
        path: "/VN/66/24412/24412-T01/",
    };
    const PROVINCE: Target<'static> = Target {
        code: "66",
        kind: UnitKind::Province,
        path: "/VN/66/",
    };
    const CAT: Target<'static> = Target {
        code: "66-CAT",
        kind: UnitKind::Department,
        path: "/VN/66/66-CAT/",
    };

    #[test]
    fn reporter_writes_only_its_unit_and_its_indicators() {
        let p = plan();
        let r = actor(
            Role::Reporter,
            Some(("24412", UnitKind::Commune, "/VN/66/24412/")),
        );
        let vneid = p.indicator("2.5").unwrap();
        let students = p.indicator("2.3").unwrap();
        assert!(r.can_write_report(A, vneid));
        assert!(!r.can_write_report(B, vneid));
        assert!(
            !r.can_write_report(A, students),
            "2.3 is reported by schools, not communes"
        );
        assert!(r.can_read(A) && r.can_read(VILLAGE_A));
        assert!(!r.can_read(B) && !r.can_read(PROVINCE));
        assert_eq!(r.writable_indicators(&p, A).len(), 14);
    }

    #[test]
    fn police_report_vneid_on_behalf_of_communes() {
        let p = plan();
        let police = actor(
            Role::Reporter,
            Some(("66-CAT", UnitKind::Department, "/VN/66/66-CAT/")),
        );
        let codes: Vec<&str> = police
            .writable_indicators(&p, CAT)
            .iter()
            .map(|i| i.code.as_str())
            .collect();
        assert!(codes.contains(&"2.5") && codes.contains(&"2.8b") && codes.contains(&"2.2a"));
    }

    #[test]
    fn viewers_read_their_subtree_and_never_write() {
        let p = plan();
        let v = actor(
            Role::Viewer,
            Some(("24412", UnitKind::Commune, "/VN/66/24412/")),
        );
        assert!(v.can_read(A) && !v.can_read(B) && !v.can_read(PROVINCE));
        assert!(!v.can_write_report(A, p.indicator("2.5").unwrap()));
        let province_viewer = actor(Role::Viewer, Some(("66", UnitKind::Province, "/VN/66/")));
        assert!(province_viewer.can_read(A) && province_viewer.can_read(PROVINCE));
        assert!(!province_viewer.can_manage_campaign() && !province_viewer.can_read_audit());
    }

    #[test]
    fn team_members_see_their_village_only() {
        let t = actor(
            Role::TeamMember,
            Some(("24412-T01", UnitKind::Village, "/VN/66/24412/24412-T01/")),
        );
        assert!(t.can_read(VILLAGE_A) && !t.can_read(A));
        assert!(t.writable_indicators(&plan(), A).is_empty());
    }

    #[test]
    fn staff_roles() {
        let p = plan();
        let s = actor(Role::Secretariat, None);
        assert!(s.can_read(B) && s.can_write_report(B, p.indicator("2.5").unwrap()));
        assert!(s.can_read_audit() && s.can_manage_campaign() && !s.can_manage_accounts());
        let a = actor(Role::Admin, None);
        assert!(a.can_manage_accounts());
        // An unbound non-staff account reads nothing.
        assert!(!actor(Role::Viewer, None).can_read(PROVINCE));
    }
}
