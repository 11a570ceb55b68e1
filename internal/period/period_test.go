package period

import (
	"testing"
	"time"
)

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC) }

func TestParseAndKey(t *testing.T) {
	for _, key := range []string{"2023-06", "2023-01", "2023-12", "2023-Q1", "2023-Q4"} {
		p, err := Parse(key)
		if err != nil || p.Key() != key {
			t.Errorf("Parse(%q) = %v %v", key, p, err)
		}
	}
	for _, bad := range []string{"", "2023", "2023-6", "2023-13", "2023-00", "2023-Q5", "2023-Q0", "23-06", "1999-01", "2023-Q12"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if got := (Period{Quarterly, 2023, 2}).Label(); got != "2023年第2季度" {
		t.Errorf("label %q", got)
	}
	if got := (Period{Monthly, 2023, 6}).Label(); got != "2023年6月" {
		t.Errorf("label %q", got)
	}
}

func TestNeighboursAndBounds(t *testing.T) {
	dec := Period{Monthly, 2023, 12}
	if dec.Next().Key() != "2024-01" || (Period{Monthly, 2024, 1}).Prev().Key() != "2023-12" {
		t.Error("month roll-over")
	}
	q4 := Period{Quarterly, 2023, 4}
	if q4.Next().Key() != "2024-Q1" || (Period{Quarterly, 2024, 1}).Prev().Key() != "2023-Q4" {
		t.Error("quarter roll-over")
	}
	q2 := Period{Quarterly, 2023, 2}
	if !q2.Start().Equal(time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC)) || !q2.End().Equal(time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Q2 bounds %v %v", q2.Start(), q2.End())
	}
	if !q2.Contains(date(2023, 6, 30)) || q2.Contains(date(2023, 7, 1)) || q2.Contains(date(2023, 3, 31)) {
		t.Error("Q2 contains")
	}
	if n := len(Default.Year(2023)); n != 12 {
		t.Errorf("%d months", n)
	}
	if n := len((Rules{Quarterly, 1, 5}).Year(2023)); n != 4 {
		t.Errorf("%d quarters", n)
	}
}

func TestWindowAndCurrent(t *testing.T) {
	jun := Period{Monthly, 2023, 6}
	open, close := Default.Window(jun)
	if open.Format("2006-01-02") != "2023-07-01" || close.Format("2006-01-02") != "2023-07-05" {
		t.Errorf("window %v %v", open, close)
	}
	_, close = Default.Window(Period{Monthly, 2023, 12})
	if close.Format("2006-01-02") != "2024-01-05" {
		t.Errorf("December window closes %v", close)
	}
	quarterly := Rules{Quarterly, 1, 10}
	cases := []struct {
		r       Rules
		on      time.Time
		open    string // "" for none
		current string
	}{
		{Default, date(2023, 7, 1), "2023-06", "2023-06"},
		{Default, date(2023, 7, 5), "2023-06", "2023-06"},
		{Default, date(2023, 7, 6), "", "2023-07"},
		{Default, date(2023, 6, 20), "", "2023-06"},
		{Default, date(2024, 1, 3), "2023-12", "2023-12"},
		{Rules{Monthly, 3, 8}, date(2023, 7, 2), "", "2023-06"},
		{Rules{Monthly, 3, 8}, date(2023, 7, 8), "2023-06", "2023-06"},
		{quarterly, date(2023, 7, 9), "2023-Q2", "2023-Q2"},
		{quarterly, date(2023, 8, 9), "", "2023-Q3"},
		{quarterly, date(2023, 8, 1), "", "2023-Q3"},
	}
	for _, c := range cases {
		p, ok := c.r.OpenOn(c.on)
		if got := map[bool]string{true: p.Key(), false: ""}[ok]; got != c.open {
			t.Errorf("%v OpenOn(%s) = %q, want %q", c.r, c.on.Format("2006-01-02"), got, c.open)
		}
		if got := c.r.Current(c.on).Key(); got != c.current {
			t.Errorf("%v Current(%s) = %q, want %q", c.r, c.on.Format("2006-01-02"), got, c.current)
		}
	}
}

func TestJudge(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	jun := Period{Monthly, 2023, 6}
	at := func(m, d, h int) time.Time { return time.Date(2023, time.Month(m), d, h, 0, 0, 0, cst) }
	var never time.Time
	cases := []struct {
		name           string
		submitted, now time.Time
		want           Standing
	}{
		{"drafting in the month", never, at(6, 20, 9), NotDue},
		{"window open", never, at(7, 1, 0), Open},
		{"last evening of the window", never, at(7, 5, 23), Open},
		{"window closed", never, at(7, 6, 0), Missing},
		{"early submission", at(6, 28, 10), at(7, 10, 0), OnTime},
		{"on the last day", at(7, 5, 23), at(7, 10, 0), OnTime},
		{"a day late", at(7, 6, 9), at(7, 10, 0), Late},
	}
	for _, c := range cases {
		if got := Default.Judge(jun, c.submitted, c.now, cst); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// 16:30 UTC on 5 July is already 6 July in China: late there.
	if got := Default.Judge(jun, time.Date(2023, 7, 5, 16, 30, 0, 0, time.UTC), at(7, 10, 0), cst); got != Late {
		t.Errorf("deadline in local time: %s", got)
	}
}

func TestValidate(t *testing.T) {
	for _, r := range []Rules{Default, {Quarterly, 1, 10}, {Monthly, 28, 28}} {
		if err := r.Validate(); err != nil {
			t.Errorf("%v: %v", r, err)
		}
	}
	for _, r := range []Rules{{}, {"weekly", 1, 5}, {Monthly, 0, 5}, {Monthly, 6, 5}, {Monthly, 1, 29}} {
		if err := r.Validate(); err == nil {
			t.Errorf("%v accepted", r)
		}
	}
}

func TestClamp(t *testing.T) {
	monthly := Default
	quarterly := Rules{Frequency: Quarterly, OpenDay: 1, CloseDay: 5}
	cases := []struct {
		r    Rules
		now  time.Time
		want string
	}{
		{monthly, time.Date(2023, 6, 15, 12, 0, 0, 0, time.UTC), "2023-06"},
		{monthly, time.Date(2022, 12, 31, 12, 0, 0, 0, time.UTC), "2023-01"}, // before the year
		{monthly, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2023-12"},    // after it
		// 30 June 20:00 UTC is 1 July in China.
		{monthly, time.Date(2023, 6, 30, 20, 0, 0, 0, time.UTC), monthly.Current(time.Date(2023, 7, 1, 4, 0, 0, 0, China)).Key()},
		{quarterly, time.Date(2023, 5, 10, 0, 0, 0, 0, time.UTC), quarterly.Current(time.Date(2023, 5, 10, 8, 0, 0, 0, China)).Key()},
	}
	for _, c := range cases {
		if got := c.r.Clamp(2023, c.now).Key(); got != c.want {
			t.Errorf("Clamp(2023, %v) = %s, want %s", c.now, got, c.want)
		}
	}
}
