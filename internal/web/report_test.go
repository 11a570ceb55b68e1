package web_test

import (
	"strings"
	"testing"
)

// TestReportPagesRender opens every reporting page as the role that uses it.
func TestReportPagesRender(t *testing.T) {
	e := newServer(t)
	staff, reporter, leader := e.login(t, "staff"), e.login(t, "reporter"), e.login(t, "leader")
	for _, c := range []struct {
		who  *client
		path string
		want string
	}{
		{staff, e.planURL("/assign"), "任务分工"},
		{staff, e.planURL("/review"), "审核进展"},
		{staff, e.planURL("/review?status=all&period=2023-05"), "演示数据"},
		{leader, "/", "滞后事项"},
		{reporter, "/", "填报本期进展"},
		{reporter, "/my/tasks", "支持射洪市创建国家、省级创新型县(市)"},
		{reporter, e.planURL("/report"), "全部提交"},
		{reporter, e.planURL("/report?period=2023-03"), "已通过"},
	} {
		resp, body := c.who.get(c.path)
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) {
			i := strings.Index(body, `<main`)
			if i < 0 {
				i = 0
			}
			t.Errorf("GET %s: %d, want %q in\n%.3000s", c.path, resp.StatusCode, c.want, body[i:])
		}
	}
}
