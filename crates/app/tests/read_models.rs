//! The read models every output shares and the policy applied to them, tested without HTTP on the
//! demo database (SQLite always, PostgreSQL when configured): the grid and the lines built over it
//! agree with each other, the documents take the dashboard's figures, and each actor reads only what
//! the policy lets it.

use chrono::NaiveDate;
use hocvuso_app::AppError;
use hocvuso_app::documents::weekly_document;
use hocvuso_app::read::{GridFilter, GridSpec, status_of, week_on};
use hocvuso_core::official::Block;
use hocvuso_core::outlook::Status;
use hocvuso_core::ranking::achievement;
use hocvuso_core::report::{Cell, rates};
use hocvuso_core::text::search_key;
use hocvuso_core::units::UnitKind;
use hocvuso_testkit::{DemoApp, Engine};
use std::future::Future;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 5).unwrap()
}

/// Runs `test` on the demo on each configured engine.
async fn on_each_engine<F, Fut>(test: F)
where
    F: Fn(DemoApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if let Some(demo) = DemoApp::new(engine).await {
            test(demo).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_and_the_lines_over_it_agree() {
    on_each_engine(|demo| async move {
        let s = demo.session_of("sokhcn").await;
        let plan = s.plan();
        let g = s
            .grid(&GridSpec::below("66", UnitKind::Commune, day()))
            .await
            .unwrap();
        assert_eq!(g.rows.len(), 102);
        assert!(!g.columns.is_empty());
        let keys: Vec<(String, String)> = g
            .rows
            .iter()
            .map(|(u, _)| (search_key(&u.name), u.code.clone()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by name");

        // A status filter keeps exactly the units with that status on that indicator.
        let i = g.columns[0];
        for status in Status::ALL {
            let filter = GridFilter {
                status: Some(status),
                indicator: Some(plan.indicators[i].code.clone()),
                ..GridFilter::default()
            };
            let kept = g.filtered(plan, &filter).unwrap();
            let expected = g
                .rows
                .iter()
                .filter(|(_, t)| {
                    t[i].progress.subjects_expected > 0 && status_of(&t[i]) == Some(status)
                })
                .count();
            assert_eq!(kept.len(), expected, "{status:?}");
        }
        let unknown = GridFilter {
            indicator: Some("9.9".into()),
            ..GridFilter::default()
        };
        assert!(matches!(
            g.filtered(plan, &unknown),
            Err(AppError::BadRequest(_))
        ));

        // Rankings: every unit once, ranked 1..n by a score that never rises, each achievement
        // computed from the grid's own shares of target.
        let ranks = s.rank_lines(&g).await.unwrap();
        assert_eq!(ranks.len(), g.rows.len());
        assert!(ranks.iter().enumerate().all(|(k, r)| r.rank == k + 1));
        assert!(ranks.windows(2).all(|w| w[0].score_raw >= w[1].score_raw));
        for r in &ranks {
            let (_, tracked) = g.rows.iter().find(|(u, _)| u.code == r.unit.code).unwrap();
            let shares: Vec<Option<f64>> = tracked
                .iter()
                .filter(|t| t.progress.target.is_some() && t.progress.subjects_expected > 0)
                .map(|t| t.progress.share_of_target)
                .collect();
            assert_eq!(r.achievement_raw, achievement(&shares).unwrap_or(0.0));
        }

        // Lagging: units of the grid, each behind (as the grid says) or without the week's report.
        let lagging = s.lagging_lines(&g).await.unwrap();
        assert!(!lagging.is_empty());
        for l in &lagging {
            let (_, tracked) = g
                .rows
                .iter()
                .find(|(u, _)| u.code == l.unit.code)
                .expect("a unit of the grid");
            assert!(!l.shortfalls.is_empty() || !l.missing.is_empty());
            for f in &l.shortfalls {
                let k = plan
                    .indicators
                    .iter()
                    .position(|x| x.code == f.code)
                    .unwrap();
                assert!(matches!(
                    status_of(&tracked[k]),
                    Some(Status::OffTrack | Status::AtRisk)
                ));
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_completeness_matrix_says_what_the_reports_say_never_above_100_percent() {
    on_each_engine(|demo| async move {
        let s = demo.session_of("sokhcn").await;
        let m = s.matrix(UnitKind::Commune, day(), None).await.unwrap();
        assert_eq!(m.units.len(), 102);
        assert_eq!(m.weeks.len(), 8);
        // Each cell says what the stored report says: none or a draft is not reported, a submitted or
        // approved one is (on time or late), a returned one is not until sent again.
        let home = s.home().await.unwrap();
        let stored: std::collections::HashMap<(String, String), String> = s
            .week_statuses(&home)
            .await
            .unwrap()
            .into_iter()
            .map(|w| ((w.unit_code, w.week), w.status))
            .collect();
        let mut reported = 0;
        for (unit, row) in m.units.iter().zip(&m.cells) {
            for (week, cell) in m.weeks.iter().zip(row) {
                let status = stored.get(&(unit.code.clone(), week.reporting_day.to_string()));
                let expected = matches!(status.map(String::as_str), Some("submitted" | "approved"));
                let counted = matches!(cell, Cell::OnTime | Cell::Late);
                assert_eq!(counted, expected, "{} {}", unit.code, week.reporting_day);
                reported += usize::from(expected);
            }
        }
        assert!(
            reported > 0 && reported < 102 * 8,
            "{reported} of {} cells",
            102 * 8
        );
        for row in &m.cells {
            let (complete, timely) = rates(row);
            assert!((0.0..=100.0).contains(&complete) && timely <= complete);
        }
        let found = s
            .matrix(UnitKind::Commune, day(), Some("buon ma thuot".into()))
            .await
            .unwrap();
        assert!(!found.units.is_empty() && found.units.len() < m.units.len());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_document_takes_the_dashboard_figures() {
    on_each_engine(|demo| async move {
        let s = demo.session_of("sokhcn").await;
        let province = s.unit("66").await.unwrap();
        let week = week_on(s.plan(), day()).unwrap();
        let doc = weekly_document(&s, &province, &week).await.unwrap();
        let table = doc
            .body
            .iter()
            .find_map(|b| match b {
                Block::Table(t) if t.headers.first().is_some_and(|h| h == "Mã") => Some(t),
                _ => None,
            })
            .expect("the indicator table");
        // The same figures as the province's line in the country's grid (the dashboard's read).
        let country = s
            .grid(&GridSpec::below("VN", UnitKind::Province, day()))
            .await
            .unwrap();
        let (_, tracked) = country
            .rows
            .iter()
            .find(|(u, _)| u.code == "66")
            .expect("Đắk Lắk in the country's grid");
        let expected = tracked
            .iter()
            .filter(|t| t.progress.subjects_expected > 0)
            .count();
        assert!(expected > 0);
        assert_eq!(table.rows.len(), expected);
        for row in &table.rows {
            let k = s
                .plan()
                .indicators
                .iter()
                .position(|i| i.code == row[0])
                .unwrap();
            let share = tracked[k]
                .progress
                .share_of_target
                .map_or("–".to_string(), hocvuso_core::format::percent);
            assert_eq!(row[4], share, "indicator {}", row[0]);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_actor_reads_only_what_the_policy_lets_it() {
    on_each_engine(|demo| async move {
        let viewer = demo.session_of("lanhdao.xa").await;
        let home = viewer.home().await.unwrap();
        assert_eq!(home.kind(), Some(UnitKind::Commune));
        assert!(matches!(
            viewer
                .grid(&GridSpec::below("66", UnitKind::Commune, day()))
                .await,
            Err(AppError::Forbidden(_))
        ));
        let m = viewer.matrix(UnitKind::Commune, day(), None).await.unwrap();
        assert_eq!(m.units.len(), 1);
        assert_eq!(m.units[0].code, home.code);

        // A team member's page is its app: no activity table for it.
        let member = demo.session_of("to.cns").await;
        assert!(member.log_scope(None, day()).await.unwrap().is_none());
        let staff = demo.session_of("sokhcn").await;
        let scope = staff.log_scope(Some("66"), day()).await.unwrap().unwrap();
        assert!(matches!(
            member.activity_table(&scope).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            member.inclusion_tables(&scope).await,
            Err(AppError::Forbidden(_))
        ));

        // A commune's reporter cannot build the province's report.
        let reporter = demo.session_of("baocao.xa").await;
        let province = demo.session_of("sokhcn").await.unit("66").await.unwrap();
        let week = week_on(reporter.plan(), day()).unwrap();
        assert!(matches!(
            weekly_document(&reporter, &province, &week).await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}
