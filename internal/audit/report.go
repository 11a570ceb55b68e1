package audit

// Actions of assignment and reporting (issue 8).
const (
	AssignmentUpdated  = "assignment.updated"
	SuggestionAccepted = "assignment.suggestion_accepted"
	SuggestionRejected = "assignment.suggestion_rejected"
	PlanRulesUpdated   = "plan.report_rules_updated"
	ReportSaved        = "report.saved"
	ReportEvidence     = "report.evidence_added"
	ReportEvidenceDrop = "report.evidence_removed"
	ReportSubmitted    = "report.submitted"
	ReportReturned     = "report.returned"
	ReportApproved     = "report.approved"
)

// ReportActions are the actions above, in catalogue order.
var ReportActions = []string{AssignmentUpdated, SuggestionAccepted, SuggestionRejected, PlanRulesUpdated,
	ReportSaved, ReportEvidence, ReportEvidenceDrop, ReportSubmitted, ReportReturned, ReportApproved}

func init() {
	Actions = append(Actions, ReportActions...)
	for a, l := range map[string]string{
		AssignmentUpdated: "修改任务分工", SuggestionAccepted: "采纳建议单位", SuggestionRejected: "不采纳建议单位",
		PlanRulesUpdated: "修改填报规则", ReportSaved: "保存进展报告", ReportEvidence: "上传佐证材料",
		ReportEvidenceDrop: "删除佐证材料", ReportSubmitted: "提交进展报告", ReportReturned: "退回进展报告",
		ReportApproved: "审核通过进展报告",
	} {
		labels[a] = l
	}
}
