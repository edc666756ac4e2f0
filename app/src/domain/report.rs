//! Reports (B-d) and the Decision 766/QĐ-TTg service index, computed from facts about
//! dossiers. Pure: the server loads the facts, these functions count. The mapping of each 766
//! indicator to data is documented in the README ("Reports and the 766 index") because the
//! official scoring tables are not public here; weights are the five groups' published points.
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, Day};

/// What one dossier contributes to reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub unit_id: i32,
    pub procedure_id: i32,
    pub officer_id: Option<i32>,
    /// "online", "counter" or "post".
    pub channel: String,
    pub status: i32,
    pub submitted: Day,
    /// When it was processed (status 9) or otherwise ended (refused, stopped, withdrawn).
    pub finished: Option<Day>,
    pub returned: Option<Day>,
    pub due: Option<Day>,
    /// The due date before an apology slip moved it (Decree 61/2018).
    pub first_due: Option<Day>,
    pub supplements: u32,
    /// Mean of the five satisfaction criteria (1–5), if rated.
    pub rating: Option<u32>,
    /// Every criterion rated 4 or 5.
    pub satisfied: Option<bool>,
    /// Every input document is an electronic file (filed online or scanned at the counter).
    pub inputs_digital: bool,
    pub result_digital: bool,
    /// The procedure is offered full-process online (toàn trình).
    pub full_online: bool,
    pub fee_due: bool,
    pub paid_online: bool,
    /// Working days from submission to processing, without pauses.
    pub working_days: Option<u32>,
}

impl Fact {
    fn ended_by(&self, to: Day) -> bool {
        self.finished.is_some_and(|f| f <= to)
    }

    /// Processed on time: finished no later than the due date in force (an apology slip moves
    /// it once; a dossier without a time limit is on time).
    pub fn on_time(&self) -> Option<bool> {
        let f = self.finished?;
        Some(self.due.is_none_or(|d| f <= d))
    }
}

/// The B-d counts for one group of dossiers over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Received before the period and not finished when it began.
    pub carried_over: u32,
    pub received: u32,
    pub received_online: u32,
    pub received_counter: u32,
    pub received_post: u32,
    pub processed: u32,
    pub on_time: u32,
    pub late: u32,
    pub returned: u32,
    pub refused: u32,
    pub withdrawn: u32,
    pub stopped: u32,
    /// Not finished at the end of the period.
    pub in_progress: u32,
    pub in_progress_overdue: u32,
    pub supplement_requests: u32,
    pub rated: u32,
    pub satisfied: u32,
    pub rating_sum: u32,
    pub working_days_sum: u32,
    pub fee_due: u32,
    pub paid_online: u32,
}

impl Counts {
    pub fn add(&mut self, f: &Fact, from: Day, to: Day) {
        if f.submitted > to {
            return;
        }
        let began_open = f.submitted < from && f.finished.is_none_or(|x| x >= from);
        if began_open {
            self.carried_over += 1;
        }
        if f.submitted >= from {
            self.received += 1;
            match f.channel.as_str() {
                "online" | "npsp" => self.received_online += 1,
                "post" => self.received_post += 1,
                _ => self.received_counter += 1,
            }
            if f.fee_due {
                self.fee_due += 1;
                if f.paid_online {
                    self.paid_online += 1;
                }
            }
        }
        if !(began_open || f.submitted >= from) {
            return;
        }
        match f.finished {
            Some(x) if x >= from && x <= to => match f.status {
                3 => self.refused += 1,
                7 => self.withdrawn += 1,
                8 => self.stopped += 1,
                _ => {
                    self.processed += 1;
                    if f.on_time() == Some(true) {
                        self.on_time += 1;
                    } else {
                        self.late += 1;
                    }
                    if let Some(w) = f.working_days {
                        self.working_days_sum += w;
                    }
                    if let Some(r) = f.rating {
                        self.rated += 1;
                        self.rating_sum += r;
                        if f.satisfied == Some(true) {
                            self.satisfied += 1;
                        }
                    }
                }
            },
            _ if !f.ended_by(to) => {
                self.in_progress += 1;
                if f.due.is_some_and(|d| d < to) {
                    self.in_progress_overdue += 1;
                }
            }
            _ => {}
        }
        if f.returned.is_some_and(|r| r >= from && r <= to) {
            self.returned += 1;
        }
        self.supplement_requests += f.supplements;
    }

