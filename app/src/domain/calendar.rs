//! Civil dates and the working-day calendar (REQUIREMENTS §0 "Deadlines"). Pure and dependency
//! free so that the browser shows the same expected date as the receipt slip.
//!
//! Rules (Decree 61/2018, Labour Code 2019 Art. 112): Saturdays and Sundays are days off unless
//! the government declares a Saturday an official make-up working day; a listed holiday on a
//! weekday is a day off. A time limit of N working days counts from the working day after the
//! dossier is received, so the result is due on the N-th working day after the receipt day.
use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A civil date as days since 1970-01-01 (proleptic Gregorian).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Day(pub i32);

impl Day {
    /// Howard Hinnant's `days_from_civil`.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Day> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// `YYYY-MM-DD`, the format of `<input type=date>`.
    pub fn parse_iso(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Day::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    pub fn from_unix(secs: i64) -> Day {
        Day(secs.div_euclid(86_400) as i32)
    }

    /// Days since the epoch in Vietnam's time zone (UTC+7, no daylight saving).
    pub fn from_unix_vn(secs: i64) -> Day {
        Day::from_unix(secs + 7 * 3600)
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.0 + 3).rem_euclid(7) as u32
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }

    /// `DD/MM/YYYY`, as Vietnamese documents write dates.
    pub fn vn(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{d:02}/{m:02}/{y:04}")
    }

    /// `YYMMDD`, the date part of a dossier code.
    pub fn yymmdd(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{:02}{m:02}{d:02}", y.rem_euclid(100))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Unix seconds as `DD/MM/YYYY HH:MM` in Vietnam time (UTC+7).
pub fn time_vn(secs: i64) -> String {
    let local = secs + 7 * 3600;
    let d = Day::from_unix(local);
    let rem = local.rem_euclid(86_400);
    format!("{} {:02}:{:02}", d.vn(), rem / 3600, (rem % 3600) / 60)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

const VN_OFFSET: i64 = 7 * 3600;

/// Office hours in Vietnam time, seconds after midnight: 07:30–11:30 and 13:00–17:00, the
/// eight-hour day of Decree 61/2018 one-stop counters. Step deadlines count only these.
pub const OFFICE_HOURS: [(i64, i64); 2] =
    [(7 * 3600 + 1800, 11 * 3600 + 1800), (13 * 3600, 17 * 3600)];

/// How pressing a dossier or a step is, for the inbox order and warnings (B-i, B-k).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Urgency {
    Overdue,
    DueToday,
    /// Due within the warning window (working days).
    DueSoon,
    OnTrack,
}

impl Urgency {
    pub fn of(cal: &Calendar, today: Day, due: Day, warn_days: u32) -> Urgency {
        if today > due {
            Urgency::Overdue
        } else if today == due {
            Urgency::DueToday
        } else if cal.working_days_between(today, due) <= warn_days {
            Urgency::DueSoon
        } else {
            Urgency::OnTrack
        }
    }
}

/// Why an apology and new appointment slip (Decree 61/2018 Art. 19) cannot be issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApologyRefusal {
    /// The date was already reset once.
    AlreadyReset,
    /// Too late: the slip must be issued at the latest one working day before the due date.
    TooLate,
    /// The new date must be a working day after the current due date.
    BadDate,
}

/// Checks an apology and new appointment on `today` for a dossier due on `due`.
pub fn check_apology(
    cal: &Calendar,
    today: Day,
    due: Day,
    new_due: Day,
    already_reset: bool,
) -> Result<(), ApologyRefusal> {
    if already_reset {
        return Err(ApologyRefusal::AlreadyReset);
    }
    if today > cal.previous_working(due) {
        return Err(ApologyRefusal::TooLate);
    }
    if new_due <= due || !cal.is_working(new_due) {
        return Err(ApologyRefusal::BadDate);
    }
    Ok(())
}

/// Days off on weekdays and make-up working days (the `holiday` table).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub off: BTreeSet<Day>,
    pub makeup: BTreeSet<Day>,
}

impl Calendar {
    pub fn is_working(&self, d: Day) -> bool {
        if self.makeup.contains(&d) {
            return true;
        }
        !d.is_weekend() && !self.off.contains(&d)
    }

