//! Accounts from the command line: the first admin, the demo accounts, and `hocvuso user …`.

use anyhow::{Context, Result, anyhow, bail};
use hocvuso_app::{AppError, LoginHint, secrets, temporary_password, validate_new_user};
use hocvuso_core::access::Role;
use hocvuso_core::plan::Plan;
use hocvuso_core::units::UnitKind;
use hocvuso_store::Store;
use hocvuso_store::accounts::NewUser;
use hocvuso_store::audit::Who;
use hocvuso_store::units::UnitFilter;

fn invalid(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(problems) => anyhow!("{}", problems.join("\n")),
        other => anyhow!("{other}"),
    }
}

/// Creates an account; returns its id.
pub async fn add(
    store: &Store,
    username: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    password: &str,
    who: &Who,
) -> Result<i64> {
    let new = validate_new_user(store, username, name, role, unit, password)
        .await
        .map_err(invalid)?;
    let hash = secrets::hash_password(password.to_string()).await;
    Ok(store
        .create_user(
            &NewUser {
                password_hash: hash,
                ..new
            },
            who,
        )
        .await?)
}

async fn user_id(store: &Store, username: &str) -> Result<i64> {
    let (user, _) = store
        .user_for_login(&username.trim().to_lowercase())
        .await?
        .with_context(|| format!("không có tài khoản «{username}»"))?;
    Ok(user.id)
}

/// On a database without accounts, creates `admin` with a random password and returns it, to be
/// printed once.
pub async fn ensure_first_admin(store: &Store) -> Result<Option<String>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let password = temporary_password();
    add(
        store,
        "admin",
        "Quản trị hệ thống",
        Role::Admin,
        None,
        &password,
        &Who::system("system"),
    )
    .await?;
    Ok(Some(password))
}

/// One demo account per role (and Công an tỉnh as a reporter), created if missing. Their passwords
/// are public: the login page lists them in demo mode only.
pub async fn ensure_demo_accounts(store: &Store, plan: &Plan) -> Result<Vec<LoginHint>> {
    let province = store.require_unit(plan.province.as_str()).await?;
    let first = |kind: UnitKind, within: String| UnitFilter {
        kind: Some(kind),
        within: Some(within),
        limit: 1,
        ..Default::default()
    };
    let (communes, _) = store
        .list_units(&first(UnitKind::Commune, province.code.clone()))
        .await?;
    let commune = communes
        .into_iter()
        .next()
        .context("the province has no commune")?;
    let (villages, _) = store
        .list_units(&first(UnitKind::Village, commune.code.clone()))
        .await?;
    let police = store.unit(&format!("{}-CAT", province.code)).await?;
    // (username, name, role, bound unit: code and name)
    type Account<'a> = (&'a str, &'a str, Role, Option<(String, String)>);
    let mut accounts: Vec<Account> = vec![
        ("admin", "Quản trị hệ thống", Role::Admin, None),
        (
            "sokhcn",
            "Thường trực Sở Khoa học và Công nghệ",
            Role::Secretariat,
            None,
        ),
        (
            "baocao.xa",
            "Cán bộ báo cáo của xã",
            Role::Reporter,
            Some((commune.code.clone(), commune.full_name.clone())),
        ),
        (
            "lanhdao",
            "Lãnh đạo tỉnh",
            Role::Viewer,
            Some((province.code.clone(), province.full_name.clone())),
        ),
        (
            "lanhdao.xa",
            "Lãnh đạo xã",
            Role::Viewer,
            Some((commune.code.clone(), commune.full_name.clone())),
        ),
    ];
    if let Some(v) = villages.first() {
        accounts.push((
            "to.cns",
            "Thành viên Tổ Công nghệ số cộng đồng",
            Role::TeamMember,
            Some((v.code.clone(), v.full_name.clone())),
        ));
    }
    if let Some(p) = &police {
        accounts.push((
            "congan.tinh",
            "Cán bộ Công an tỉnh",
            Role::Reporter,
            Some((p.code.clone(), p.full_name.clone())),
        ));
    }
    let who = Who::system("demo");
    let mut hints = Vec::new();
    for (username, name, role, unit) in accounts {
        let password = format!("{username}-2025");
        if store.user_for_login(username).await?.is_none() {
            add(
                store,
                username,
                name,
                role,
                unit.as_ref().map(|u| u.0.as_str()),
                &password,
                &who,
            )
            .await?;
        }
        hints.push(LoginHint {
            username: username.into(),
            password,
            role_label: role.label_vi().into(),
            unit_label: unit.map_or("toàn tỉnh".into(), |u| u.1),
        });
    }
    Ok(hints)
}

pub async fn list(store: &Store) -> Result<()> {
    println!(
        "{:<20} {:<12} {:<12} {:<8} họ tên",
        "tên đăng nhập", "vai trò", "đơn vị", "khóa"
    );
    for u in store.list_users().await? {
        println!(
            "{:<20} {:<12} {:<12} {:<8} {}",
            u.username,
            u.role,
            u.unit_code.unwrap_or_default(),
            if u.disabled != 0 { "đã khóa" } else { "" },
            u.display_name
        );
    }
    for t in store.list_tokens(None).await? {
        println!(
            "khóa API số {} của tài khoản số {}: {} ({}…){}",
            t.id,
            t.user_id,
            t.label,
            t.prefix,
            if t.revoked_at.is_some() {
                ", đã thu hồi"
            } else {
                ""
            }
        );
    }
    Ok(())
}

pub async fn set_disabled(store: &Store, username: &str, disabled: bool) -> Result<()> {
    let id = user_id(store, username).await?;
    store
        .set_disabled(id, disabled, &Who::system("cli"))
        .await?;
    Ok(())
}

/// Sets a new random password and returns it.
pub async fn reset_password(store: &Store, username: &str) -> Result<String> {
    let id = user_id(store, username).await?;
    let password = temporary_password();
    store
        .set_password(
            id,
            &secrets::hash_password(password.clone()).await,
            &Who::system("cli"),
        )
        .await?;
    Ok(password)
}

/// Creates an API token for an account and returns it (shown once).
pub async fn create_token(store: &Store, username: &str, label: &str) -> Result<String> {
    let id = user_id(store, username).await?;
    if label.trim().is_empty() {
        bail!("cần tên cho khóa API (--label)");
    }
    let (token, prefix) = secrets::new_api_token();
    store
        .create_token(
            id,
            label.trim(),
            &secrets::digest(&token),
            &prefix,
            &Who::system("cli"),
        )
        .await?;
    Ok(token)
}

pub async fn revoke_token(store: &Store, id: i64) -> Result<()> {
    store.revoke_token(id, &Who::system("cli")).await?;
    Ok(())
}
