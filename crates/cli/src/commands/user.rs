//! `hocvuso user …`: accounts and API tokens, through the same use cases as the admin pages.

use super::{DbArgs, failed, open};
use anyhow::Result;
use hocvuso_core::access::Role;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create an account. Without --password-stdin a random password is printed once.
    Add {
        username: String,
        /// Full name shown in the interface.
        #[arg(long)]
        name: String,
        /// admin, secretariat, reporter, team_member or viewer.
        #[arg(long)]
        role: String,
        /// Unit code: the reporter's unit, the team member's village, the viewer's subtree.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts and API tokens.
    List,
    /// Lock an account (its sessions end at once).
    Disable { username: String },
    /// Unlock an account.
    Enable { username: String },
    /// Set a new random password (printed once); every session of the account ends.
    ResetPassword { username: String },
    /// Create an API token for an account (printed once), or revoke one with --revoke ID.
    Token {
        username: Option<String>,
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long, conflicts_with = "username")]
        revoke: Option<i64>,
    },
}

pub async fn run(command: Command, db: DbArgs) -> Result<ExitCode> {
    let deployment = open(&db.database_url, "cli").await?;
    deployment.ensure_official_units().await.map_err(failed)?;
    let accounts = deployment.accounts();
    match command {
        Command::Add {
            username,
            name,
            role,
            unit,
            password_stdin,
        } => {
            let role = Role::named(&role).map_err(anyhow::Error::msg)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (hocvuso_app::temporary_password(), true)
            };
            accounts
                .create_user(&username, &name, role, unit.as_deref(), &password)
                .await
                .map_err(failed)?;
            println!(
                "Đã tạo tài khoản «{}» ({})",
                username.trim().to_lowercase(),
                role.label_vi()
            );
            if generated {
                println!("Mật khẩu ban đầu (chỉ hiện một lần): {password}");
            }
        }
        Command::List => {
            println!(
                "{:<20} {:<12} {:<12} {:<8} họ tên",
                "tên đăng nhập", "vai trò", "đơn vị", "khóa"
            );
            for u in accounts.users().await.map_err(failed)? {
                println!(
                    "{:<20} {:<12} {:<12} {:<8} {}",
                    u.username,
                    u.role,
                    u.unit_code.unwrap_or_default(),
                    if u.disabled != 0 { "đã khóa" } else { "" },
                    u.display_name
                );
            }
            for t in accounts.tokens().await.map_err(failed)? {
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
        }
        Command::Disable { username } => {
            let id = accounts.user_id(&username).await.map_err(failed)?;
            accounts.set_disabled(id, true).await.map_err(failed)?;
            println!(
                "Đã khóa tài khoản «{username}»; mọi phiên đăng nhập của tài khoản đã kết thúc"
            );
        }
        Command::Enable { username } => {
            let id = accounts.user_id(&username).await.map_err(failed)?;
            accounts.set_disabled(id, false).await.map_err(failed)?;
            println!("Đã mở khóa tài khoản «{username}»");
        }
        Command::ResetPassword { username } => {
            let id = accounts.user_id(&username).await.map_err(failed)?;
            let password = accounts.reset_password(id).await.map_err(failed)?;
            println!("Mật khẩu mới của «{username}» (chỉ hiện một lần): {password}");
        }
        Command::Token {
            username,
            label,
            revoke,
        } => match (username, revoke) {
            (_, Some(id)) => {
                accounts.revoke_token(id).await.map_err(failed)?;
                println!("Đã thu hồi khóa API số {id}");
            }
            (Some(username), None) => {
                let id = accounts.user_id(&username).await.map_err(failed)?;
                let token = accounts.create_token(id, &label).await.map_err(failed)?;
                println!(
                    "Khóa API mới của «{username}» (chỉ hiện một lần; gửi trong tiêu đề Authorization: Bearer …):"
                );
                println!("{token}");
            }
            (None, None) => {
                anyhow::bail!("cần tên đăng nhập (tạo khóa) hoặc --revoke SỐ (thu hồi khóa)")
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
