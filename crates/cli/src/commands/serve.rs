//! `hocvuso serve`: the site and API over a database that holds a plan.

use super::{DbArgs, failed, open};
use crate::person_key::KeyArgs;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "HOCVUSO_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    #[command(flatten)]
    key: KeyArgs,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let deployment = open(&args.db.database_url, "system").await?;
    let person_key = args.key.load(&deployment, &args.db.database_url).await?;
    deployment.ensure_official_units().await.map_err(failed)?;
    if let Some(password) = deployment
        .accounts()
        .ensure_first_admin()
        .await
        .map_err(failed)?
    {
        println!("Đã tạo tài khoản quản trị đầu tiên: admin / {password}");
        println!("Mật khẩu này chỉ hiện một lần: đăng nhập và đổi mật khẩu ngay.");
    }
    let app = deployment.app(None, person_key).await.map_err(failed)?;
    let server = crate::serve(app, &args.addr, Vec::new()).await?;
    println!("hocvuso đang chạy tại http://{}", server.addr);
    server.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}