    /// The day the result is due for a time limit of `n` working days on a dossier received
    /// on `received`: the n-th working day after it. With `n = 0` the result is due the same
    /// day (procedures "resolved on receipt"); if that day is not a working day, the next one.
    pub fn due_date(&self, received: Day, n: u32) -> Day {
        let mut d = received;
        if n == 0 {
            while !self.is_working(d) {
                d = Day(d.0 + 1);
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            d = Day(d.0 + 1);
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// The last working day before `d`.
    pub fn previous_working(&self, d: Day) -> Day {
        let mut x = Day(d.0 - 1);
        while !self.is_working(x) {
            x = Day(x.0 - 1);
        }
        x
    }

    /// The due date after a pause (B-i): the clock stops while the applicant is asked for a
    /// supplement or a payment, so the dossier gets back the working days the pause covered
    /// (those after the day it began, up to and including the day it ended).
    pub fn extend(&self, due: Day, paused: Day, resumed: Day) -> Day {
        let lost = self.working_days_between(paused, resumed);
        if lost == 0 {
            due
        } else {
            self.due_date(due, lost)
        }
    }

    /// The instant (Unix seconds) `hours` working hours after `from`: only office hours of
    /// working days count (step deadlines of a workflow, B-i).
    pub fn add_working_hours(&self, from: i64, hours: u32) -> i64 {
        let mut left = i64::from(hours) * 3600;
        if left == 0 {
            return from;
        }
        let mut t = from;
        loop {
            let day = Day::from_unix_vn(t);
            let midnight = i64::from(day.0) * 86_400 - VN_OFFSET;
            if self.is_working(day) {
                for (open, close) in OFFICE_HOURS {
                    let (a, b) = (midnight + open, midnight + close);
                    let start = t.max(a);
                    if start >= b {
                        continue;
                    }
                    if b - start >= left {
                        return start + left;
                    }
                    left -= b - start;
                    t = b;
                }
            }
            t = midnight + 86_400;
        }
    }

    /// Working seconds between two instants (0 when `to <= from`).
    pub fn working_secs_between(&self, from: i64, to: i64) -> i64 {
        let mut total = 0;
        let mut t = from;
        while t < to {
            let day = Day::from_unix_vn(t);
            let midnight = i64::from(day.0) * 86_400 - VN_OFFSET;
            if self.is_working(day) {
                for (open, close) in OFFICE_HOURS {
                    let (a, b) = (t.max(midnight + open), to.min(midnight + close));
                    if b > a {
                        total += b - a;
                    }
                }
            }
            t = midnight + 86_400;
        }
        total
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: Day, to: Day) -> u32 {
        (from.0 + 1..=to.0)
            .filter(|&x| self.is_working(Day(x)))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    /// The 2026 calendar as the government announced it: Tết 14–22 Feb (Mon 16 – Fri 20 off
    /// on weekdays), Hùng Kings 27 Apr, 30 Apr – 1 May, National Day 1–2 Sep.
    fn vn2026() -> Calendar {
        let mut c = Calendar::default();
        for s in [
            "2026-01-01",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-04-27",
            "2026-04-30",
            "2026-05-01",
            "2026-09-01",
            "2026-09-02",
        ] {
            c.off.insert(d(s));
        }
        c
    }

    #[test]
    fn civil_round_trip() {
        for x in -800_000..800_000 {
            if x % 997 != 0 {
                continue;
            }
            let (y, m, dd) = Day(x).ymd();
            assert_eq!(Day::from_ymd(y, m, dd), Some(Day(x)));
        }
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(Day::parse_iso("2025-02-29"), None);
        assert_eq!(Day::parse_iso("2025-13-01"), None);
        assert_eq!(Day::parse_iso("2025-1-01"), None);
        assert_eq!(Day::parse_iso("+025-01-01"), None);
    }

    #[test]
    fn weekdays_and_formats() {
        assert_eq!(d("2026-12-01").weekday(), 1); // Tuesday
        assert!(d("2026-11-29").is_weekend());
        assert_eq!(d("2026-10-08").yymmdd(), "261008");
        assert_eq!(d("2026-10-08").vn(), "08/10/2026");
        // 23:30 UTC on 30 Nov is already 1 Dec in Hà Nội.
        assert_eq!(
            Day::from_unix_vn(d("2026-11-30").0 as i64 * 86_400 + 23 * 3600 + 1800),
            d("2026-12-01")
        );
    }

    #[test]
    fn due_dates_skip_weekends_and_holidays() {
        let c = vn2026();
        // Friday + 1 working day = Monday.
        assert_eq!(c.due_date(d("2026-11-27"), 1), d("2026-11-30"));
        // Received on a Saturday: counting starts Monday.
        assert_eq!(c.due_date(d("2026-11-28"), 3), d("2026-12-02"));
        // Over Tết: Fri 13 Feb + 3 → Mon 23, Tue 24, Wed 25.
        assert_eq!(c.due_date(d("2026-02-13"), 3), d("2026-02-25"));
        // Over 30/4–1/5 and the weekend: Wed 29 Apr + 1 → Mon 4 May.
        assert_eq!(c.due_date(d("2026-04-29"), 1), d("2026-05-04"));
        // Same-day procedures on a holiday move to the next working day.
        assert_eq!(c.due_date(d("2026-09-02"), 0), d("2026-09-03"));
        assert_eq!(c.due_date(d("2026-12-01"), 0), d("2026-12-01"));
    }

    #[test]
    fn makeup_saturday_counts() {
        let mut c = vn2026();
        c.makeup.insert(d("2026-01-10"));
        // Fri 9 Jan + 1: the make-up Saturday is a working day.
        assert_eq!(c.due_date(d("2026-01-09"), 1), d("2026-01-10"));
        assert_eq!(c.working_days_between(d("2026-01-09"), d("2026-01-12")), 2);
        assert_eq!(c.working_days_between(d("2026-01-12"), d("2026-01-09")), 0);
    }

    /// Unix seconds of a Vietnam-time wall clock on day `s`.
    fn at(s: &str, h: i64, m: i64) -> i64 {
        i64::from(d(s).0) * 86_400 - 7 * 3600 + h * 3600 + m * 60
    }

    #[test]
    fn working_hours_skip_lunch_nights_weekends_and_tet() {
        let c = vn2026();
        // 8 working hours from Tuesday 10:00: 1.5 h to lunch, 4 h afternoon, 2.5 h Wednesday.
        assert_eq!(
            c.add_working_hours(at("2026-12-01", 10, 0), 8),
            at("2026-12-02", 10, 0)
        );
        // From Friday 16:00, 2 hours end Monday 08:30.
        assert_eq!(
            c.add_working_hours(at("2026-11-27", 16, 0), 2),
            at("2026-11-30", 8, 30)
        );
        // Started at lunch or at night: counting begins at the next opening.
        assert_eq!(
            c.add_working_hours(at("2026-12-01", 12, 0), 1),
            at("2026-12-01", 14, 0)
        );
        assert_eq!(
            c.add_working_hours(at("2026-12-01", 20, 0), 4),
            at("2026-12-02", 11, 30)
        );
        // Ending exactly at closing time stays on that day.
        assert_eq!(
            c.add_working_hours(at("2026-12-01", 13, 0), 4),
            at("2026-12-01", 17, 0)
        );
        // Over Tết: Friday 13 Feb 15:00 + 16 h → Tuesday 24 Feb 15:00.
        assert_eq!(
            c.add_working_hours(at("2026-02-13", 15, 0), 16),
            at("2026-02-24", 15, 0)
        );
        assert_eq!(
            c.add_working_hours(at("2026-02-13", 15, 0), 0),
            at("2026-02-13", 15, 0)
        );
        // And the reverse measure agrees.
        for (a, h) in [
            (at("2026-12-01", 10, 0), 8),
            (at("2026-02-13", 15, 0), 16),
            (at("2026-11-27", 16, 0), 2),
        ] {
            assert_eq!(
                c.working_secs_between(a, c.add_working_hours(a, h)),
                i64::from(h) * 3600
            );
        }
        assert_eq!(
            c.working_secs_between(at("2026-11-28", 8, 0), at("2026-11-29", 17, 0)),
            0
        );
    }

    #[test]
    fn pauses_give_back_the_working_days_they_cover() {
        let c = vn2026();
        let due = d("2026-12-10");
        // Asked and answered the same day: nothing lost.
        assert_eq!(c.extend(due, d("2026-12-01"), d("2026-12-01")), due);
        // Asked Friday, answered Monday: one working day (Monday) comes back.
        assert_eq!(
            c.extend(due, d("2026-11-27"), d("2026-11-30")),
            d("2026-12-11")
        );
        // Asked before Tết, answered after: only the working days count (23, 24).
        assert_eq!(
            c.extend(d("2026-02-26"), d("2026-02-13"), d("2026-02-24")),
            d("2026-03-02")
        );
    }

    #[test]
    fn urgency_and_the_apology_window() {
        let c = vn2026();
        let due = d("2026-12-07"); // a Monday
        assert_eq!(Urgency::of(&c, d("2026-12-08"), due, 2), Urgency::Overdue);
        assert_eq!(Urgency::of(&c, due, due, 2), Urgency::DueToday);
        // Friday before: one working day left.
        assert_eq!(Urgency::of(&c, d("2026-12-04"), due, 2), Urgency::DueSoon);
        assert_eq!(Urgency::of(&c, d("2026-12-01"), due, 2), Urgency::OnTrack);
        // The slip can be issued up to the last working day before the due date (Friday).
        let later = d("2026-12-14");
        assert_eq!(
            check_apology(&c, d("2026-12-04"), due, later, false),
            Ok(())
        );
        assert_eq!(
            check_apology(&c, d("2026-12-05"), due, later, false),
            Err(ApologyRefusal::TooLate)
        );
        assert_eq!(
            check_apology(&c, due, due, later, false),
            Err(ApologyRefusal::TooLate)
        );
        assert_eq!(
            check_apology(&c, d("2026-12-01"), due, later, true),
            Err(ApologyRefusal::AlreadyReset)
        );
        assert_eq!(
            check_apology(&c, d("2026-12-01"), due, due, false),
            Err(ApologyRefusal::BadDate)
        );
        assert_eq!(
            check_apology(&c, d("2026-12-01"), due, d("2026-12-12"), false),
            Err(ApologyRefusal::BadDate)
        );
        // Due the Monday after Tết: the last working day before is Friday 13 Feb.
        assert_eq!(c.previous_working(d("2026-02-23")), d("2026-02-13"));
        assert_eq!(
            check_apology(&c, d("2026-02-16"), d("2026-02-23"), d("2026-02-27"), false),
            Err(ApologyRefusal::TooLate)
        );
    }
}
