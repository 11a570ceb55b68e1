package audit

// Actions of assignment and reporting (issue 8), added to the catalogue by
// register.
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

func init() {
	register(
		named{AssignmentUpdated, "修改任务分工"},
		named{SuggestionAccepted, "采纳建议单位"},
		named{SuggestionRejected, "不采纳建议单位"},
		named{PlanRulesUpdated, "修改填报规则"},
		named{ReportSaved, "保存进展报告"},
		named{ReportEvidence, "上传佐证材料"},
		named{ReportEvidenceDrop, "删除佐证材料"},
		named{ReportSubmitted, "提交进展报告"},
		named{ReportReturned, "退回进展报告"},
		named{ReportApproved, "审核通过进展报告"},
	)
}
