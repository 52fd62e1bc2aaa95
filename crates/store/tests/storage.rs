//! The storage suite: every test runs on SQLite, and on PostgreSQL when HOCVUSO_TEST_DATABASE_URL is set,
//! each on a fresh database.

use chrono::NaiveDate;
use hocvuso_core::plan::{Plan, parse_plan};
use hocvuso_core::units::{UnitCode, UnitKind, UnitRow};
use hocvuso_docs::units_csv::{OFFICIAL_UNITS_CSV, parse_official, parse_units};
use hocvuso_store::audit::{AuditFilter, Who};
use hocvuso_store::reports::{NewReport, NewValue, Status};
use hocvuso_store::testing::{Engine, TestDatabase};
use hocvuso_store::units::UnitFilter;
use hocvuso_store::{Store, StoreError};

const LAOCAI: &str = include_str!("../../core/tests/fixtures/laocai-60-ngay.toml");

/// Runs `body` once per engine, each on its own fresh database.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                run(Engine::Sqlite, $body).await;
            }
            #[tokio::test]
            async fn postgres() {
                run(Engine::Postgres, $body).await;
            }
        }
    };
}

async fn run<F, Fut>(engine: Engine, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(engine).await else {
        return;
    };
    let store = Store::open(&db.url).await.expect("open and migrate");
    body(store.clone()).await;
    store.close().await;
    drop(db);
}

