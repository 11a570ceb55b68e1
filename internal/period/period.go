// Package period holds the reporting calendar of a plan (issue 8): monthly
// periods by default (2023-06) or quarterly ones (2023-Q2), each reported
// on in a submission window of days in the month after it ends (days 1–5
// by default). It is pure: dates in, dates out, no clock and no store.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// China is the time zone deadlines and reporting months are judged in:
// China Standard Time, +08:00 with no daylight saving since 1991, so a fixed
// zone that needs no time zone database on the server.
var China = time.FixedZone("CST", 8*3600)

// Frequency is how often a plan is reported on.
type Frequency string

const (
	Monthly   Frequency = "monthly"
	Quarterly Frequency = "quarterly"
)

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return f == Monthly || f == Quarterly }

// Default window: days 1 to 5 of the month after the period.
const (
	DefaultOpenDay  = 1
	DefaultCloseDay = 5
)

// Rules are a plan's reporting rules.
type Rules struct {
	Frequency Frequency
	// OpenDay and CloseDay bound the submission window, as days of the
	// month after the period, both included (1 ≤ OpenDay ≤ CloseDay ≤ 28).
	OpenDay, CloseDay int
}

// Default is monthly reporting in days 1–5 of the next month.
var Default = Rules{Frequency: Monthly, OpenDay: DefaultOpenDay, CloseDay: DefaultCloseDay}

// Validate checks the rules; the message is for the user.
func (r Rules) Validate() error {
	if !r.Frequency.Valid() {
		return fmt.Errorf("填报周期须为按月或按季")
	}
	if r.OpenDay < 1 || r.CloseDay > 28 || r.OpenDay > r.CloseDay {
		return fmt.Errorf("填报窗口须在次月1日至28日之间,且开始日不晚于截止日")
	}
	return nil
}

// Period is one reporting period: a month (Index 1–12) or a quarter
// (Index 1–4) of a year.
type Period struct {
	Frequency Frequency
	Year      int
	Index     int
}

// Key is the period's stable name: 2023-06 for a month, 2023-Q2 for a quarter.
func (p Period) Key() string {
	if p.Frequency == Quarterly {
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Index)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
}

func (p Period) String() string { return p.Key() }

// Label is the period in Chinese: 2023年6月, 2023年第2季度.
func (p Period) Label() string {
	if p.Frequency == Quarterly {
		return fmt.Sprintf("%d年第%d季度", p.Year, p.Index)
	}
	return fmt.Sprintf("%d年%d月", p.Year, p.Index)
}

// months is the number of months a period spans.
func (p Period) months() int {
	if p.Frequency == Quarterly {
		return 3
	}
	return 1
}

// Start is the first day of the period (UTC midnight).
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month((p.Index-1)*p.months()+1), 1, 0, 0, 0, 0, time.UTC)
}

// End is the first day after the period.
func (p Period) End() time.Time { return p.Start().AddDate(0, p.months(), 0) }

// Contains reports whether the day of t falls in the period.
func (p Period) Contains(t time.Time) bool {
	d := day(t)
	return !d.Before(p.Start()) && d.Before(p.End())
}

// Next and Prev are the neighbouring periods.
func (p Period) Next() Period {
	n := 12 / p.months()
	if p.Index == n {
		return Period{p.Frequency, p.Year + 1, 1}
	}
	return Period{p.Frequency, p.Year, p.Index + 1}
}

func (p Period) Prev() Period {
	if p.Index == 1 {
		return Period{p.Frequency, p.Year - 1, 12 / p.months()}
	}
	return Period{p.Frequency, p.Year, p.Index - 1}
}

// Before reports whether p ends before q starts.
func (p Period) Before(q Period) bool { return p.Start().Before(q.Start()) }

