//! The top bar every page shows.

use hocvuso_core::access::{Actor, Role};

/// The top bar: who is signed in and what they may open.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub display_name: String,
    pub role_label: String,
    /// CSRF token for the sign-out form.
    pub csrf: String,
    pub home_label: String,
    pub can_audit: bool,
    pub can_admin: bool,
    /// A team member: its page is the field app.
    pub team_member: bool,
}

impl Nav {
    pub fn anonymous() -> Nav {
        Nav::default()
    }

    pub fn for_actor(actor: &Actor, csrf: String) -> Nav {
        Nav {
            signed_in: true,
            display_name: actor.display_name.clone(),
            role_label: actor.role.label_vi().to_string(),
            csrf,
            home_label: if matches!(actor.role, Role::Admin | Role::Secretariat) {
                "Tổng quan".into()
            } else {
                "Đơn vị của tôi".into()
            },
            can_audit: actor.can_read_audit(),
            can_admin: actor.can_manage_accounts(),
            team_member: actor.role == Role::TeamMember,
        }
    }
}