fn who() -> Who {
    Who::system("test")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn with_official(store: &Store) {
    let rows = parse_official(OFFICIAL_UNITS_CSV).unwrap();
    store
        .import_units(&rows, d(2025, 7, 1), &who())
        .await
        .expect("official list imports");
}

fn csv_rows(csv: &str, keys: &[&str]) -> Vec<UnitRow> {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    parse_units(csv.as_bytes(), &keys, d(2025, 7, 1)).expect("valid csv")
}

async fn count(store: &Store, kind: UnitKind, within: Option<&str>) -> i64 {
    store.count_units(kind, within).await.unwrap()
}

on_both!(
    official_units_load_with_their_codes,
    |store: Store| async move {
        with_official(&store).await;
        assert_eq!(count(&store, UnitKind::Province, None).await, 34);
        assert_eq!(count(&store, UnitKind::Commune, None).await, 3321);
        assert_eq!(count(&store, UnitKind::Commune, Some("66")).await, 102);
        let ba_dinh = store.require_unit("00004").await.unwrap();
        assert_eq!(
            (ba_dinh.full_name.as_str(), ba_dinh.parent_code.as_deref()),
            ("Phường Ba Đình", Some("01"))
        );
        // Province "01" and commune "01…" codes never mix: the subtree of 01 is Hà Nội's communes only.
        let (hanoi, _) = store
            .list_units(&UnitFilter {
                parent: Some("01".into()),
                limit: 5000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(hanoi.iter().all(|u| u.parent_code.as_deref() == Some("01")));
        // Importing the same list again changes nothing.
        let summary = store
            .import_units(
                &parse_official(OFFICIAL_UNITS_CSV).unwrap(),
                d(2025, 7, 1),
                &who(),
            )
            .await
            .unwrap();
        assert_eq!(
            (summary.created, summary.updated, summary.unchanged),
            (0, 0, 3356)
        );
        assert_eq!(count(&store, UnitKind::Commune, None).await, 3321);
    }
);

on_both!(search_without_diacritics, |store: Store| async move {
    with_official(&store).await;
    let search = |q: &str, kind: Option<UnitKind>| {
        let f = UnitFilter {
            query: Some(q.into()),
            kind,
            limit: 50,
            ..Default::default()
        };
        let store = store.clone();
        async move {
            store
                .list_units(&f)
                .await
                .unwrap()
                .0
                .into_iter()
                .map(|u| u.code)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search("dak lak", Some(UnitKind::Province)).await,
        vec!["66"]
    );
    assert!(
        search("buon ma thuot", None)
            .await
            .contains(&"24121".to_string())
            || !search("buon ma thuot", None).await.is_empty()
    );
    let bmt = search("buon ma thuot", None).await;
    for code in &bmt {
        let u = store.require_unit(code).await.unwrap();
        assert!(u.full_name.contains("Buôn Ma Thuột"), "{}", u.full_name);
    }
    // Words in any order, marks typed or not, odd spacing.
    assert_eq!(search("  Thuột   Buôn ", None).await, bmt);
    assert_eq!(search("m'drak", None).await, vec!["24412"]);
    assert_eq!(search("M’Drắk", None).await, vec!["24412"]);
    // LIKE wildcards typed by a user are literal.
    assert!(search("%", None).await.is_empty());
});

on_both!(
    units_import_resolves_parents_tolerantly,
    |store: Store| async move {
        with_official(&store).await;
        let rows = csv_rows(
            "code,name,kind,parent,adults\n\
         66-TH1,Thôn 1,village,Tuy Hòa,1200\n\
         66-TH2,Buôn Ea Sup,buôn,Xã  M’Drắk,\n\
         66-TH3,Thôn 3,village,24412,800\n\
         66-SYT,Sở Y tế,department,Đắk Lắk,\n",
            &["adults"],
        );
        let summary = store
            .import_units(&rows, d(2025, 7, 1), &who())
            .await
            .expect("import");
        assert_eq!((summary.created, summary.denominators), (4, 2));
        assert_eq!(
            store
                .require_unit("66-TH1")
                .await
                .unwrap()
                .parent_code
                .as_deref(),
            Some("22015")
        );
        assert_eq!(
            store
                .require_unit("66-TH2")
                .await
                .unwrap()
                .parent_code
                .as_deref(),
            Some("24412")
        );
        assert_eq!(
            store
                .require_unit("66-SYT")
                .await
                .unwrap()
                .parent_code
                .as_deref(),
            Some("66")
        );
        assert_eq!(count(&store, UnitKind::Village, Some("66")).await, 3);
        assert_eq!(count(&store, UnitKind::Village, Some("24412")).await, 2);
    }
);

on_both!(units_import_is_all_or_nothing, |store: Store| async move {
    with_official(&store).await;
    let before = count(&store, UnitKind::Village, None).await;
    let rows = csv_rows(
        "code,name,kind,parent\n\
         66-A1,Thôn 1,village,24412\n\
         66-A2,Thôn 2,village,Hòa Phú\n\
         66-A3,Thôn 3,village,99999\n\
         66-A4,Thôn 4,village,66\n\
         66-A1,Thôn 5,village,24412\n",
        &[],
    );
    let Err(StoreError::Rejected(problems)) =
        store.import_units(&rows, d(2025, 7, 1), &who()).await
    else {
        panic!("a file with bad rows must be rejected");
    };
    let at = |row: usize| {
        problems
            .iter()
            .find(|p| p.row == row)
            .unwrap_or_else(|| panic!("row {row}: {problems:?}"))
    };
    // "Hòa Phú" is a commune in Hà Nội and in Đắk Lắk: ask for the code.
    assert!(
        at(3).message.contains("nhiều đơn vị") && at(3).message.contains("24175"),
        "{}",
        at(3)
    );
    assert!(at(4).message.contains("không tìm thấy"), "{}", at(4));
    assert!(at(5).message.contains("không thể trực thuộc"), "{}", at(5));
    assert!(
        at(6).column == "code" && at(6).message.contains("dòng 2"),
        "{}",
        at(6)
    );
    assert_eq!(
        count(&store, UnitKind::Village, None).await,
        before,
        "nothing written"
    );
    assert!(store.unit("66-A1").await.unwrap().is_none());
});

on_both!(
    units_keep_their_kind_and_parent,
    |store: Store| async move {
        with_official(&store).await;
        store
            .import_units(
                &csv_rows("code,name,kind,parent\n66-B1,Thôn 1,village,24412\n", &[]),
                d(2025, 7, 1),
                &who(),
            )
            .await
            .unwrap();
        // Renaming is an update; moving or changing kind is refused.
        let renamed = csv_rows("code,name,kind,parent\n66-B1,Thôn Một,village,24412\n", &[]);
        assert_eq!(
            store
                .import_units(&renamed, d(2025, 7, 1), &who())
                .await
                .unwrap()
                .updated,
            1
        );
        assert_eq!(store.require_unit("66-B1").await.unwrap().name, "Thôn Một");
        let moved = csv_rows("code,name,kind,parent\n66-B1,Thôn Một,village,24175\n", &[]);
        assert!(matches!(
            store.import_units(&moved, d(2025, 7, 1), &who()).await,
            Err(StoreError::Rejected(_))
        ));
        let rekinded = csv_rows("code,name,kind,parent\n66-B1,Thôn Một,school,66\n", &[]);
        assert!(matches!(
            store.import_units(&rekinded, d(2025, 7, 1), &who()).await,
            Err(StoreError::Rejected(_))
        ));
    }
);

/// Lào Cai plan over three communes, two of them with villages.
async fn laocai(store: &Store) -> Plan {
    with_official(store).await;
    let plan = parse_plan(LAOCAI).unwrap();
    store.save_plan(&plan, LAOCAI, &who()).await.unwrap();
    plan
}

fn report(
    plan: &Plan,
    unit: &str,
    week: NaiveDate,
    values: &[(&str, f64, Option<f64>)],
) -> NewReport {
    NewReport {
        plan: plan.code.clone(),
        unit: unit.into(),
        week,
        status: Status::Submitted,
        difficulties: String::new(),
        proposals: String::new(),
        submitted_at: Some(format!("{week}T09:00:00Z")),
        synthetic: false,
        values: values
            .iter()
            .map(|(i, n, den)| NewValue {
                indicator: i.to_string(),
                subject: unit.into(),
                numerator: *n,
                denominator: *den,
                comment: None,
            })
            .collect(),
    }
}

on_both!(active_plan_round_trips, |store: Store| async move {
    let plan = laocai(&store).await;
    let loaded = store.active_plan().await.unwrap().expect("active plan");
    assert_eq!(loaded.code, plan.code);
    assert_eq!(loaded.indicators.len(), 3);
    assert_eq!(loaded.reporting.weekday, chrono::Weekday::Thu);
});

on_both!(progress_for_every_target_kind, |store: Store| async move {
    let plan = laocai(&store).await;
    let province = store.require_unit("15").await.unwrap();
    let communes = count(&store, UnitKind::Commune, Some("15")).await;
    assert_eq!(communes, 99);
    // Households denominators for two communes; the other 97 have none.
    store
        .put_denominators(
            &[("02647", 1000.0), ("02671", 3000.0)].map(|(u, v)| {
                hocvuso_core::units::Denominator {
                    unit: UnitCode::parse(u).unwrap(),
                    key: "households".into(),
                    value: v,
                    source: "test".into(),
                    as_of: d(2025, 8, 1),
                }
            }),
            false,
            &who(),
        )
        .await
        .unwrap();
    let w1 = d(2025, 9, 4);
    let w2 = d(2025, 9, 11);
    store
        .put_report(
            &plan,
            &report(
                &plan,
                "02647",
                w1,
                &[("TT1", 200.0, None), ("LH2", 2.0, None), ("LH3", 2.0, None)],
            ),
            &who(),
        )
        .await
        .unwrap();
    store
        .put_report(
            &plan,
            &report(
                &plan,
                "02647",
                w2,
                &[("TT1", 400.0, None), ("LH2", 4.0, None), ("LH3", 4.0, None)],
            ),
            &who(),
        )
        .await
        .unwrap();
    // Cam Đường reports only in week 1 (carried forward, stale in week 2) with its own denominator.
    store
        .put_report(
            &plan,
            &report(
                &plan,
                "02671",
                w1,
                &[
                    ("TT1", 600.0, Some(2000.0)),
                    ("LH2", 3.0, None),
                    ("LH3", 3.0, None),
                ],
            ),
            &who(),
        )
        .await
        .unwrap();
    // A draft never counts.
    let mut draft = report(
        &plan,
        "02680",
        w2,
        &[("TT1", 50.0, None), ("LH2", 9.0, None), ("LH3", 9.0, None)],
    );
    draft.status = Status::Draft;
    store.put_report(&plan, &draft, &who()).await.unwrap();

    let p = store.progress(&plan, &province, w2).await.unwrap();
    let by = |code: &str| p.iter().find(|x| x.indicator == code).unwrap().clone();
    let tt1 = by("TT1");
    assert_eq!((tt1.numerator, tt1.denominator), (1000.0, Some(3000.0)));
    assert_eq!(tt1.value, Some(1000.0 / 3000.0 * 100.0));
    assert_eq!(
        (
            tt1.subjects_reported,
            tt1.subjects_stale,
            tt1.subjects_without_denominator
        ),
        (2, 1, 97)
    );
    assert_eq!(tt1.target, Some(30.0));
    let lh2 = by("LH2");
    assert_eq!((lh2.value, lh2.target), (Some(7.0), Some(300.0)));
    let lh3 = by("LH3");
    assert_eq!(
        (lh3.numerator, lh3.denominator, lh3.total),
        (2.0, Some(99.0), Some(7.0))
    );
    // Going back in time: week 1 only.
    let p1 = store.progress(&plan, &province, w1).await.unwrap();
    assert_eq!(p1[1].value, Some(5.0));
    // A commune scope: the province-wide total target does not apply there.
    let commune = store.require_unit("02647").await.unwrap();
    let pc = store.progress(&plan, &commune, w2).await.unwrap();
    assert_eq!((pc[1].value, pc[1].target), (Some(4.0), None));
    assert_eq!(pc[0].value, Some(40.0));
});

on_both!(share_of_units_counts_villages, |store: Store| async move {
    with_official(&store).await;
    let text = LAOCAI.replace(
        "[[indicators]]\ncode = \"TT1\"",
        "[[indicators]]\ncode = \"TO\"\ntask = \"2\"\nname = \"Thôn có tổ công nghệ số\"\nshort_name = \"Thôn có tổ\"\nkind = \"share_of_units\"\ncounted_unit = \"village\"\nnumerator = \"Thôn đã có tổ\"\nreporters = [{ kind = \"commune\" }]\nmilestones = [{ label = \"x\", date = 2025-10-30, target = 100 }]\n\n[[indicators]]\ncode = \"TT1\"",
    );
    let plan = parse_plan(&text).unwrap();
    store.save_plan(&plan, &text, &who()).await.unwrap();
    let villages = csv_rows(
        "code,name,kind,parent\nv1,Thôn 1,village,02647\nv2,Thôn 2,village,02647\nv3,Thôn 3,village,02647\nv4,Bản 1,village,02671\n",
        &[],
    );
    store
        .import_units(&villages, d(2025, 9, 1), &who())
        .await
        .unwrap();
    // Claims 5 of its 3 villages: capped at 3.
    store
        .put_report(
            &plan,
            &report(&plan, "02647", d(2025, 9, 4), &[("TO", 5.0, None)]),
            &who(),
        )
        .await
        .unwrap();
    let province = store.require_unit("15").await.unwrap();
    let p = store
        .progress(&plan, &province, d(2025, 9, 4))
        .await
        .unwrap();
    assert_eq!((p[0].numerator, p[0].denominator), (3.0, Some(4.0)));
    assert_eq!(p[0].value, Some(75.0));
});

on_both!(
    putting_a_report_twice_keeps_one,
    |store: Store| async move {
        let plan = laocai(&store).await;
        let r = report(&plan, "02647", d(2025, 9, 4), &[("LH2", 10.0, None)]);
        let a = store.put_report(&plan, &r, &who()).await.unwrap();
        let b = store.put_report(&plan, &r, &who()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(store.count_reports(&plan.code).await.unwrap(), 1);
        let mut changed = r.clone();
        changed.values[0].numerator = 20.0;
        changed.status = Status::Approved;
        store.put_report(&plan, &changed, &who()).await.unwrap();
        let province = store.require_unit("15").await.unwrap();
        assert_eq!(
            store
                .progress(&plan, &province, d(2025, 9, 4))
                .await
                .unwrap()[1]
                .numerator,
            20.0
        );
    }
);

on_both!(
    queued_reports_commit_together_and_a_bad_one_fails_alone,
    |store: Store| async move {
        let plan = laocai(&store).await;
        let weeks = [d(2025, 9, 4), d(2025, 9, 11)];
        // Sends every report at once while the writers are held, so that they queue and are written
        // in one group when released; returns each request's outcome.
        async fn together(store: &Store, plan: &Plan, reports: Vec<NewReport>) -> Vec<bool> {
            let held = store.hold_writers().await;
            let mut tasks = Vec::new();
            for r in reports {
                let (store, plan) = (store.clone(), plan.clone());
                tasks.push(tokio::spawn(async move {
                    store.put_report(&plan, &r, &who()).await
                }));
            }
            for _ in 0..500 {
                if store.queued_requests() == tasks.len() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            assert_eq!(store.queued_requests(), tasks.len(), "all requests queued");
            drop(held);
            let mut ok = Vec::new();
            for t in tasks {
                ok.push(t.await.unwrap().is_ok());
            }
            ok
        }
        let mut good = Vec::new();
        for (i, unit) in ["02647", "02671", "02680"].into_iter().enumerate() {
            for (w, week) in weeks.into_iter().enumerate() {
                let n = (10 * (i + 1) + w) as f64;
                good.push(report(
                    &plan,
                    unit,
                    week,
                    &[("LH2", n, None), ("TT1", n, Some(100.0))],
                ));
            }
        }
        // The same report twice in one group is still one report.
        good.push(good[0].clone());
        assert_eq!(together(&store, &plan, good.clone()).await, vec![true; 7]);
        assert_eq!(store.count_reports(&plan.code).await.unwrap(), 6);

        // A report of a unit that does not exist fails the group; the others are then written alone.
        let mut changed: Vec<NewReport> = good[..3].to_vec();
        for r in &mut changed {
            r.values[0].numerator += 1.0;
        }
        let mut bad = report(&plan, "02647", weeks[0], &[("LH2", 1.0, None)]);
        bad.unit = "99999".into();
        changed.insert(1, bad);
        assert_eq!(
            together(&store, &plan, changed.clone()).await,
            vec![true, false, true, true]
        );
        assert_eq!(store.count_reports(&plan.code).await.unwrap(), 6);
        for r in [&changed[0], &changed[2], &changed[3]] {
            let stored = store
                .report(&plan.code, &r.unit, r.week)
                .await
                .unwrap()
                .expect("stored");
            assert_eq!(stored.values[0].numerator, r.values[0].numerator);
        }
        let province = store.require_unit("15").await.unwrap();
        for week in weeks {
            assert_eq!(
                store.progress(&plan, &province, week).await.unwrap(),
                store
                    .progress_recomputed(&plan, &province, week)
                    .await
                    .unwrap(),
                "roll-ups after group commits on {week}"
            );
        }
    }
);

on_both!(
    assigned_targets_replace_the_plans_for_their_unit,
    |store: Store| async move {
        use hocvuso_core::assigned::AssignedTarget;
        let plan = laocai(&store).await;
        let w1 = d(2025, 9, 4);
        // 02647 reaches 4 (above the plan's minimum of 3) and 02671 reaches 2.
        for (unit, n) in [("02647", 4.0), ("02671", 2.0)] {
            store
                .put_report(
                    &plan,
                    &report(
                        &plan,
                        unit,
                        w1,
                        &[
                            ("LH2", 50.0, None),
                            ("LH3", n, None),
                            ("TT1", 10.0, Some(100.0)),
                        ],
                    ),
                    &who(),
                )
                .await
                .unwrap();
        }
        let province = store.require_unit("15").await.unwrap();
        let commune = store.require_unit("02647").await.unwrap();
        let other = store.require_unit("02671").await.unwrap();
        let lh3 = |p: &[hocvuso_core::progress::Progress]| p[2].numerator;
        assert_eq!(
            lh3(&store.progress(&plan, &province, w1).await.unwrap()),
            1.0
        );
        // A province-wide total sets no target for a commune.
        assert_eq!(
            store.progress(&plan, &commune, w1).await.unwrap()[1].target,
            None
        );

        let a = |unit: &str,
                 indicator: &str,
                 milestone: Option<NaiveDate>,
                 target: f64,
                 line: usize| AssignedTarget {
            unit: unit.into(),
            indicator: indicator.into(),
            milestone,
            target,
            line,
        };
        // A unit that does not exist is named, and nothing changes.
        let err = store
            .put_assigned_targets(
                &plan,
                &[
                    a("02647", "LH2", None, 120.0, 2),
                    a("99999", "LH2", None, 5.0, 3),
                ],
                "phu-luc.csv",
                &who(),
            )
            .await
            .unwrap_err();
        match err {
            StoreError::Rejected(p) => {
                assert_eq!((p.len(), p[0].row, p[0].column.as_str()), (1, 3, "unit"))
            }
            other => panic!("{other}"),
        }
        assert!(store.assigned_targets(&plan.code).await.unwrap().is_empty());

        let table = [
            a("02647", "LH2", None, 120.0, 2),
            a("02647", "LH3", None, 5.0, 3),
            a("02671", "TT1", Some(d(2025, 10, 30)), 40.0, 4),
        ];
        assert_eq!(
            store
                .put_assigned_targets(&plan, &table, "phu-luc.csv", &who())
                .await
                .unwrap(),
            3
        );
        assert_eq!(store.assigned_targets(&plan.code).await.unwrap().len(), 3);

        // The commune's own total target, with a status; the province keeps the plan's.
        let own = store.tracked(&plan, &commune, w1).await.unwrap();
        assert_eq!(own[1].progress.target, Some(120.0));
        assert!(
            own[1]
                .progress
                .milestone_label
                .as_deref()
                .unwrap()
                .ends_with("(giao riêng)")
        );
        assert!(own[1].outlook.is_some());
        assert_eq!(
            store.progress(&plan, &province, w1).await.unwrap()[1].target,
            Some(300.0)
        );
        // Its own minimum of 5: 4 no longer meets it, in the roll-ups and in the recomputation.
        for day in [w1, d(2025, 10, 15)] {
            let maintained = store.progress(&plan, &province, day).await.unwrap();
            assert_eq!(lh3(&maintained), 0.0);
            assert_eq!(
                maintained,
                store
                    .progress_recomputed(&plan, &province, day)
                    .await
                    .unwrap()
            );
            for unit in [&commune, &other] {
                assert_eq!(
                    store.progress(&plan, unit, day).await.unwrap(),
                    store.progress_recomputed(&plan, unit, day).await.unwrap()
                );
            }
        }
        // A percentage replaced on one milestone only.
        assert_eq!(
            store.progress(&plan, &other, d(2025, 9, 20)).await.unwrap()[0].target,
            Some(30.0)
        );
        assert_eq!(
            store
                .progress(&plan, &other, d(2025, 10, 15))
                .await
                .unwrap()[0]
                .target,
            Some(40.0)
        );
        // The heat table's line of the commune is the same.
        let lines = store
            .tracked_children(&plan, &province, UnitKind::Commune, w1)
            .await
            .unwrap();
        let line = lines.iter().find(|(u, _)| u.code == "02647").unwrap();
        assert_eq!(line.1, own);

        // Loading a new table replaces the old one.
        store
            .put_assigned_targets(&plan, &[], "trong.csv", &who())
            .await
            .unwrap();
        assert_eq!(
            lh3(&store.progress(&plan, &province, w1).await.unwrap()),
            1.0
        );
    }
);

on_both!(a_merged_unit_keeps_its_history, |store: Store| async move {
    let plan = laocai(&store).await;
    let villages = csv_rows(
        "code,name,kind,parent\nm1,Thôn 1,village,02647\nm2,Thôn 2,village,02647\n",
        &[],
    );
    store
        .import_units(&villages, d(2025, 9, 1), &who())
        .await
        .unwrap();
    let (w1, w2) = (d(2025, 9, 4), d(2025, 9, 11));
    for (unit, week, n) in [
        ("02647", w1, 40.0),
        ("02671", w1, 10.0),
        ("02671", w2, 25.0),
    ] {
        store
            .put_report(
                &plan,
                &report(
                    &plan,
                    unit,
                    week,
                    &[("LH2", n, None), ("TT1", n, Some(100.0))],
                ),
                &who(),
            )
            .await
            .unwrap();
    }
    let province = store.require_unit("15").await.unwrap();
    let before_w1 = store.progress(&plan, &province, w1).await.unwrap();
    let before_w2 = store.progress(&plan, &province, w2).await.unwrap();
    // Before the merger, 02647's figure is carried forward to w2.
    assert_eq!(before_w2[1].numerator, 40.0 + 25.0);

    // Bad merges are refused and change nothing.
    for (into, from) in [
        ("02671", "02671"),
        ("02671", "99999"),
        ("99999", "02647"),
        ("02671", "15"),
    ] {
        assert!(
            matches!(
                store
                    .merge_units(into, &[from.to_string()], d(2025, 9, 8), &who())
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{into} ← {from}"
        );
    }
    store
        .merge_units("02671", &["02647".to_string()], d(2025, 9, 8), &who())
        .await
        .unwrap();

    // The week before the merger reads as it did; after it, only the successor counts.
    assert_eq!(
        store.progress(&plan, &province, w1).await.unwrap(),
        before_w1
    );
    let after = store.progress(&plan, &province, w2).await.unwrap();
    assert_eq!(after[1].numerator, 25.0);
    assert_eq!(
        after[1].subjects_expected,
        before_w2[1].subjects_expected - 1
    );
    for day in [w1, d(2025, 9, 8), w2, d(2025, 10, 1)] {
        for scope in [&province, &store.require_unit("02671").await.unwrap()] {
            assert_eq!(
                store.progress(&plan, scope, day).await.unwrap(),
                store.progress_recomputed(&plan, scope, day).await.unwrap(),
                "{} on {day}",
                scope.code
            );
        }
    }
    // The heat table lists the merged commune for dates before the merger only.
    let listed = |day| {
        let store = store.clone();
        let (plan, province) = (plan.clone(), province.clone());
        async move {
            store
                .tracked_children(&plan, &province, UnitKind::Commune, day)
                .await
                .unwrap()
                .into_iter()
                .map(|(u, _)| u.code)
                .collect::<Vec<_>>()
        }
    };
    assert!(listed(w1).await.contains(&"02647".to_string()));
    assert!(!listed(w2).await.contains(&"02647".to_string()));
    // Its villages moved under the successor; the merged unit is still there, closed.
    let moved = store
        .list_units(&UnitFilter {
            parent: Some("02671".into()),
            kind: Some(UnitKind::Village),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .0;
    assert!(
        ["m1", "m2"]
            .iter()
            .all(|c| moved.iter().any(|u| u.code == *c))
    );
    assert!(moved.iter().all(|u| u.path.starts_with("/VN/15/02671/")));
    assert!(store.unit("02647").await.unwrap().is_some());
    assert_eq!(
        audit(&store, "unit")
            .await
            .iter()
            .filter(|a| a.action == "merge")
            .count(),
        1
    );
});

on_both!(meta_values, |store: Store| async move {
    assert_eq!(store.meta("k").await.unwrap(), None);
    store.set_meta("k", "1").await.unwrap();
    store.set_meta("k", "2").await.unwrap();
    assert_eq!(store.meta("k").await.unwrap().as_deref(), Some("2"));
});

on_both!(
    a_denominator_after_reports_without_one,
    |store: Store| async move {
        // One transaction, one connection: the value statement first runs with no denominator, then with one.
        let plan = laocai(&store).await;
        let reports = [
            report(&plan, "02647", d(2025, 9, 4), &[("LH2", 1.0, None)]),
            report(&plan, "02671", d(2025, 9, 4), &[("TT1", 10.0, Some(100.0))]),
            report(&plan, "02680", d(2025, 9, 4), &[("TT1", 5.0, None)]),
        ];
        store
            .put_reports(&plan, &reports, &who())
            .await
            .expect("mixed denominators store");
        let province = store.require_unit("15").await.unwrap();
        let p = store
            .progress(&plan, &province, d(2025, 9, 4))
            .await
            .unwrap();
        assert_eq!(p[0].denominator, Some(100.0));
    }
);

async fn audit(store: &Store, entity: &str) -> Vec<hocvuso_store::audit::AuditRecord> {
    let f = AuditFilter {
        entity: Some(entity.into()),
        limit: 100_000,
        ..Default::default()
    };
    store.audit_entries(&f).await.unwrap().0
}

on_both!(changes_leave_audit_entries, |store: Store| async move {
    with_official(&store).await;
    assert_eq!(
        audit(&store, "unit").await.len(),
        3356,
        "one entry per unit created"
    );
    // Re-importing the same list writes nothing, so logs nothing.
    store
        .import_units(
            &parse_official(OFFICIAL_UNITS_CSV).unwrap(),
            d(2025, 7, 1),
            &who(),
        )
        .await
        .unwrap();
    assert_eq!(audit(&store, "unit").await.len(), 3356);
    let renamed = csv_rows(
        "code,name,kind,parent,adults\n66-C1,Thôn 1,village,24412,100\n",
        &["adults"],
    );
    let someone = Who {
        user_id: Some(7),
        name: "sokhcn".into(),
        ip: Some("10.1.2.3".into()),
    };
    store
        .import_units(&renamed, d(2025, 7, 1), &someone)
        .await
        .unwrap();
    let renamed = csv_rows(
        "code,name,kind,parent,adults\n66-C1,Thôn Một,village,24412,120\n",
        &["adults"],
    );
    store
        .import_units(&renamed, d(2025, 7, 1), &someone)
        .await
        .unwrap();
    let f = AuditFilter {
        unit: Some("66-C1".into()),
        limit: 100,
        ..Default::default()
    };
    let (entries, total) = store.audit_entries(&f).await.unwrap();
    assert_eq!(
        total, 4,
        "unit created, denominator created, unit renamed, denominator changed: {entries:?}"
    );
    let rename = entries
        .iter()
        .find(|e| e.entity == "unit" && e.action == "update")
        .unwrap();
    assert_eq!(
        (rename.actor.as_str(), rename.ip.as_deref(), rename.user_id),
        ("sokhcn", Some("10.1.2.3"), Some(7))
    );
    assert!(
        rename.before.as_deref().unwrap().contains("Thôn 1")
            && rename.after.as_deref().unwrap().contains("Thôn Một")
    );
    // Filtering by a commune finds what happened below it.
    let f = AuditFilter {
        unit: Some("24412".into()),
        actor: Some("sokhcn".into()),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(store.audit_entries(&f).await.unwrap().1, 4);

    let plan = parse_plan(LAOCAI).unwrap();
    store.save_plan(&plan, LAOCAI, &someone).await.unwrap();
    store.save_plan(&plan, LAOCAI, &someone).await.unwrap();
    assert_eq!(
        audit(&store, "plan").await.len(),
        1,
        "saving the same plan again changes nothing"
    );
    let r = report(&plan, "02647", d(2025, 9, 4), &[("LH2", 1.0, None)]);
    store.put_report(&plan, &r, &someone).await.unwrap();
    store.put_report(&plan, &r, &someone).await.unwrap();
    let mut changed = r.clone();
    changed.values[0].numerator = 2.0;
    store.put_report(&plan, &changed, &someone).await.unwrap();
    let reports = audit(&store, "report").await;
    assert_eq!(reports.len(), 2, "created once, then changed once");
    assert!(
        reports[0]
            .before
            .as_deref()
            .unwrap()
            .contains("\"numerator\":1.0")
    );
    assert!(
        reports[0]
            .after
            .as_deref()
            .unwrap()
            .contains("\"numerator\":2.0")
    );
});

on_both!(
    audit_rows_cannot_be_changed_or_deleted,
    |store: Store| async move {
        store
            .audit(
                &who(),
                &hocvuso_store::audit::Entry {
                    action: "login",
                    entity: "session",
                    key: "x",
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for sql in [
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
        ] {
            let err = store
                .execute_raw_for_tests(sql)
                .await
                .expect_err("the schema refuses it");
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        assert_eq!(audit(&store, "session").await[0].actor, "test");
    }
);

on_both!(accounts_sessions_and_tokens, |store: Store| async move {
    with_official(&store).await;
    let new = |name: &str| hocvuso_store::accounts::NewUser {
        username: name.into(),
        display_name: "Người thử".into(),
        role: "reporter".into(),
        unit_code: Some("24412".into()),
        password_hash: "$argon2id$fake".into(),
    };
    let id = store.create_user(&new("a"), &who()).await.unwrap();
    assert!(matches!(
        store.create_user(&new("a"), &who()).await,
        Err(StoreError::Conflict(_))
    ));
    let far = "2999-01-01T00:00:00.000Z";
    store
        .create_session("s1", id, "csrf1", Some("127.0.0.1"), far)
        .await
        .unwrap();
    assert_eq!(store.session("s1").await.unwrap().unwrap().1.username, "a");
    store
        .create_session("expired", id, "c", None, "2000-01-01T00:00:00.000Z")
        .await
        .unwrap();
    assert!(store.session("expired").await.unwrap().is_none());
    // A new password ends every session.
    store
        .set_password(id, "$argon2id$other", &who())
        .await
        .unwrap();
    assert!(store.session("s1").await.unwrap().is_none());
    store
        .create_session("s2", id, "csrf2", None, far)
        .await
        .unwrap();
    store.set_disabled(id, true, &who()).await.unwrap();
    assert!(store.session("s2").await.unwrap().is_none());
    store.set_disabled(id, false, &who()).await.unwrap();
    let t = store
        .create_token(id, "VNeID", "digest1", "hvs_abc", &who())
        .await
        .unwrap();
    assert_eq!(store.token_user("digest1").await.unwrap().unwrap().id, id);
    store.revoke_token(t, &who()).await.unwrap();
    assert!(store.token_user("digest1").await.unwrap().is_none());
    assert!(matches!(
        store.revoke_token(t, &who()).await,
        Err(StoreError::Conflict(_))
    ));
    let actions: Vec<String> = audit(&store, "user")
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["enable", "disable", "password", "create"]);
    assert_eq!(audit(&store, "api_token").await.len(), 2);
    // Passwords never reach the audit log.
    assert!(
        audit(&store, "user").await.iter().all(|e| !e
            .after
            .as_deref()
            .unwrap_or("")
            .contains("argon2"))
    );
});

on_both!(failed_logins_lock_a_key, |store: Store| async move {
    let rule = hocvuso_store::accounts::Throttle {
        max_failures: 3,
        window: chrono::Duration::minutes(15),
        lock_for: chrono::Duration::minutes(15),
    };
    use hocvuso_store::accounts::LoginAttempt;
    let big = hocvuso_store::accounts::Throttle {
        max_failures: 4,
        ..rule
    };
    let keys = |user: &'static str, ip: &'static str| [(user, rule), (ip, big)];
    for tries in 1..=3 {
        assert_eq!(
            store.begin_login(keys("user:a", "ip:1")).await.unwrap(),
            LoginAttempt::Allowed { tries }
        );
    }
    // The account's last try locked it: the next attempt is refused before any password check,
    // and counts nothing against the address.
    assert!(matches!(
        store.begin_login(keys("user:a", "ip:1")).await.unwrap(),
        LoginAttempt::Locked { .. }
    ));
    assert_eq!(
        store.begin_login(keys("user:b", "ip:1")).await.unwrap(),
        LoginAttempt::Allowed { tries: 1 }
    );
    // The address has had its four tries.
    assert!(matches!(
        store.begin_login(keys("user:c", "ip:1")).await.unwrap(),
        LoginAttempt::Locked { .. }
    ));
    // A success forgets the account's tries and gives the address its try back.
    store
        .login_succeeded("user:b", ("ip:1", big))
        .await
        .unwrap();
    assert_eq!(
        store.begin_login(keys("user:b", "ip:1")).await.unwrap(),
        LoginAttempt::Allowed { tries: 1 }
    );
    store
        .login_succeeded("user:a", ("ip:2", big))
        .await
        .unwrap();
    assert_eq!(
        store.begin_login(keys("user:a", "ip:2")).await.unwrap(),
        LoginAttempt::Allowed { tries: 1 }
    );
});

mod field_log {
    use super::*;
    use hocvuso_core::field::{PersonKey, RawRecord, SecretText, check_record};
    use hocvuso_store::field::{FieldInput, Outcome};

    const DAKLAK: &str = include_str!("../../../plans/daklak-100-ngay-2025.toml");

    /// The Đắk Lắk plan (Golden Week: 20 people through all five skills in a week) with two
    /// villages of Xã M'Drắk and one of Phường Tuy Hoà.
    pub async fn daklak(store: &Store) -> Plan {
        with_official(store).await;
        let plan = parse_plan(DAKLAK).unwrap();
        store.save_plan(&plan, DAKLAK, &who()).await.unwrap();
        let villages = csv_rows(
            "code,name,kind,parent\nT1,Buôn 1,village,24412\nT2,Buôn 2,village,24412\nK1,Thôn 1,village,22015\n",
            &[],
        );
        store
            .import_units(&villages, d(2025, 7, 1), &who())
            .await
            .unwrap();
        plan
    }

    pub fn key() -> PersonKey {
        PersonKey::new(b"a deployment secret of 32 bytes!".to_vec()).unwrap()
    }

    /// A record with a fresh UUID built from `n`.
    pub fn rec(n: u32, day: &str, skills: &[i64], cccd: Option<&str>) -> RawRecord {
        RawRecord {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            date: day.into(),
            skills: skills.to_vec(),
            vneid: n.is_multiple_of(2),
            minority: Some(n.is_multiple_of(3)),
            cccd: cccd.map(|c| SecretText::new(c.into())),
            ..RawRecord::default()
        }
    }

    pub fn input(plan: &Plan, village: &str, raw: &RawRecord) -> FieldInput {
        FieldInput {
            line: 0,
            village: village.into(),
            record: check_record(raw, plan, d(2025, 10, 31), &key()).unwrap(),
        }
    }

    async fn total(store: &Store, unit: &str, week: NaiveDate, item: &str) -> i64 {
        let all = store
            .field_totals("daklak-100-ngay-2025", unit, week)
            .await
            .unwrap();
        all.get(item).copied().unwrap_or(0)
    }

    on_both!(
        a_person_counts_once_and_retries_change_nothing,
        |store: Store| async move {
            let plan = daklak(&store).await;
            let someone = "066185000123";
            let week1 = d(2025, 7, 18);
            let first = [
                input(&plan, "T1", &rec(1, "16/07/2025", &[1, 2], Some(someone))),
                input(&plan, "T1", &rec(2, "17/07/2025", &[1], None)),
            ];
            let out = store
                .put_field_records(&plan, &first, "app", &who())
                .await
                .unwrap();
            assert_eq!(out, [Outcome::Stored, Outcome::Stored]);
            // The same batch again (a phone retrying after a lost answer): nothing changes.
            let again = store
                .put_field_records(&plan, &first, "app", &who())
                .await
                .unwrap();
            assert_eq!(again, [Outcome::Duplicate, Outcome::Duplicate]);
            // The same person a week later in another village: skill 2 again, skill 3 new; and a
            // record reusing a stored UUID for something else is refused.
            let mut clash = rec(2, "17/07/2025", &[4], None);
            clash.vneid = false;
            let second = [
                input(
                    &plan,
                    "T2",
                    &rec(3, "22/07/2025", &[2, 3], Some("066 185 000 123")),
                ),
                input(&plan, "T1", &clash),
            ];
            let out = store
                .put_field_records(&plan, &second, "app", &who())
                .await
                .unwrap();
            assert_eq!(out, [Outcome::Stored, Outcome::Conflict]);
            assert_eq!(store.field_record_count(&plan.code).await.unwrap(), 3);

            let week2 = d(2025, 7, 25);
            for (unit, week, item, expected) in [
                ("24412", week1, "records", 2),
                ("24412", week1, "people", 2),
                ("24412", week1, "skill_1", 2),
                ("24412", week1, "skill_2", 1),
                ("24412", week1, "vneid", 1),
                ("24412", week1, "teams", 1),
                ("24412", week2, "records", 3),
                // The identified person is not counted twice.
                ("24412", week2, "people", 2),
                ("24412", week2, "skill_2", 1),
                ("24412", week2, "skill_3", 1),
                ("24412", week2, "teams", 2),
                ("T2", week2, "people", 0),
                ("T2", week2, "records", 1),
                ("T2", week2, "skill_3", 0),
                ("66", week2, "people", 2),
                ("22015", week2, "records", 0),
            ] {
                assert_eq!(
                    total(&store, unit, week, item).await,
                    expected,
                    "{unit} {week} {item}"
                );
            }
            // Inclusion: two people, the identified one's group read from the card.
            let cells = store
                .field_inclusion(&plan.code, "24412", week2)
                .await
                .unwrap();
            assert_eq!(cells.iter().map(|c| c.people).sum::<i64>(), 2);
            assert!(cells.iter().any(|c| c.group.gender
                == Some(hocvuso_core::cccd::Gender::Female)
                && c.group.age_band == Some(hocvuso_core::field::AgeBand::From35To59)));
            assert!(
                store
                    .field_inclusion(&plan.code, "T1", week2)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
    );

    on_both!(
        a_large_batch_meeting_stored_records_is_counted_once,
        |store: Store| async move {
            let plan = daklak(&store).await;
            let week = d(2025, 7, 25);
            // A paper log of 1,200 visits to 400 identified people, imported whole.
            let log = |from: u32, count: u32| -> Vec<FieldInput> {
                (from..from + count)
                    .map(|n| {
                        let person = format!("066185{:06}", n % 400);
                        input(
                            &plan,
                            ["T1", "T2"][n as usize % 2],
                            &rec(n, "22/07/2025", &[1 + i64::from(n % 3)], Some(&person)),
                        )
                    })
                    .collect()
            };
            let first = log(0, 1200);
            let out = store
                .put_field_records(&plan, &first, "so-giay.csv", &who())
                .await
                .unwrap();
            assert!(out.iter().all(|o| *o == Outcome::Stored));
            let people = total(&store, "24412", week, "people").await;
            assert_eq!(people, 400);
            let skills = [1, 2, 3];
            let mut before = Vec::new();
            for s in skills {
                before.push(total(&store, "24412", week, &format!("skill_{s}")).await);
            }
            // The same log again with 300 more visits (an updated file): the stored 1,200 are
            // recognised, only the new ones count, and they add nobody already counted.
            let mut again = log(0, 1500);
            again.rotate_left(700);
            let out = store
                .put_field_records(&plan, &again, "so-giay.csv", &who())
                .await
                .unwrap();
            let stored = out.iter().filter(|o| **o == Outcome::Stored).count();
            let dup = out.iter().filter(|o| **o == Outcome::Duplicate).count();
            assert_eq!((stored, dup), (300, 1200));
            assert_eq!(store.field_record_count(&plan.code).await.unwrap(), 1500);
            assert_eq!(total(&store, "24412", week, "records").await, 1500);
            assert_eq!(total(&store, "24412", week, "people").await, 400);
            for (s, b) in skills.iter().zip(before) {
                assert_eq!(total(&store, "24412", week, &format!("skill_{s}")).await, b);
            }
        }
    );

    on_both!(
        golden_week_unknown_villages_and_purge,
        |store: Store| async move {
            let plan = daklak(&store).await;
            // 19 people through all five skills in week 2: not yet; the 20th makes the Golden Week.
            let all: Vec<FieldInput> = (0..20)
                .map(|n| {
                    input(
                        &plan,
                        "K1",
                        &rec(100 + n, "22/07/2025", &[1, 2, 3, 4, 5], None),
                    )
                })
                .collect();
            store
                .put_field_records(&plan, &all[..19], "app", &who())
                .await
                .unwrap();
            assert_eq!(total(&store, "22015", d(2025, 7, 25), "golden").await, 0);
            store
                .put_field_records(&plan, &all[19..], "app", &who())
                .await
                .unwrap();
            assert_eq!(total(&store, "22015", d(2025, 7, 25), "golden").await, 1);
            assert_eq!(total(&store, "22015", d(2025, 7, 18), "golden").await, 0);
            // More such records never count the village twice.
            let more: Vec<FieldInput> = (0..25)
                .map(|n| {
                    input(
                        &plan,
                        "K1",
                        &rec(200 + n, "29/07/2025", &[1, 2, 3, 4, 5], None),
                    )
                })
                .collect();
            store
                .put_field_records(&plan, &more, "app", &who())
                .await
                .unwrap();
            assert_eq!(total(&store, "66", d(2025, 8, 1), "golden").await, 1);

            // T2 reaches the threshold in the week ending 01/08; then last month's paper log
            // arrives with 20 such records of the week ending 18/07: its Golden Week moves there,
            // still counted once.
            let full = |from: u32, day: &str| -> Vec<FieldInput> {
                (0..20)
                    .map(|n| input(&plan, "T2", &rec(from + n, day, &[1, 2, 3, 4, 5], None)))
                    .collect()
            };
            store
                .put_field_records(&plan, &full(600, "30/07/2025"), "app", &who())
                .await
                .unwrap();
            let week = |store: Store| async move {
                store
                    .field_activity(
                        "daklak-100-ngay-2025",
                        &["T2".to_string(), "24412".to_string()],
                        &[d(2025, 7, 18), d(2025, 7, 25), d(2025, 8, 1)],
                        d(2025, 8, 1),
                    )
                    .await
                    .unwrap()
            };
            let a = week(store.clone()).await;
            assert_eq!(a["T2"].golden_week, Some(d(2025, 8, 1)));
            assert_eq!((a["T2"].records, a["24412"].golden), (20, 1));
            store
                .put_field_records(&plan, &full(700, "16/07/2025"), "giay.csv", &who())
                .await
                .unwrap();
            let a = week(store.clone()).await;
            assert_eq!(a["T2"].golden_week, Some(d(2025, 7, 18)));
            assert_eq!((a["T2"].golden, a["24412"].golden), (1, 1));
            assert_eq!(total(&store, "24412", d(2025, 7, 18), "golden").await, 1);
            assert_eq!(total(&store, "66", d(2025, 8, 1), "golden").await, 2);
            // Week by week: 20 people and one active village in each of the two weeks.
            let mut weeks = a["24412"].weeks.clone();
            weeks.sort();
            assert_eq!(weeks, [(d(2025, 7, 18), 20, 1), (d(2025, 8, 1), 20, 1)]);

            // A batch naming a commune, or an unknown code, is refused whole.
            let bad = [
                input(&plan, "K1", &rec(300, "29/07/2025", &[1], None)),
                FieldInput {
                    line: 3,
                    ..input(&plan, "22015", &rec(301, "29/07/2025", &[1], None))
                },
                FieldInput {
                    line: 4,
                    ..input(&plan, "NOPE", &rec(302, "29/07/2025", &[1], None))
                },
            ];
            match store
                .put_field_records(&plan, &bad, "paper.csv", &who())
                .await
            {
                Err(StoreError::Rejected(problems)) => {
                    assert_eq!(problems.iter().map(|p| p.row).collect::<Vec<_>>(), [3, 4]);
                }
                other => panic!("expected a rejection, got {other:?}"),
            }
            assert_eq!(store.field_record_count(&plan.code).await.unwrap(), 85);

            // Purge: persons seen before the date lose their key; the figures stay; a later
            // visit of such a person counts as a new person.
            let p = "066185000123";
            store
                .put_field_records(
                    &plan,
                    &[input(&plan, "T1", &rec(400, "16/07/2025", &[1], Some(p)))],
                    "app",
                    &who(),
                )
                .await
                .unwrap();
            store
                .put_field_records(
                    &plan,
                    &[input(
                        &plan,
                        "T1",
                        &rec(401, "20/08/2025", &[1], Some("066090000124")),
                    )],
                    "app",
                    &who(),
                )
                .await
                .unwrap();
            assert_eq!(store.person_keys().await.unwrap().0, 2);
            let removed = store
                .purge_person_keys(d(2025, 8, 1), &who())
                .await
                .unwrap();
            assert_eq!(removed, 1);
            assert_eq!(
                store.person_keys().await.unwrap(),
                (1, Some("2025-08-20".into()))
            );
            let week = d(2025, 8, 22);
            assert_eq!(total(&store, "T1", week, "people").await, 2);
            store
                .put_field_records(
                    &plan,
                    &[input(&plan, "T1", &rec(402, "21/08/2025", &[1], Some(p)))],
                    "app",
                    &who(),
                )
                .await
                .unwrap();
            assert_eq!(total(&store, "T1", week, "people").await, 3);
            let audit = audit(&store, "person_keys").await;
            assert_eq!(audit.len(), 1);
        }
    );
}

/// Migration 0010 packs each unit's weekly rows into one row: what was logged before it reads the
/// same after it.
async fn weekly_figures_survive_packing(engine: Engine) {
    let Some(db) = TestDatabase::new(engine).await else {
        return;
    };
    let old = Store::open_at_migration_for_tests(&db.url, 9)
        .await
        .expect("migrations up to 0009");
    old.execute_raw_for_tests(
        "INSERT INTO field_weeks (plan_code, unit_code, week, records, people, full_records, teams,
             golden, skill_1, vneid, domain)
         VALUES ('p', 'V1', '2025-09-05', 7, 5, 2, 1, 0, 0, 0, 0),
                ('p', 'V1', '2025-09-12', 3, 2, 3, 1, 1, 0, 0, 0),
                ('p', 'C1', '2025-09-05', 7, 5, 2, 1, 0, 4, 3, 1),
                ('p', 'C1', '2025-09-12', 3, 2, 3, 1, 1, 2, 1, 0)",
    )
    .await
    .unwrap();
    old.execute_raw_for_tests(
        "INSERT INTO field_inclusion (plan_code, unit_code, week, g_u_u_u, g_18_34_f_y, g_tu_60_f_y)
         VALUES ('p', 'C1', '2025-09-05', 1, 3, 1), ('p', 'C1', '2025-09-12', 0, 2, 0)",
    )
    .await
    .unwrap();
    old.close().await;

    let store = Store::open(&db.url).await.expect("migration 0010");
    let totals = store.field_totals("p", "C1", d(2025, 9, 5)).await.unwrap();
    let pick = |t: &std::collections::HashMap<String, i64>, items: &[&str]| -> Vec<i64> {
        items.iter().map(|i| t[*i]).collect()
    };
    let items = [
        "records", "people", "full", "teams", "golden", "skill_1", "vneid", "domain",
    ];
    assert_eq!(pick(&totals, &items), [7, 5, 2, 1, 0, 4, 3, 1]);
    let totals = store.field_totals("p", "C1", d(2025, 9, 12)).await.unwrap();
    assert_eq!(pick(&totals, &items), [10, 7, 5, 2, 1, 6, 4, 1]);
    let totals = store.field_totals("p", "V1", d(2025, 9, 12)).await.unwrap();
    assert_eq!(pick(&totals, &items), [10, 7, 5, 2, 1, 0, 0, 0]);

    let activity = store
        .field_activity(
            "p",
            &["V1".into(), "C1".into(), "V9".into()],
            &[d(2025, 9, 12)],
            d(2025, 9, 12),
        )
        .await
        .unwrap();
    assert_eq!(activity.len(), 2, "a unit without records has no activity");
    let v1 = &activity["V1"];
    assert_eq!((v1.records, v1.people, v1.golden), (10, 7, 1));
    assert_eq!(v1.golden_week, Some(d(2025, 9, 12)));
    assert_eq!(activity["C1"].weeks, [(d(2025, 9, 12), 2, 1)]);

    let mut cells: Vec<(String, i64)> = store
        .field_inclusion("p", "C1", d(2025, 9, 12))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (format!("{:?}", c.group), c.people))
        .collect();
    cells.sort();
    let group = |age_band, gender, minority| {
        format!(
            "{:?}",
            hocvuso_core::field::Group {
                age_band,
                gender,
                minority
            }
        )
    };
    use hocvuso_core::cccd::Gender::Female;
    use hocvuso_core::field::AgeBand;
    let mut expected = vec![
        (group(None, None, None), 1),
        (
            group(Some(AgeBand::From18To34), Some(Female), Some(true)),
            5,
        ),
        (group(Some(AgeBand::From60), Some(Female), Some(true)), 1),
    ];
    expected.sort();
    assert_eq!(cells, expected);
    store.close().await;
}

#[tokio::test]
async fn weekly_figures_survive_packing_sqlite() {
    weekly_figures_survive_packing(Engine::Sqlite).await;
}

#[tokio::test]
async fn weekly_figures_survive_packing_postgres() {
    weekly_figures_survive_packing(Engine::Postgres).await;
}
