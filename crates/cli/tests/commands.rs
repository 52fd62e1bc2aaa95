//! The binary as a user runs it: `plan check` and `import units`, with their exit status and messages.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hocvuso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocvuso"))
        .args(args)
        .env("HOCVUSO_LOG", "error")
        .output()
        .expect("run hocvuso")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn repo(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

fn temp(name: &str, contents: &str) -> String {
    let dir = std::env::temp_dir().join(format!("hocvuso-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

#[test]
fn plan_check_accepts_both_plans() {
    let out = hocvuso(&[
        "plan",
        "check",
        &repo("plans/daklak-100-ngay-2025.toml"),
        &repo("crates/core/tests/fixtures/laocai-60-ngay.toml"),
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("hợp lệ — 16 chỉ tiêu"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("hợp lệ — 3 chỉ tiêu"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn plan_check_lists_every_problem_with_line_and_fails() {
    let text = std::fs::read_to_string(repo("plans/daklak-100-ngay-2025.toml"))
        .unwrap()
        .replacen("kind = \"total\"", "kind = \"tong\"", 1)
        .replacen("target = 30 }", "target = 130 }", 1);
    let file = temp("broken.toml", &text);
    let out = hocvuso(&["plan", "check", &file]);
    assert_eq!(out.status.code(), Some(1));
    let text_out = stdout(&out);
    assert!(text_out.contains(": 2 lỗi"), "{text_out}");
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(
        text_out.contains(&format!(
            "{file}:{}: indicators[10].milestones[1].target",
            line_of("target = 130 }")
        )),
        "{text_out}"
    );
    assert!(
        text_out.contains(&format!(
            "{file}:{}: indicators[12].kind: loại chỉ tiêu «tong»",
            line_of("kind = \"tong\"")
        )),
        "{text_out}"
    );
}

#[test]
fn import_units_is_all_or_nothing() {
    let db = std::env::temp_dir().join(format!("hocvuso-cli-{}-import.db", std::process::id()));
    let url = format!("sqlite://{}", db.display());
    let out = hocvuso(&[
        "plan",
        "load",
        &repo("plans/daklak-100-ngay-2025.toml"),
        "--database-url",
        &url,
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );

    let bad = temp(
        "bad.csv",
        "code,name,kind,parent,adults\n24412-X1,Thôn 1,thôn,M’Drắk,1.200\n24412-X2,Thôn 2,thôn,Nowhere,abc\n",
    );
    let out = hocvuso(&["import", "units", &bad, "--database-url", &url]);
    assert_eq!(out.status.code(), Some(1));
    let msg = stdout(&out);
    assert!(
        msg.contains("không có gì được ghi") && msg.contains("dòng 3, cột adults"),
        "{msg}"
    );

    let good = temp(
        "good.csv",
        "code,name,kind,parent,adults\n24412-X1,Thôn 1,thôn,M’Drắk,1.200\n66-SYT,Sở Y tế,sở,Đắk Lắk,\n",
    );
    let out = hocvuso(&["import", "units", &good, "--database-url", &url]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("đã nhập 2 đơn vị mới"),
        "{}",
        stdout(&out)
    );
    // The bad file's first row was never written: importing the good file created it.
    let out = hocvuso(&["import", "units", &good, "--database-url", &url]);
    assert!(
        stdout(&out).contains("đã nhập 0 đơn vị mới, cập nhật 0 đơn vị, 2 không đổi, 0 mẫu số"),
        "{}",
        stdout(&out)
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[test]
fn user_commands() {
    let db = std::env::temp_dir().join(format!("hocvuso-cli-{}-users.db", std::process::id()));
    let url = format!("sqlite://{}", db.display());
    let run = |args: &[&str]| {
        let mut all = vec!["user"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--database-url", &url]);
        hocvuso(&all)
    };
    let out = run(&[
        "add",
        "xa.mdrak",
        "--name",
        "Cán bộ xã M'Drắk",
        "--role",
        "reporter",
        "--unit",
        "24412",
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("Mật khẩu ban đầu (chỉ hiện một lần): hvs-"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "add", "xa.mdrak", "--name", "X", "--role", "reporter", "--unit", "24412",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("đã có"));
    let out = run(&["add", "v", "--name", "X", "--role", "viewer"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cần mã đơn vị"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["add", "v", "--name", "X", "--role", "boss"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("vai trò «boss» không có"));
    let out = run(&["token", "xa.mdrak", "--label", "Phần mềm xã"]);
    let token = stdout(&out).lines().last().unwrap().to_string();
    assert!(token.starts_with("hvs_") && token.len() == 52, "{token}");
    let out = run(&["list"]);
    let listing = stdout(&out);
    assert!(
        listing.contains("xa.mdrak")
            && listing.contains("24412")
            && listing.contains("Phần mềm xã")
    );
    assert!(!listing.contains(&token), "a token is shown once only");
    assert!(run(&["token", "--revoke", "1"]).status.success());
    assert!(stdout(&run(&["list"])).contains("đã thu hồi"));
    assert!(run(&["disable", "xa.mdrak"]).status.success());
    assert!(stdout(&run(&["list"])).contains("đã khóa"));
    let out = run(&["reset-password", "xa.mdrak"]);
    assert!(stdout(&out).contains("Mật khẩu mới của «xa.mdrak» (chỉ hiện một lần): hvs-"));
    assert_eq!(run(&["reset-password", "nobody"]).status.code(), Some(1));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[test]
fn gen_is_deterministic_and_export_writes_the_raw_tables() {
    let dir = std::env::temp_dir().join(format!("hocvuso-cli-{}-gen", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("gen.db").display());
    let out = hocvuso(&[
        "gen",
        "--scale",
        "province",
        "--seed",
        "7",
        "--until",
        "2025-08-01",
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("giả lập"), "{}", stdout(&out));
    let export = |name: &str| {
        let folder = dir.join(name);
        let out = hocvuso(&[
            "export",
            "--out",
            &folder.display().to_string(),
            "--database-url",
            &db,
        ]);
        assert!(out.status.success(), "{}", stdout(&out));
        folder
    };
    let first = export("a");
    let reports = std::fs::read_to_string(first.join("reports.csv")).unwrap();
    assert!(reports.starts_with("id,plan_code,unit_code,week,status"));
    assert!(
        reports.lines().count() > 300,
        "three weeks of about 130 reporting units"
    );
    let values = std::fs::read_to_string(first.join("report_values.csv")).unwrap();
    assert!(values.lines().count() > reports.lines().count());
    for table in ["units", "unit_denominators", "unit_targets"] {
        assert!(first.join(format!("{table}.csv")).exists(), "{table}");
    }
    // Nothing about accounts or people.
    let files: Vec<String> = std::fs::read_dir(&first)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.contains("user") && !f.contains("audit") && !f.contains("session"))
    );

    // The same seed on a fresh database gives the same tables.
    let again = format!("sqlite://{}", dir.join("again.db").display());
    let out = hocvuso(&[
        "gen",
        "--scale",
        "province",
        "--seed",
        "7",
        "--until",
        "2025-08-01",
        "--database-url",
        &again,
    ]);
    assert!(out.status.success());
    let out = hocvuso(&[
        "export",
        "--out",
        &dir.join("b").display().to_string(),
        "--database-url",
        &again,
    ]);
    assert!(out.status.success());
    for table in [
        "units",
        "unit_denominators",
        "report_values",
        "unit_targets",
    ] {
        assert_eq!(
            std::fs::read_to_string(first.join(format!("{table}.csv"))).unwrap(),
            std::fs::read_to_string(dir.join("b").join(format!("{table}.csv"))).unwrap(),
            "{table}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
