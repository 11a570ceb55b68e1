package supervision_test

import (
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/supervision"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDeadlineColor(t *testing.T) {
	for _, c := range []struct{ due, today, want string }{
		{"2023-03-10", "2023-03-11", supervision.Red},
		{"2023-03-10", "2023-03-10", supervision.Yellow},
		{"2023-03-10", "2023-03-08", supervision.Yellow},
		{"2023-03-10", "2023-03-07", supervision.Green},
	} {
		if got := supervision.DeadlineColor(c.due, c.today); got != c.want {
			t.Errorf("DeadlineColor(%s, %s) = %s, want %s", c.due, c.today, got, c.want)
		}
	}
}

func TestProgressColor(t *testing.T) {
	start, due := day("2023-01-01"), day("2023-12-31")
	mid := day("2023-07-02") // time progress ≈ 50%
	for _, c := range []struct {
		name string
		p    supervision.Progress
		want string
	}{
		{"done", supervision.Progress{Start: start, Due: due, Today: day("2024-02-01"), Done: true}, supervision.Green},
		{"overdue", supervision.Progress{Start: start, Due: due, Today: day("2024-01-01"), Percent: 99, Known: true}, supervision.Red},
		{"far behind", supervision.Progress{Start: start, Due: due, Today: mid, Percent: 25, Known: true}, supervision.Red},
		{"behind", supervision.Progress{Start: start, Due: due, Today: mid, Percent: 40, Known: true}, supervision.Yellow},
		{"on time", supervision.Progress{Start: start, Due: due, Today: mid, Percent: 55, Known: true}, supervision.Green},
		{"unknown, far", supervision.Progress{Start: start, Due: due, Today: mid}, supervision.Green},
		{"unknown, near", supervision.Progress{Start: start, Due: due, Today: day("2023-12-20")}, supervision.Yellow},
	} {
		if got := c.p.Color(); got != c.want {
			t.Errorf("%s: %s, want %s (time progress %.2f)", c.name, got, c.want, c.p.TimeProgress())
		}
	}
}
