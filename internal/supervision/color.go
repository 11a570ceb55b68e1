package supervision

import "time"

// 三色预警 (issue 8): every watched item is red, yellow or green against its
// due date and the time progress (时序进度) of its span.
const (
	Red    = "red"
	Yellow = "yellow"
	Green  = "green"
)

// Days before a due date at which items turn yellow.
const (
	NoticeWarnDays = 2  // a notice's reply deadline
	ItemWarnDays   = 15 // a task's, measure's or milestone's due date
)

// DeadlineColor marks a deadline (YYYY-MM-DD) on today: red when past,
// yellow within NoticeWarnDays, green otherwise.
func DeadlineColor(due, today string) string {
	switch {
	case due == "":
		return Green
	case due < today:
		return Red
	}
	d, err1 := time.Parse("2006-01-02", due)
	t, err2 := time.Parse("2006-01-02", today)
	if err1 == nil && err2 == nil && d.Sub(t) <= NoticeWarnDays*24*time.Hour {
		return Yellow
	}
	return Green
}

// Progress is what is known of an item on a day.
type Progress struct {
	Start, Due, Today time.Time // dates
	Done              bool
	Percent           float64 // reported percent complete
	Known             bool    // a percent has been reported
}

// TimeProgress is the share of the span from Start to Due that has passed
// on Today, between 0 and 1.
func (p Progress) TimeProgress() float64 {
	total := p.Due.Sub(p.Start)
	if total <= 0 {
		if p.Today.Before(p.Due) {
			return 0
		}
		return 1
	}
	f := float64(p.Today.Sub(p.Start)) / float64(total)
	return min(max(f, 0), 1)
}

// Color marks the item: green when done; red when past due, or when the
// reported percent is more than 20 points behind the time progress; yellow
// when it is behind at all, or, with nothing reported, when the due date is
// within ItemWarnDays; green otherwise.
func (p Progress) Color() string {
	switch {
	case p.Done:
		return Green
	case p.Today.After(p.Due):
		return Red
	}
	tp := p.TimeProgress() * 100
	if p.Known {
		switch {
		case p.Percent < tp-20:
			return Red
		case p.Percent < tp:
			return Yellow
		}
		return Green
	}
	if p.Due.Sub(p.Today) <= ItemWarnDays*24*time.Hour {
		return Yellow
	}
	return Green
}
