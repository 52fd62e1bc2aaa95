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

    // The documents: the final report as PDF, whose text a reader gets back with its diacritics.
    let pdf = dir.join("tong-ket.pdf");
    let out = hocvuso(&[
        "report",
        "final",
        "--week",
        "3",
        "--format",
        "pdf",
        "-o",
        &pdf.display().to_string(),
        "--database-url",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("báo cáo tổng kết đến tuần 3 của Tỉnh Đắk Lắk"),
        "{}",
        stdout(&out)
    );
    let text = pdf_extract::extract_text_from_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "UBND TỈNH ĐẮK LẮK",
        "Tổng kết 100 ngày cao điểm “Bình dân học vụ số”",
        "Đắk Lắk, ngày 01 tháng 8 năm 2025",
        "I. KẾT QUẢ TRIỂN KHAI",
        "Hình 1. Số chỉ tiêu theo mức đánh giá qua từng tuần",
        "III. ĐÁNH GIÁ CÁC ĐƠN VỊ",
    ] {
        assert!(text.contains(expected), "«{expected}» missing:\n{text}");
    }
    // A weekly report needs its week, and only the plan's weeks exist.
    for (args, message) in [
        (vec!["report", "weekly"], "cần chọn tuần: --week N"),
        (
            vec!["report", "weekly", "--week", "30"],
            "kế hoạch có các tuần 1 – 15, không có tuần 30",
        ),
    ] {
        let target = dir.join("x.docx").display().to_string();
        let mut args = args;
        args.extend(["-o", &target, "--database-url", &db]);
        let out = hocvuso(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
        assert!(!dir.join("x.docx").exists());
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// One HTTP/1.1 request over a fresh connection: (status, whole response as text).
fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// A demo database in a fresh folder named for `name`: (folder, database URL, person key file).
fn demo_database(name: &str) -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("hocvuso-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let key = dir.join("person.key").display().to_string();
    let demo = hocvuso(&[
        "demo",
        "--no-serve",
        "--database-url",
        &url,
        "--person-key-file",
        &key,
    ]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    (dir, url, key)
}

/// A new API token of `username`, as `hocvuso user token` prints it.
fn token_of(url: &str, username: &str) -> String {
    let out = hocvuso(&[
        "user",
        "token",
        username,
        "--label",
        "test",
        "--database-url",
        url,
    ]);
    stdout(&out)
        .split_whitespace()
        .find(|w| w.starts_with("hvs_"))
        .expect("a token")
        .to_string()
}

/// `hocvuso serve` of `url` on a free port, once it answers: the process and its address. Its
/// output (standard and error) goes to `log`, else nowhere.
fn serve(
    url: &str,
    key: &str,
    log_level: &str,
    log: Option<std::fs::File>,
) -> (std::process::Child, String) {
    let (out, err) = match log {
        Some(file) => (file.try_clone().unwrap().into(), file.into()),
        None => (std::process::Stdio::null(), std::process::Stdio::null()),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_hocvuso"))
        .args([
            "serve",
            "--database-url",
            url,
            "--addr",
            &addr,
            "--person-key-file",
            key,
        ])
        .env("HOCVUSO_LOG", log_level)
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(started.elapsed().as_secs() < 60, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (server, addr)
}

/// Every place a citizen number could leak after a session of the field log — the database files,
/// the server's debug log, every response, the import command's output, the export — holds none.
#[test]
fn no_raw_citizen_number_is_kept_logged_or_sent_back() {
    let (dir, url, key) = demo_database("cccd");
    let key_args = ["--person-key-file", key.as_str()];
    let token = token_of(&url, "to.cns");

    let numbers = [
        "066155000321", // stored (valid)
        "066055000999", // refused: the gender does not match
        "066190000555", // sent in a malformed body
        "066050000777", // in a paper log
        "066050000888", // typed in a tick column of a paper log
    ];
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (mut server, addr) = serve(&url, &key, "trace", Some(log));
    let mut responses = String::new();
    let record = |id: u32, cccd: &str, gender: &str| {
        format!(
            r#"{{"id": "6f1c2b3a-0000-4000-8000-{id:012}", "date": "2025-09-04", "skills": [1, 2], "birth_year": 1955, "gender": "{gender}", "cccd": "{cccd}"}}"#
        )
    };
    let body = format!(
        r#"{{"records": [{}, {}]}}"#,
        record(1, numbers[0], "female"),
        record(2, numbers[1], "female")
    );
    let (status, text) = http(&addr, "POST", "/api/v1/field/records", &token, &body);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(r#""status":"stored""#) && text.contains(r#""status":"rejected""#));
    responses.push_str(&text);
    // The same again (a retry), then a body whose shape is wrong with a number where text belongs.
    responses.push_str(&http(&addr, "POST", "/api/v1/field/records", &token, &body).1);
    let malformed = format!(
        r#"{{"records": [{{"id": {}, "date": "2025-09-04"}}]}}"#,
        numbers[2]
    );
    let (status, text) = http(&addr, "POST", "/api/v1/field/records", &token, &malformed);
    assert_eq!(status, 400, "{text}");
    responses.push_str(&text);
    for path in ["/api/v1/field/summary", "/field", "/api/v1/me"] {
        responses.push_str(&http(&addr, "GET", path, &token, "").1);
    }

    // Paper logs through the command line: one accepted, one refused.
    let village = stdout(&hocvuso(&["user", "list", "--database-url", &url]))
        .lines()
        .find(|l| l.contains("to.cns"))
        .and_then(|l| l.split_whitespace().find(|w| w.contains("-T")))
        .expect("the team member's village")
        .to_string();
    let good = temp(
        "paper.csv",
        &format!(
            "Mã thôn,Ngày,KN1,Năm sinh,Giới tính,CCCD\n{village},03/09/2025,x,1950,nam,{}\n",
            numbers[3]
        ),
    );
    let bad = temp(
        "paper-bad.csv",
        &format!("Mã thôn,Ngày,KN1\n{village},03/09/2025,{}\n", numbers[4]),
    );
    let mut outputs = String::new();
    for (file, ok) in [(&good, true), (&bad, false)] {
        let out = hocvuso(
            &[
                &["import", "field-log", file.as_str(), "--database-url", &url][..],
                &key_args,
            ]
            .concat(),
        );
        assert_eq!(out.status.success(), ok, "{}", stdout(&out));
        outputs.push_str(&stdout(&out));
        outputs.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let export = dir.join("export");
    let out = hocvuso(&[
        "export",
        "--out",
        &export.display().to_string(),
        "--database-url",
        &url,
    ]);
    assert!(out.status.success());

    let _ = Command::new("kill").arg(server.id().to_string()).status();
    let _ = server.wait();
    let mut haystack: Vec<(String, Vec<u8>)> = vec![
        ("responses".into(), responses.into_bytes()),
        ("command output".into(), outputs.into_bytes()),
    ];
    for entry in std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(&export).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() && !path.ends_with("paper.csv") && !path.ends_with("paper-bad.csv") {
            haystack.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    let log_text = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log_text.contains("/api/v1/field/records"),
        "the log records the requests"
    );
    for number in numbers {
        for (name, bytes) in &haystack {
            assert!(
                !bytes.windows(number.len()).any(|w| w == number.as_bytes()),
                "{number} found in {name}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_person_key_for_one_database_is_refused() {
    let dir = std::env::temp_dir().join(format!("hocvuso-cli-{}-keys", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("k.db").display());
    let (a, b) = (dir.join("a.key"), dir.join("b.key"));
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = hocvuso(&[
        "plan",
        "load",
        &repo("plans/daklak-100-ngay-2025.toml"),
        "--database-url",
        &url,
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    let log = temp("empty-log.csv", "ma_thon,ngay\n");
    let import = |key: &str| {
        hocvuso(&[
            "import",
            "field-log",
            &log,
            "--database-url",
            &url,
            "--person-key-file",
            key,
        ])
    };
    let refused = "khác khóa mà cơ sở dữ liệu này đang dùng";
    // The first key used with the database is recorded (whatever the file's content).
    let first = import(&a);
    assert!(!String::from_utf8_lossy(&first.stderr).contains(refused));
    // A server started with another key refuses to start, and says how to share the key.
    let serve = Command::new(env!("CARGO_BIN_EXE_hocvuso"))
        .args([
            "serve",
            "--database-url",
            &url,
            "--person-key-file",
            &b,
            "--addr",
            "127.0.0.1:0",
        ])
        .env("HOCVUSO_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = serve.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = Command::new("kill").arg(pid.to_string()).status();
    });
    let out = serve.wait_with_output().unwrap();
    drop(watchdog);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second key was accepted: {err}");
    assert!(
        err.contains(refused) && err.contains("HOCVUSO_PERSON_KEY_FILE"),
        "{err}"
    );
    // The same key again is accepted.
    let again = import(&a);
    assert!(!String::from_utf8_lossy(&again.stderr).contains(refused));
}

/// The server's peak memory (VmHWM) in MB.
fn peak_rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb / 1024
}

/// A report template whose sheets are replaced by rows of cells that inflate to about `inflated`
/// bytes, deflated to a small file.
fn inflating_workbook(template: &[u8], inflated: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(template)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    let row =
        "<row>".to_string() + &"<c t=\"inlineStr\"><is><t>9</t></is></c>".repeat(200) + "</row>";
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().unwrap().into_owned();
        zip.start_file(name.as_str(), options).unwrap();
        if name.starts_with("xl/worksheets/") {
            zip.write_all(b"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>").unwrap();
            let mut written = 0;
            while written < inflated {
                zip.write_all(row.as_bytes()).unwrap();
                written += row.len();
            }
            zip.write_all(b"</sheetData></worksheet>").unwrap();
        } else {
            let mut bytes = Vec::new();
            member.read_to_end(&mut bytes).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// A child process killed when the test ends, however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An upload is measured by what it inflates to: a small workbook whose sheet expands to half a
/// gigabyte is refused with the limit named, and the server's memory stays within its budget.
#[test]
fn a_workbook_inflating_to_half_a_gigabyte_is_refused_within_the_memory_budget() {
    use std::io::{Read, Write};
    let (_, url, key) = demo_database("bomb");
    let token = token_of(&url, "baocao.xa");
    let (server, addr) = serve(&url, &key, "error", None);
    let server = Killed(server);
    let send = |method: &str, path: &str, content_type: &str, body: &[u8]| -> (u16, Vec<u8>) {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status = String::from_utf8_lossy(&out[9..12]).parse().unwrap();
        (status, out[split + 4..].to_vec())
    };
    let week = "/reports/22015/2025-09-05";
    let (status, template) = send("GET", &format!("{week}/template.xlsx"), "text/plain", b"");
    assert_eq!(status, 200);
    let bomb = inflating_workbook(&template, 512 << 20);
    assert!(bomb.len() < 5 << 20, "{} bytes", bomb.len());
    let boundary = "hocvusoBoundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bao-cao.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, page) = send(
        "POST",
        &format!("{week}/upload"),
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    let page = String::from_utf8_lossy(&page).into_owned();
    let peak = peak_rss_mb(server.0.id());
    eprintln!("server peak RSS after the upload: {peak} MB");
    drop(server);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("vượt giới hạn 64 MB cho mỗi phần"), "{page}");
    assert!(peak < 300, "the server grew to {peak} MB");
}