    pub fn online_rate(&self) -> Option<f64> {
        ratio(self.received_online, self.received)
    }

    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.processed)
    }

    pub fn average_days(&self) -> Option<f64> {
        ratio(self.working_days_sum, self.processed)
    }

    pub fn average_rating(&self) -> Option<f64> {
        ratio(self.rating_sum, self.rated)
    }
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
}

/// One indicator of the 766 index: `points = weight × numerator / denominator`; without data
/// (denominator 0) it is not applicable and its group is scored over the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub name_vi: String,
    pub name_en: String,
    pub weight: f64,
    pub numerator: u32,
    pub denominator: u32,
}

impl Indicator {
    pub fn points(&self) -> Option<f64> {
        ratio(self.numerator, self.denominator).map(|r| r * self.weight)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name_vi: String,
    pub name_en: String,
    pub weight: f64,
    pub indicators: Vec<Indicator>,
}

impl Group {
    /// The group's points: applicable indicators scaled up to the group's weight; None when no
    /// indicator has data.
    pub fn points(&self) -> Option<f64> {
        let applicable: Vec<&Indicator> = self
            .indicators
            .iter()
            .filter(|i| i.denominator > 0)
            .collect();
        let w: f64 = applicable.iter().map(|i| i.weight).sum();
        if w == 0.0 {
            return None;
        }
        let got: f64 = applicable.iter().filter_map(|i| i.points()).sum();
        Some(got / w * self.weight)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Index766 {
    pub groups: Vec<Group>,
}

impl Index766 {
    /// The total out of 100, counting groups without data at their full weight removed from
    /// the denominator, so that an agency is not scored on what it has no data for.
    pub fn total(&self) -> Option<f64> {
        let scored: Vec<(f64, f64)> = self
            .groups
            .iter()
            .filter_map(|g| g.points().map(|p| (p, g.weight)))
            .collect();
        let w: f64 = scored.iter().map(|(_, w)| w).sum();
        (w > 0.0).then(|| scored.iter().map(|(p, _)| p).sum::<f64>() / w * 100.0)
    }
}

/// Facts about the procedures of the agency (the publicity group).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFacts {
    pub procedures: u32,
    /// With a document list, a time limit and fee information published.
    pub complete: u32,
    pub offered_online: u32,
}

/// Computes the index over dossiers finished or received in `[from, to]`.
pub fn index_766(facts: &[Fact], cat: &CatalogueFacts, from: Day, to: Day) -> Index766 {
    let mut c = Counts::default();
    for f in facts {
        c.add(f, from, to);
    }
    let in_period: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.submitted >= from && f.submitted <= to)
        .collect();
    let processed: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.finished.is_some_and(|x| x >= from && x <= to))
        .filter(|f| !matches!(f.status, 3 | 7 | 8))
        .collect();
    let late: Vec<&&Fact> = processed
        .iter()
        .filter(|f| f.on_time() == Some(false))
        .collect();
    let late_apologised = late.iter().filter(|f| f.first_due.is_some()).count() as u32;
    let full_online: Vec<&&Fact> = in_period.iter().filter(|f| f.full_online).collect();
    let full_online_done = full_online.iter().filter(|f| f.channel == "online").count() as u32;
    let results_digital = processed.iter().filter(|f| f.result_digital).count() as u32;
    let inputs_digital = in_period.iter().filter(|f| f.inputs_digital).count() as u32;
    let tracked = in_period.len() as u32;
    let ind = |key: &str, name_vi: &str, name_en: &str, weight, numerator, denominator| Indicator {
        key: key.into(),
        name_vi: name_vi.into(),
        name_en: name_en.into(),
        weight,
        numerator,
        denominator,
    };
    Index766 {
        groups: vec![
            Group {
                name_vi: "Công khai, minh bạch".into(),
                name_en: "Publicity and transparency".into(),
                weight: 18.0,
                indicators: vec![
                    ind(
                        "1.1",
                        "Thủ tục công khai đầy đủ thành phần hồ sơ, thời hạn, phí",
                        "Procedures published with documents, time limit and fees",
                        9.0,
                        cat.complete,
                        cat.procedures,
                    ),
                    ind(
                        "1.2",
                        "Hồ sơ có mã và tiến độ tra cứu được trực tuyến",
                        "Dossiers with a code and progress anyone can look up",
                        9.0,
                        tracked,
                        tracked,
                    ),
                ],
            },
            Group {
                name_vi: "Tiến độ giải quyết".into(),
                name_en: "Timeliness".into(),
                weight: 20.0,
                indicators: vec![
                    ind(
                        "2.1",
                        "Hồ sơ giải quyết đúng hạn",
                        "Dossiers processed on time",
                        14.0,
                        c.on_time,
                        c.processed,
                    ),
                    ind(
                        "2.2",
                        "Hồ sơ trễ hạn có phiếu xin lỗi, hẹn lại",
                        "Late dossiers with an apology slip",
                        6.0,
                        late_apologised,
                        late.len() as u32,
                    ),
                ],
            },
            Group {
                name_vi: "Cung cấp dịch vụ trực tuyến".into(),
                name_en: "Online services".into(),
                weight: 22.0,
                indicators: vec![
                    ind(
                        "3.1",
                        "Thủ tục cung cấp trực tuyến",
                        "Procedures offered online",
                        6.0,
                        cat.offered_online,
                        cat.procedures,
                    ),
                    ind(
                        "3.2",
                        "Hồ sơ nộp trực tuyến",
                        "Dossiers filed online",
                        6.0,
                        c.received_online,
                        c.received,
                    ),
                    ind(
                        "3.3",
                        "Hồ sơ của thủ tục toàn trình được nộp trực tuyến",
                        "Full-process procedures' dossiers filed online",
                        5.0,
                        full_online_done,
                        full_online.len() as u32,
                    ),
                    ind(
                        "3.4",
                        "Hồ sơ có phí được thanh toán trực tuyến",
                        "Dossiers with fees paid online",
                        5.0,
                        c.paid_online,
                        c.fee_due,
                    ),
                ],
            },
            Group {
                name_vi: "Mức độ hài lòng".into(),
                name_en: "Satisfaction".into(),
                weight: 18.0,
                indicators: vec![ind(
                    "4.1",
                    "Đánh giá hài lòng hoặc rất hài lòng",
                    "Ratings satisfied or very satisfied",
                    18.0,
                    c.satisfied,
                    c.rated,
                )],
            },
            Group {
                name_vi: "Số hóa hồ sơ".into(),
                name_en: "Digitisation".into(),
                weight: 22.0,
                indicators: vec![
                    ind(
                        "5.1",
                        "Hồ sơ có thành phần được số hóa",
                        "Dossiers with digitised documents",
                        11.0,
                        inputs_digital,
                        tracked,
                    ),
                    ind(
                        "5.2",
                        "Kết quả giải quyết được cấp bản điện tử",
                        "Results issued electronically",
                        11.0,
                        results_digital,
                        processed.len() as u32,
                    ),
                ],
            },
        ],
    }
}