// Parse reads a key: 2023-06 (monthly) or 2023-Q2 (quarterly).
func Parse(key string) (Period, error) {
	y, rest, ok := strings.Cut(strings.TrimSpace(key), "-")
	year, err := strconv.Atoi(y)
	if !ok || err != nil || len(y) != 4 || year < 2000 || year > 2100 {
		return Period{}, fmt.Errorf("填报期 %q 须写作 2023-06 或 2023-Q2", key)
	}
	if q, isQ := strings.CutPrefix(rest, "Q"); isQ {
		n, err := strconv.Atoi(q)
		if err != nil || len(q) != 1 || n < 1 || n > 4 {
			return Period{}, fmt.Errorf("填报期 %q 须写作 2023-06 或 2023-Q2", key)
		}
		return Period{Quarterly, year, n}, nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || n < 1 || n > 12 {
		return Period{}, fmt.Errorf("填报期 %q 须写作 2023-06 或 2023-Q2", key)
	}
	return Period{Monthly, year, n}, nil
}

// Of returns the period of the rules' frequency that contains t.
func (r Rules) Of(t time.Time) Period {
	d := day(t)
	if r.Frequency == Quarterly {
		return Period{Quarterly, d.Year(), (int(d.Month())-1)/3 + 1}
	}
	return Period{Monthly, d.Year(), int(d.Month())}
}

// Clamp is the period that is current at now (in China time) within a
// plan of year: the first period before the year starts, the last once it
// is over. Pages and the API open a plan's sheet on it.
func (r Rules) Clamp(year int, now time.Time) Period {
	p := r.Current(now.In(China))
	all := r.Year(year)
	switch {
	case p.Year < year:
		return all[0]
	case p.Year > year:
		return all[len(all)-1]
	}
	return p
}

// Year lists the periods of a plan year in order.
func (r Rules) Year(year int) []Period {
	first := r.Of(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	var out []Period
	for p := first; p.Year == year; p = p.Next() {
		out = append(out, p)
	}
	return out
}

// Window returns the first and last day (both included) on which p's
// reports are due: days OpenDay..CloseDay of the month after p.
func (r Rules) Window(p Period) (open, close time.Time) {
	end := p.End()
	return end.AddDate(0, 0, r.OpenDay-1), end.AddDate(0, 0, r.CloseDay-1)
}

// Deadline is the instant after which a report on p is late: the end of
// the window's last day, in the time zone loc (the bureau's local time).
func (r Rules) Deadline(p Period, loc *time.Location) time.Time {
	_, c := r.Window(p)
	return time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, loc)
}

// OpenOn returns the period whose window is open on the day of t, if any.
func (r Rules) OpenOn(t time.Time) (Period, bool) {
	p := r.Of(t).Prev()
	open, close := r.Window(p)
	d := day(t)
	if d.Before(open) || d.After(close) {
		return Period{}, false
	}
	return p, true
}

// Current is the period a unit works on at t: the one whose window is
// open, else the period under way (reported on in the next window).
func (r Rules) Current(t time.Time) Period {
	if p, ok := r.OpenOn(t); ok {
		return p
	}
	// Before this month's window opens, the previous period is still the
	// one coming due.
	p := r.Of(t)
	if prev := p.Prev(); !day(t).After(r.windowClose(prev)) {
		return prev
	}
	return p
}

func (r Rules) windowClose(p Period) time.Time { _, c := r.Window(p); return c }

// Standing is where a unit's report on a period stands on a date.
type Standing string

const (
	// NotDue: the window has not closed and nothing is submitted; drafts
	// may be saved and submitted early.
	NotDue Standing = "not_due"
	// Open: the window is open and nothing is submitted yet.
	Open Standing = "open"
	// OnTime: submitted by the deadline.
	OnTime Standing = "on_time"
	// Late: submitted after the deadline.
	Late Standing = "late"
	// Missing: not submitted and the deadline has passed.
	Missing Standing = "missing"
)

// Judge says where a report on p stands at now; submitted is when it was
// first submitted (zero when it never was). Times are compared with the
// deadline in loc.
func (r Rules) Judge(p Period, submitted, now time.Time, loc *time.Location) Standing {
	deadline := r.Deadline(p, loc)
	if !submitted.IsZero() {
		if submitted.Before(deadline) {
			return OnTime
		}
		return Late
	}
	if !now.Before(deadline) {
		return Missing
	}
	open, _ := r.Window(p)
	if !now.Before(time.Date(open.Year(), open.Month(), open.Day(), 0, 0, 0, 0, loc)) {
		return Open
	}
	return NotDue
}

// day is t's calendar date as a UTC midnight (the date as written in t's
// own location).
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