/// What a report is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    Unit,
    Procedure,
    Officer,
}

impl GroupBy {
    pub fn parse(s: &str) -> GroupBy {
        match s {
            "thu-tuc" => GroupBy::Procedure,
            "can-bo" => GroupBy::Officer,
            _ => GroupBy::Unit,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub name: String,
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: Day,
    pub to: Day,
    pub by: GroupBy,
    pub rows: Vec<ReportRow>,
    pub total: Counts,
    pub index: Index766,
}

/// The report table's columns: (Vietnamese heading, English heading, value).
pub fn columns(c: &Counts) -> Vec<(&'static str, &'static str, String)> {
    let pct = |x: Option<f64>| {
        x.map(|v| format!("{:.1}", v * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    vec![
        (
            "Kỳ trước chuyển sang",
            "Carried over",
            c.carried_over.to_string(),
        ),
        ("Tiếp nhận mới", "Received", c.received.to_string()),
        ("Trực tuyến", "Online", c.received_online.to_string()),
        (
            "Trực tiếp",
            "At the counter",
            c.received_counter.to_string(),
        ),
        ("Bưu chính", "By post", c.received_post.to_string()),
        ("Đã giải quyết", "Processed", c.processed.to_string()),
        ("Đúng hạn", "On time", c.on_time.to_string()),
        ("Trễ hạn", "Late", c.late.to_string()),
        ("Đã trả kết quả", "Returned", c.returned.to_string()),
        ("Đang giải quyết", "In progress", c.in_progress.to_string()),
        (
            "Trong đó quá hạn",
            "Of which overdue",
            c.in_progress_overdue.to_string(),
        ),
        ("Từ chối", "Refused", c.refused.to_string()),
        ("Rút hồ sơ", "Withdrawn", c.withdrawn.to_string()),
        ("Dừng xử lý", "Stopped", c.stopped.to_string()),
        (
            "Yêu cầu bổ sung",
            "Supplement requests",
            c.supplement_requests.to_string(),
        ),
        (
            "Tỷ lệ trực tuyến (%)",
            "Online rate (%)",
            pct(c.online_rate()),
        ),
        (
            "Tỷ lệ đúng hạn (%)",
            "On-time rate (%)",
            pct(c.on_time_rate()),
        ),
        (
            "Thời gian giải quyết trung bình (ngày làm việc)",
            "Average processing time (working days)",
            c.average_days()
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Mức hài lòng trung bình (1–5)",
            "Average satisfaction (1–5)",
            c.average_rating()
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "—".into()),
        ),
    ]
}

/// Working days between submission and finishing, for the average processing time.
pub fn working_days(cal: &Calendar, submitted: Day, finished: Day) -> u32 {
    cal.working_days_between(submitted, finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    fn fact(submitted: &str, finished: Option<&str>, due: Option<&str>, status: i32) -> Fact {
        Fact {
            unit_id: 1,
            procedure_id: 1,
            channel: "online".into(),
            status,
            submitted: d(submitted),
            finished: finished.map(d),
            due: due.map(d),
            inputs_digital: true,
            ..Default::default()
        }
    }

    /// A month, checked by hand: one carried over and finished late, three received (two
    /// online), one on time, one refused, one still open and overdue on the 30th.
    #[test]
    fn counts_for_a_month() {
        let (from, to) = (d("2026-11-01"), d("2026-11-30"));
        let mut carried = fact("2026-10-20", Some("2026-11-05"), Some("2026-11-03"), 10);
        carried.returned = Some(d("2026-11-06"));
        carried.working_days = Some(12);
        let mut on_time = fact("2026-11-02", Some("2026-11-04"), Some("2026-11-09"), 9);
        on_time.working_days = Some(2);
        on_time.rating = Some(5);
        on_time.satisfied = Some(true);
        on_time.supplements = 1;
        let mut refused = fact("2026-11-10", Some("2026-11-10"), Some("2026-11-17"), 3);
        refused.channel = "counter".into();
        let open = fact("2026-11-16", None, Some("2026-11-25"), 4);
        let earlier = fact("2026-09-01", Some("2026-09-10"), Some("2026-09-15"), 10);
        let later = fact("2026-12-01", None, None, 1);
        let mut c = Counts::default();
        for f in [&carried, &on_time, &refused, &open, &earlier, &later] {
            c.add(f, from, to);
        }
        assert_eq!(c.carried_over, 1);
        assert_eq!(
            (c.received, c.received_online, c.received_counter),
            (3, 2, 1)
        );
        assert_eq!((c.processed, c.on_time, c.late), (2, 1, 1));
        assert_eq!((c.refused, c.returned), (1, 1));
        assert_eq!((c.in_progress, c.in_progress_overdue), (1, 1));
        assert_eq!(c.supplement_requests, 1);
        assert_eq!(c.on_time_rate(), Some(0.5));
        assert_eq!(c.average_days(), Some(7.0));
        assert_eq!(c.average_rating(), Some(5.0));
        assert!((c.online_rate().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn apology_moves_the_deadline_once_for_on_time() {
        let mut f = fact("2026-11-02", Some("2026-11-12"), Some("2026-11-13"), 9);
        f.first_due = Some(d("2026-11-09"));
        assert_eq!(f.on_time(), Some(true), "judged against the new date");
        let no_limit = fact("2026-11-02", Some("2026-12-30"), None, 9);
        assert_eq!(no_limit.on_time(), Some(true));
        assert_eq!(
            fact("2026-11-02", None, Some("2026-11-03"), 4).on_time(),
            None
        );
    }

    /// The index on a fixed data set, every point worked out by hand.
    #[test]
    fn index_766_by_hand() {
        let (from, to) = (d("2026-11-01"), d("2026-11-30"));
        // 4 dossiers received in November: 3 online, 1 at the counter (not scanned).
        let mut a = fact("2026-11-02", Some("2026-11-04"), Some("2026-11-09"), 10);
        a.result_digital = true;
        a.rating = Some(5);
        a.satisfied = Some(true);
        a.full_online = true;
        a.fee_due = true;
        a.paid_online = true;
        let mut b = fact("2026-11-03", Some("2026-11-20"), Some("2026-11-10"), 9);
        b.first_due = Some(d("2026-11-10")); // apologised, still late against the moved date
        b.due = Some(d("2026-11-18"));
        b.rating = Some(3);
        b.satisfied = Some(false);
        b.full_online = true;
        let mut c = fact("2026-11-05", Some("2026-11-25"), Some("2026-11-12"), 9);
        c.result_digital = true;
        c.fee_due = true;
        let mut e = fact("2026-11-06", None, Some("2026-12-20"), 4);
        e.channel = "counter".into();
        e.inputs_digital = false;
        e.full_online = true;
        let cat = CatalogueFacts {
            procedures: 10,
            complete: 8,
            offered_online: 5,
        };
        let idx = index_766(&[a, b, c, e], &cat, from, to);
        let g = |i: usize| idx.groups[i].points().unwrap();
        // Publicity: 9 × 8/10 + 9 × 4/4 = 16.2.
        assert!((g(0) - 16.2).abs() < 1e-9, "{}", g(0));
        // Timeliness: 3 processed, 1 on time → 14/3; 2 late, 1 apologised → 3. Total 23/3.
        assert!((g(1) - (14.0 / 3.0 + 3.0)).abs() < 1e-9, "{}", g(1));
        // Online: 6 × 5/10 + 6 × 3/4 + 5 × 2/3 + 5 × 1/2 = 3 + 4.5 + 3.333… + 2.5.
        assert!(
            (g(2) - (3.0 + 4.5 + 10.0 / 3.0 + 2.5)).abs() < 1e-9,
            "{}",
            g(2)
        );
        // Satisfaction: 1 of 2 ratings satisfied → 9.
        assert!((g(3) - 9.0).abs() < 1e-9);
        // Digitisation: 3 of 4 inputs digital → 8.25; 2 of 3 results → 7.333….
        assert!((g(4) - (8.25 + 22.0 / 3.0)).abs() < 1e-9, "{}", g(4));
        let total = idx.total().unwrap();
        let expect = 16.2 + 23.0 / 3.0 + (3.0 + 4.5 + 10.0 / 3.0 + 2.5) + 9.0 + 8.25 + 22.0 / 3.0;
        assert!((total - expect).abs() < 1e-9, "{total} vs {expect}");
    }

    #[test]
    fn groups_without_data_do_not_count_against_the_agency() {
        let (from, to) = (d("2026-11-01"), d("2026-11-30"));
        // One dossier, processed on time, not rated, no fee.
        let mut a = fact("2026-11-02", Some("2026-11-04"), Some("2026-11-09"), 9);
        a.result_digital = true;
        let cat = CatalogueFacts {
            procedures: 1,
            complete: 1,
            offered_online: 1,
        };
        let idx = index_766(&[a], &cat, from, to);
        assert_eq!(idx.groups[3].points(), None, "nobody rated");
        // Timeliness: 2.2 has no late dossier → 2.1 alone scaled to 20.
        assert_eq!(idx.groups[1].points(), Some(20.0));
        // Online: 3.3 and 3.4 not applicable → (6 + 6) scaled to 22.
        assert_eq!(idx.groups[2].points(), Some(22.0));
        assert_eq!(idx.total(), Some(100.0));
        assert_eq!(
            index_766(&[], &CatalogueFacts::default(), from, to).total(),
            None
        );
    }
}
